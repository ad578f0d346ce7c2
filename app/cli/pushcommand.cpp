#include "pushcommand.h"

#include "commandline.h"
#include "core/base/verdict.h"
#include "core/store/pgconnection.h"
#include "core/store/runpush.h"

#include <QCommandLineParser>
#include <QTextStream>
#include <chrono>

namespace {

struct PushOutcome {
    int exitCode = hil::ExitPass;
    QString message;
    hil::PushResult result;
};

PushOutcome push(const QString &dbPath, const QString &url, std::chrono::milliseconds timeout,
                 const std::function<void(const QString &)> &progress) {
    PushOutcome o;
    hil::PgConnection::Failure failure{};
    const auto pg = hil::PgConnection::connect(url, timeout, &o.message, &failure);
    if (!pg) {
        o.exitCode = failure == hil::PgConnection::Failure::BadUrl ? hil::ExitBadInput : hil::ExitError;
        return o;
    }
    switch (hil::pushRuns(dbPath, *pg, &o.result, &o.message, progress)) {
    case hil::PushStatus::Done:
        o.exitCode = hil::ExitPass;
        break;
    case hil::PushStatus::BadFile:
        o.exitCode = hil::ExitBadInput;
        break;
    case hil::PushStatus::Failed:
    case hil::PushStatus::NewerCentral:
        o.exitCode = hil::ExitError;
        break;
    }
    return o;
}

QString summary(const hil::PushResult &r, const QString &to) {
    QString s = QStringLiteral("%1 run(s) pushed to %2 (%3 rows), %4 already there")
                    .arg(r.pushed)
                    .arg(to)
                    .arg(r.rows)
                    .arg(r.present);
    if (r.stillRunning)
        s += QStringLiteral(", %1 still being recorded (pushed once ended)").arg(r.stillRunning);
    if (r.undecided)
        s += QStringLiteral(
                 ", %1 unfinished from a file too old to tell whether its writer lives (schema < 3): "
                 "not pushed")
                 .arg(r.undecided);
    return s;
}

} // namespace

int pushCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Send every run of a results file that a central store (PostgreSQL) lacks, one transaction per run:\n"
        "pushing again adds nothing, and a push cut off leaves no partial run (push again to complete).\n"
        "Exit codes: 0 done, 2 bad input (URL, file), 3 the server refused, went away or is newer."));
    p.addHelpOption();
    p.addOption({QStringLiteral("db"), QStringLiteral("Results database (SQLite) to push from."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("to"),
                 QStringLiteral("The central store: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (libpq URL; "
                                "PGPASSWORD and ~/.pgpass work too)."),
                 QStringLiteral("URL")});
    p.addOption({QStringLiteral("timeout"),
                 QStringLiteral("Give up when the server says nothing for this many seconds (default 60)."),
                 QStringLiteral("S"), QStringLiteral("60")});
    p.addOption({QStringLiteral("quiet"), QStringLiteral("Only errors.")});
    if (const auto code = parseCommandLine(p, args))
        return *code;
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!p.isSet(QStringLiteral("db")) || !p.isSet(QStringLiteral("to"))) {
        err << commandHelp(p, args.value(0));
        return hil::ExitBadInput;
    }
    bool ok = false;
    const double seconds = p.value(QStringLiteral("timeout")).toDouble(&ok);
    if (!ok || seconds <= 0) {
        err << "hil push: --timeout '" << p.value(QStringLiteral("timeout"))
            << "' is not a positive number of seconds\n";
        return hil::ExitBadInput;
    }
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    const QString url = p.value(QStringLiteral("to"));
    const auto o = push(p.value(QStringLiteral("db")), url, std::chrono::milliseconds(qint64(seconds * 1000)),
                        [&](const QString &line) {
                            if (!quiet)
                                out << line << '\n' << Qt::flush;
                        });
    if (o.exitCode != hil::ExitPass) {
        err << "hil push: " << o.message << '\n';
        return o.exitCode;
    }
    if (!quiet)
        out << summary(o.result, hil::PgConnection::redacted(url)) << '\n';
    return hil::ExitPass;
}

bool pushAfterRun(const QString &dbPath, const QString &url, QTextStream &err) {
    const auto o = push(dbPath, url, std::chrono::seconds(60), {});
    if (o.exitCode != hil::ExitPass) {
        err << "hil run: the run is recorded in " << dbPath << " but was not pushed: " << o.message
            << "\nhil run: the next push (hil push --db " << dbPath
            << " --to URL, or the next hil run --push) "
            << "sends it; the run's verdict stands\n";
        return false;
    }
    err << "hil run: " << summary(o.result, hil::PgConnection::redacted(url)) << '\n';
    return true;
}
