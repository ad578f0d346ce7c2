#include "databasesource.h"

#include "core/base/verdict.h"
#include "core/store/pgconnection.h"

#include <QTemporaryDir>
#include <chrono>

bool DatabaseSource::isUrl(const QString &spec) {
    return hil::PgConnection::looksLikeUrl(spec);
}

DatabaseSource::~DatabaseSource() = default;

std::unique_ptr<DatabaseSource> DatabaseSource::open(const QString &spec, const FetchRequest &request,
                                                     QString *error, int *exitCode) {
    std::unique_ptr<DatabaseSource> s(new DatabaseSource);
    if (!isUrl(spec)) {
        s->m_path = spec;
        s->m_display = spec;
        return s;
    }
    const auto fail = [&](int code) -> std::unique_ptr<DatabaseSource> {
        if (exitCode)
            *exitCode = code;
        return nullptr;
    };
    hil::PgConnection::Failure failure{};
    const auto pg = hil::PgConnection::connect(spec, std::chrono::seconds(60), error, &failure);
    if (!pg)
        return fail(failure == hil::PgConnection::Failure::BadUrl ? hil::ExitBadInput : hil::ExitError);
    s->m_tmp = std::make_unique<QTemporaryDir>();
    if (!s->m_tmp->isValid()) {
        if (error)
            *error = QStringLiteral("cannot make a temporary folder for the runs of %1: %2")
                         .arg(pg->display(), s->m_tmp->errorString());
        return fail(hil::ExitError);
    }
    s->m_path = s->m_tmp->filePath(QStringLiteral("fetched.db"));
    s->m_display = pg->display();
    QString why;
    switch (hil::fetchRuns(*pg, request, s->m_path, &why)) {
    case hil::FetchStatus::Done:
        return s;
    case hil::FetchStatus::BadRequest:
        if (error)
            *error = why;
        return fail(hil::ExitBadInput);
    case hil::FetchStatus::Failed:
        break;
    }
    if (error)
        *error = why;
    return fail(hil::ExitError);
}
