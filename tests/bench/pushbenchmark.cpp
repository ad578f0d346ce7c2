#include "pushbenchmark.h"

#include "core/store/centralcolumns.h"
#include "reportbenchmark.h"
#include "support/postgresserver.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <algorithm>
#include <sqlite3.h>

namespace hilbench {

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

bool sql(const QString &db, const char *statement, QString *error) {
    sqlite3 *h = nullptr;
    const bool ok = sqlite3_open(db.toUtf8().constData(), &h) == SQLITE_OK
                    && sqlite3_exec(h, statement, nullptr, nullptr, nullptr) == SQLITE_OK;
    if (!ok)
        *error = QStringLiteral("%1: %2").arg(db, QString::fromUtf8(sqlite3_errmsg(h)));
    sqlite3_close(h);
    return ok;
}

} // namespace

bool runPushBenchmark(const PushOptions &o, QTextStream &out, QString *error) {
    const QString hil = qEnvironmentVariableIsSet("HIL")
                            ? qEnvironmentVariable("HIL")
                            : QCoreApplication::applicationDirPath() + QStringLiteral("/hil");
    QTemporaryDir dir(QStringLiteral("/tmp/hil-pushbench-XXXXXX"));
    hiltest::PostgresServer pg;
    if (!pg.ready()) {
        *error = QStringLiteral("PostgreSQL did not start: ") + pg.why();
        return false;
    }
    // The run to push, and a small other run whose push makes the central schema before the timing.
    const QString run = dir.filePath(QStringLiteral("run.db")),
                  seed = dir.filePath(QStringLiteral("seed.db"));
    ReportResult generated;
    if (!generateSoakDatabase(run, {o.steps, 0}, &generated, error)
        || !generateSoakDatabase(seed, {10, 0}, &generated, error)
        || !sql(seed, "UPDATE runs SET uuid = 'seed-0000-0000'", error))
        return false;
    // The same step results as CSV for psql, into the seed run (run id 1 of each fresh database), with ids
    // clear of the seed's; bytea as \x hex, as COPY's CSV wants it.
    const hil::CentralTable &t = hil::centralTable("step_results");
    QString columns = QStringLiteral("run_id, id"), select = QStringLiteral("SELECT 1, id + 100000000");
    for (const hil::CentralColumn &c : t.columns) {
        columns += QStringLiteral(", ") + QString::fromLatin1(c.name);
        select += c.type == hil::ColumnType::Blob
                      ? QStringLiteral(", CASE WHEN %1 IS NULL THEN NULL ELSE '\\x' || hex(%1) END")
                            .arg(QString::fromLatin1(c.name))
                      : QStringLiteral(", ") + QString::fromLatin1(c.name);
    }
    select += QStringLiteral(" FROM step_results");
    const QString csv = dir.filePath(QStringLiteral("step_results.csv"));
    {
        QProcess p;
        p.setStandardOutputFile(csv);
        p.start(QStringLiteral("sqlite3"), {QStringLiteral("-csv"), run, select});
        if (!p.waitForFinished(600000) || p.exitCode() != 0) {
            *error = QStringLiteral("sqlite3 -csv failed: ") + QString::fromUtf8(p.readAllStandardError());
            return false;
        }
    }
    const auto freshStore = [&](const QString &name) -> QString {
        if (!pg.psql(QStringLiteral("CREATE DATABASE %1").arg(name)))
            return {};
        const QString url = pg.url(name);
        const ReportTiming t0 = measureProcess(QStringLiteral("seed"), hil,
                                               {QStringLiteral("push"), QStringLiteral("--db"), seed,
                                                QStringLiteral("--to"), url, QStringLiteral("--quiet")});
        return t0.ok ? url : QString();
    };
    std::vector<double> hilSeconds, psqlSeconds;
    QString lastUrl;
    for (int r = 0; r < o.rounds; ++r) {
        for (int k = 0; k < 2; ++k) {
            const bool hilTurn = (r + k) % 2 == 0; // alternate who goes first
            const QString name = QStringLiteral("%1%2")
                                     .arg(hilTurn ? QStringLiteral("pushed") : QStringLiteral("copied"))
                                     .arg(r);
            const QString url = freshStore(name);
            if (url.isEmpty()) {
                *error = QStringLiteral("cannot make the database %1").arg(name);
                return false;
            }
            if (hilTurn) {
                const ReportTiming t1 =
                    measureProcess(QStringLiteral("hil push"), hil,
                                   {QStringLiteral("push"), QStringLiteral("--db"), run,
                                    QStringLiteral("--to"), url, QStringLiteral("--quiet")});
                if (!t1.ok) {
                    *error = QStringLiteral("hil push failed: ") + t1.detail;
                    return false;
                }
                hilSeconds.push_back(t1.seconds);
                lastUrl = url;
            } else {
                const ReportTiming t2 = measureProcess(
                    QStringLiteral("psql \\copy"), pg.binDirectory() + QStringLiteral("/psql"),
                    {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"),
                     QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-d"), url, QStringLiteral("-c"),
                     QStringLiteral("\\copy step_results(%1) FROM '%2' CSV").arg(columns, csv)});
                if (!t2.ok) {
                    *error = QStringLiteral("psql \\copy failed: ") + t2.detail;
                    return false;
                }
                psqlSeconds.push_back(t2.seconds);
            }
        }
    }
    // Reading it back: the report of the run from the store (fetched into a temporary file) and from its
    // file.
    QString out1;
    pg.psql(QStringLiteral("SELECT id FROM runs WHERE uuid <> 'seed-0000-0000'"), &out1,
            lastUrl.section(u'/', -1));
    const QString runId = out1.trimmed();
    // Each output twice, alternating: the summary (stdout) and --html to a file.
    const QString html = dir.filePath(QStringLiteral("report.html"));
    const QStringList outputs[2] = {{}, {QStringLiteral("--html"), html}};
    std::vector<double> fromStore[2], fromFile[2];
    qint64 storeRss[2] = {0, 0}, fileRss[2] = {0, 0};
    for (int r = 0; r < o.rounds; ++r) {
        for (int w = 0; w < 2; ++w) {
            const ReportTiming a =
                measureProcess(QStringLiteral("report store"), hil,
                               QStringList{QStringLiteral("report"), QStringLiteral("--db"), lastUrl,
                                           QStringLiteral("--run"), runId}
                                   + outputs[w]);
            const ReportTiming b = measureProcess(
                QStringLiteral("report file"), hil,
                QStringList{QStringLiteral("report"), QStringLiteral("--db"), run} + outputs[w]);
            if (!a.ok || !b.ok) {
                *error = QStringLiteral("hil report failed: %1 %2").arg(a.detail, b.detail);
                return false;
            }
            fromStore[w].push_back(a.seconds);
            fromFile[w].push_back(b.seconds);
            storeRss[w] = std::max(storeRss[w], a.peakRssKiB);
            fileRss[w] = std::max(fileRss[w], b.peakRssKiB);
        }
    }
    const double h = median(hilSeconds), p = median(psqlSeconds);
    out << "central store (PostgreSQL " << QString::number(pg.port()) << ", fsync off), " << o.steps
        << " step results, " << QFileInfo(run).size() / (1024 * 1024) << " MiB file, "
        << QFileInfo(csv).size() / (1024 * 1024) << " MiB CSV, median of " << o.rounds << " rounds\n";
    out << QStringLiteral("  hil push (whole run, one transaction)   %1 s   %2 rows/s\n")
               .arg(h, 0, 'f', 2)
               .arg(o.steps / h, 0, 'f', 0);
    out << QStringLiteral("  psql \\copy of the same rows from CSV    %1 s   %2 rows/s\n")
               .arg(p, 0, 'f', 2)
               .arg(o.steps / p, 0, 'f', 0);
    out << QStringLiteral("  ratio (psql time / hil time; goal >= 0.8) %1\n").arg(p / h, 0, 'f', 2);
    for (int w = 0; w < 2; ++w) {
        const char *what = w == 0 ? "        " : " --html ";
        const double s = median(fromStore[w]), f = median(fromFile[w]);
        out << QStringLiteral("  hil report%1from the store   %2 s  peak %3 MiB\n")
                   .arg(QLatin1String(what))
                   .arg(s, 0, 'f', 2)
                   .arg(storeRss[w] / 1024);
        out << QStringLiteral("  hil report%1from the file    %2 s  peak %3 MiB\n")
                   .arg(QLatin1String(what))
                   .arg(f, 0, 'f', 2)
                   .arg(fileRss[w] / 1024);
        out << QStringLiteral("  ratio (store / file)%1       %2\n")
                   .arg(QLatin1String(what))
                   .arg(s / f, 0, 'f', 2);
    }
    return true;
}

} // namespace hilbench
