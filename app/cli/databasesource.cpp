#include "databasesource.h"

#include "core/base/verdict.h"

#include <QTemporaryDir>

bool DatabaseSource::isUrl(const QString &spec) {
    return spec.startsWith(u"postgresql://") || spec.startsWith(u"postgres://");
}

DatabaseSource::~DatabaseSource() = default;

std::unique_ptr<DatabaseSource> DatabaseSource::open(const QString &spec, const FetchRequest &request,
                                                     QString *error, int *exitCode) {
    Q_UNUSED(request);
    std::unique_ptr<DatabaseSource> s(new DatabaseSource);
    if (isUrl(spec)) {
        // Filled in by the central-store work (store/pgfetch).
        if (error)
            *error = QStringLiteral("%1: central stores are not supported by this build").arg(spec);
        if (exitCode)
            *exitCode = hil::ExitBadInput;
        return nullptr;
    }
    s->m_path = spec;
    s->m_display = spec;
    return s;
}
