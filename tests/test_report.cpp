#define BOOST_TEST_MODULE report
#include "core/analysis/failureclusters.h"
#include "core/analysis/runstatistics.h"
#include "core/analysis/whatbroke.h"
#include "core/export/atomicfile.h"
#include "core/export/csvexport.h"
#include "core/export/junitreport.h"
#include "core/store/recorder.h"
#include "core/store/runquery.h"
#include "core/store/schema.h"
#include "core/store/steprollup.h"
#include "report/chartselection.h"
#include "report/htmlreport.h"
#include "report/pdfreport.h"
#include "report/reportmodel.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>

// The rendered reports as a reader gets them: the HTML report's sections and charts, hostile device strings
// kept inert (checked in the markup and, when Chromium is installed, in the DOM a browser builds), the PDF's
// pages and text (poppler's pdftotext), and `hil report` / `hil compare` end to end.

namespace {

// QCustomPlot is a QWidget: a QApplication, offscreen, for the whole module.
struct OffscreenApplication {
    OffscreenApplication() {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QApplication>(argc, argv);
    }
    int argc = 1;
    char arg0[8] = "report";
    char *argv[2] = {arg0, nullptr};
    std::unique_ptr<QApplication> app;
};
BOOST_TEST_GLOBAL_FIXTURE(OffscreenApplication);

// The fixed runs of data/report, plus run 3: run 1 again an hour later, three times slower.
struct Fixture {
    QTemporaryDir dir;
    QString db;
    Fixture() {
        BOOST_REQUIRE(dir.isValid());
        db = dir.filePath(QStringLiteral("results.db"));
        sqlite3 *h = nullptr;
        BOOST_REQUIRE(sqlite3_open(db.toUtf8().constData(), &h) == SQLITE_OK);
        QString error;
        BOOST_REQUIRE(hil::prepareDatabase(h, &error));
        QFile f(QStringLiteral(HIL_TEST_DATA_DIR "/report/fixed-runs.sql"));
        BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
        QByteArray sql = f.readAll();
        sql += "INSERT INTO runs (id, uuid, scenario, scenario_path, fixture, fixture_path, station, "
               "dut_serial, firmware,"
               " host, seed, started_at_ns, ended_at_ns, duration_ns, verdict, reason, iterations, n_pass, "
               "n_fail, n_error,"
               " n_abort, n_marginal) SELECT 3, 'ffffffff-0000-4000-8000-000000000003', scenario, "
               "scenario_path, fixture,"
               " fixture_path, station, dut_serial, '1.1.0', host, seed, started_at_ns + 3600000000000,"
               " ended_at_ns + 3600000000000, duration_ns, verdict, reason, iterations, n_pass, n_fail, "
               "n_error, n_abort,"
               " n_marginal FROM runs WHERE id = 1;"
               "INSERT INTO step_results (run_id, phase, iteration, step_index, repetition, step, device, "
               "start_ns, end_ns,"
               " latency_ns, lateness_ns, verdict, marginal, message, response) SELECT 3, phase, iteration, "
               "step_index,"
               " repetition, step, device, start_ns, end_ns, latency_ns * 3, lateness_ns, verdict, marginal, "
               "message,"
               " response FROM step_results WHERE run_id = 1 ORDER BY id;";
        char *msg = nullptr;
        BOOST_REQUIRE_MESSAGE(sqlite3_exec(h, sql.constData(), nullptr, nullptr, &msg) == SQLITE_OK,
                              (msg ? msg : "?"));
        sqlite3_close(h);
    }
    QString path(const char *name) const { return dir.filePath(QString::fromLatin1(name)); }

    hil::RunStatistics stats(qint64 run) const {
        QString error;
        const auto q = hil::RunQuery::open(db, &error);
        BOOST_REQUIRE(q);
        const auto s = hil::computeRunStatistics(*q, run, {}, &error);
        BOOST_REQUIRE_MESSAGE(s, error.toStdString());
        return *s;
    }
    QString html(qint64 run) const {
        const hil::RunStatistics s = stats(run);
        return hil::report::renderHtmlReport(hil::report::buildReportModel(s, nullptr, db), s);
    }
};

struct Result {
    int code = -1;
    QString out, err;
};

Result run(const QString &program, const QStringList &args, int timeoutMs = 120000) {
    QProcess p;
    p.start(program, args);
    Result r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

const QString kHil = QStringLiteral(HIL_BIN_DIR "/hil");

QString tool(const char *name) {
    const QString path = QStandardPaths::findExecutable(QString::fromLatin1(name));
    BOOST_REQUIRE_MESSAGE(!path.isEmpty(), name << " is not installed (cmake/setup.sh installs it)");
    return path;
}

} // namespace

BOOST_AUTO_TEST_CASE(html_report_has_its_sections) {
    Fixture f;
    const QString h = f.html(1);
    // The verdict and the worst problem come first.
    const qsizetype banner = h.indexOf(
        QStringLiteral("<section class=\"banner b-bad\" id=\"verdict\"><div class=\"v\">FAIL</div>"));
    BOOST_REQUIRE_GE(banner, 0);
    BOOST_CHECK_EQUAL(
        h.indexOf(QStringLiteral("&#39;aux&#39; did not recover after the cut fault at 00:00:05.200")),
        h.indexOf(QStringLiteral("<div class=\"h\">")) + 15);
    for (const char *id : {"steps", "charts", "latency-time", "latency-histogram", "availability",
                           "measurements", "measurement-0", "faults", "failures", "events"})
        BOOST_CHECK_MESSAGE(h.contains(QStringLiteral("id=\"%1\"").arg(QString::fromLatin1(id))), id);
    BOOST_CHECK_GT(h.indexOf(QStringLiteral("id=\"steps\"")), banner);
    // The header.
    for (const char *text :
         {"<h1>fixed</h1>", "<dt>Fixture</dt><dd>bench (fixtures/bench.yaml)</dd>",
          "<dt>Station</dt><dd>station-1</dd>", "<dt>DUT serial</dt><dd class=\"mono\">SN0001</dd>",
          "<dt>Firmware</dt><dd class=\"mono\">1.0.0</dd>", "<dt>Seed</dt><dd class=\"mono\">42</dd>",
          "<dt>Started</dt><dd>2026-09-21 14:13:20 UTC</dd>", "<dt>Duration</dt><dd>10s</dd>"})
        BOOST_CHECK_MESSAGE(h.contains(QString::fromUtf8(text)), text);
    // Tiles, the step table with its percentiles, the failures with the device's answers.
    for (const char *text : {">Availability<", ">66.7 %<", ">Latency p95<", ">Longest failure streak<",
                             ">read · flaky</td>", "<td class=\"n\">5.00</td><td class=\"n\">9.00</td>",
                             "<code class=\"ans\">ERR <span class=\"esc\">\\xff</span><span "
                             "class=\"esc\">\\x1b</span>[2J</code>",
                             "answered after 4.00 ms", ">link blackout (both)<", ">506ms<", ">never<"})
        BOOST_CHECK_MESSAGE(h.contains(QString::fromUtf8(text)), text);
    // Charts are embedded PNGs at twice their size; nothing is loaded from elsewhere.
    const QRegularExpression img(QStringLiteral("<img width=\"(\\d+)\" height=\"(\\d+)\" alt=\"[^\"]*\" "
                                                "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\">"));
    int images = 0;
    for (auto it = img.globalMatch(h); it.hasNext();) {
        const auto m = it.next();
        QImage png;
        BOOST_REQUIRE(png.loadFromData(QByteArray::fromBase64(m.captured(3).toLatin1()), "PNG"));
        BOOST_CHECK_EQUAL(png.width(), 2 * m.captured(1).toInt());
        BOOST_CHECK_EQUAL(png.height(), 2 * m.captured(2).toInt());
        ++images;
    }
    BOOST_CHECK_EQUAL(images, 4);
    BOOST_CHECK(!h.contains(QStringLiteral("http:")) && !h.contains(QStringLiteral("https:")));
    BOOST_CHECK(!h.contains(QStringLiteral("<link")) && !h.contains(QStringLiteral("<script")));
    BOOST_CHECK(h.contains(QStringLiteral("Content-Security-Policy\" content=\"default-src 'none'")));
}

BOOST_AUTO_TEST_CASE(hostile_strings_stay_inert_text) {
    Fixture f;
    const QString h = f.html(2);
    for (const char *raw : {"<script", "<svg", "<img src=x", "<iframe", "<blink", "<b>reason", "<b>blackout",
                            "host</footer>", "\"'><", "dev</td>", "</pre><script"})
        BOOST_CHECK_MESSAGE(!h.contains(QString::fromLatin1(raw), Qt::CaseInsensitive), "raw " << raw);
    for (const char *escaped :
         {"&lt;script&gt;alert(&quot;scenario&quot;)&lt;/script&gt;",
          "&quot;&#39;&gt;&lt;svg onload=alert(3)&gt;",
          "bench&#39;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", "SN&lt;1&gt;&amp;amp;", "1.0\\x1b[31mRED",
          "st\\x07ation", "dev&lt;/td&gt;&lt;td&gt;", "evil\\u{202E}txt",
          "&lt;iframe src=&quot;javascript:alert(6)&quot;&gt;&lt;/iframe&gt;\\x00after-nul",
          "<span class=\"esc\">\\x00</span><span class=\"esc\">\\x01</span><span "
          "class=\"esc\">\\x1b</span>[2J",
          "t&lt;i&gt; [°C&quot;]"})
        BOOST_CHECK_MESSAGE(h.contains(QString::fromUtf8(escaped)), "escaped " << escaped);
    // No control character or invisible reordering survives into the file.
    for (QChar c : h) {
        const char16_t u = c.unicode();
        BOOST_REQUIRE_MESSAGE(u == u'\n' || u >= 0x20, "control character " << int(u));
        BOOST_REQUIRE_MESSAGE(u != 0x202E && u != 0x7F, "character " << int(u));
    }

    // What a browser makes of it: no element from the data, and the page's only images are the charts.
    const QString chromium = QStandardPaths::findExecutable(QStringLiteral("chromium"));
    if (chromium.isEmpty()) {
        BOOST_TEST_MESSAGE("chromium not installed: the DOM check is skipped (cmake/setup.sh installs it)");
        return;
    }
    const QString file = f.path("hostile.html");
    QString error;
    const hil::RunStatistics s = f.stats(2);
    BOOST_REQUIRE(
        hil::report::writeHtmlReport(hil::report::buildReportModel(s, nullptr, f.db), s, file, &error));
    const Result r =
        run(chromium,
            {QStringLiteral("--headless"), QStringLiteral("--no-sandbox"), QStringLiteral("--disable-gpu"),
             QStringLiteral("--no-first-run"), QStringLiteral("--disable-background-networking"),
             QStringLiteral("--disable-component-update"), QStringLiteral("--disable-sync"),
             QStringLiteral("--user-data-dir=") + f.path("chromium-profile"), QStringLiteral("--dump-dom"),
             QStringLiteral("file://") + file});
    BOOST_REQUIRE_MESSAGE(r.code == 0 && r.out.contains(QStringLiteral("</html>")), r.err.toStdString());
    BOOST_CHECK(!r.out.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    BOOST_CHECK(!r.out.contains(QStringLiteral("<svg"), Qt::CaseInsensitive));
    BOOST_CHECK(!r.out.contains(QStringLiteral("<iframe"), Qt::CaseInsensitive));
    BOOST_CHECK(!r.out.contains(QStringLiteral("<img src=\"x\""), Qt::CaseInsensitive));
    BOOST_CHECK(!r.out.contains(QStringLiteral("<blink"), Qt::CaseInsensitive));
    BOOST_CHECK(r.out.contains(QStringLiteral("&lt;script&gt;alert(\"scenario\")&lt;/script&gt;")));
}

BOOST_AUTO_TEST_CASE(pdf_holds_the_pages_and_text) {
    Fixture f;
    QString error;
    for (qint64 runId : {1, 2}) {
        const hil::RunStatistics s = f.stats(runId);
        const QString pdf = f.path(runId == 1 ? "run1.pdf" : "run2.pdf");
        BOOST_REQUIRE_MESSAGE(
            hil::report::writePdfReport(hil::report::buildReportModel(s, nullptr, f.db), s, pdf, &error),
            error.toStdString());
        const Result info = run(tool("pdfinfo"), {pdf});
        BOOST_REQUIRE_EQUAL(info.code, 0);
        const QRegularExpression pagesRe(QStringLiteral("Pages:\\s+(\\d+)"));
        const int pages = pagesRe.match(info.out).captured(1).toInt();
        BOOST_CHECK(info.out.contains(QStringLiteral("A4")));
        const Result text = run(tool("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
        BOOST_REQUIRE_EQUAL(text.code, 0);
        // Compared without white space: a long answer wraps inside its table cell.
        QString t = text.out;
        t.remove(QRegularExpression(QStringLiteral("\\s+")));
        const auto has = [&t](const char *needle) {
            return t.contains(QString::fromUtf8(needle).remove(QRegularExpression(QStringLiteral("\\s+"))));
        };
        BOOST_CHECK_MESSAGE(t.contains(QStringLiteral("page%1of%1").arg(pages)), "last page footer");
        if (runId == 1) {
            BOOST_CHECK_GE(pages, 3);
            for (const char *s1 :
                 {"FAIL", "fixed", "'aux' did not recover after the cut fault at 00:00:05.200", "Steps",
                  "Latency over time", "Latency distribution", "Availability", "Measurements",
                  "t [degC] over time", "Faults", "Failures", "Event log", "ERR \\xff\\x1b[2J",
                  "no match for ^TEMP", "SN0001", "page 1 of"})
                BOOST_CHECK_MESSAGE(has(s1), s1);
            // Charts are vectors: the PDF carries no raster image.
            const Result images = run(tool("pdfimages"), {QStringLiteral("-list"), pdf});
            BOOST_CHECK_EQUAL(images.code, 0);
            BOOST_CHECK_EQUAL(images.out.trimmed().split(u'\n').size(), 2); // the header lines only
        } else {
            for (const char *s2 : {"<script>alert(\"scenario\")</script>", "1.0\\x1b[31mRED",
                                   "alert(5)</script>\\x00", "\\x01\\x1b[2J\\xff"})
                BOOST_CHECK_MESSAGE(has(s2), s2);
        }
    }
}

BOOST_AUTO_TEST_CASE(hil_report_writes_every_output) {
    Fixture f;
    const Result r =
        run(kHil, {QStringLiteral("report"), QStringLiteral("--db"), f.db, QStringLiteral("--run"),
                   QStringLiteral("1"), QStringLiteral("--html"), f.path("r.html"), QStringLiteral("--pdf"),
                   f.path("r.pdf"), QStringLiteral("--json"), f.path("r.json"), QStringLiteral("--junit"),
                   f.path("junit.xml"), QStringLiteral("--csv"), f.path("csv")});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err.toStdString());
    for (const char *file : {"r.html", "r.pdf", "r.json", "junit.xml", "csv/steps.csv", "csv/samples.csv"})
        BOOST_CHECK_MESSAGE(QFile(f.path(file)).size() > 100, file);
    for (const auto &[what, file] : {std::pair{"html", "r.html"},
                                     {"pdf", "r.pdf"},
                                     {"json", "r.json"},
                                     {"junit", "junit.xml"},
                                     {"csv", "csv"}})
        BOOST_CHECK_MESSAGE(
            r.out.contains(QStringLiteral("%1: %2\n").arg(QString::fromLatin1(what), f.path(file))), what);
    QFile junit(f.path("junit.xml"));
    BOOST_REQUIRE(junit.open(QIODevice::ReadOnly));
    QXmlStreamReader x(&junit);
    int cases = 0;
    while (!x.atEnd())
        cases += x.readNext() == QXmlStreamReader::StartElement && x.name() == u"testcase";
    BOOST_CHECK(!x.hasError());
    BOOST_CHECK_EQUAL(cases, 2);

    // Without an output: a summary on the terminal.
    const Result summary = run(kHil, {QStringLiteral("report"), QStringLiteral("--db"), f.db,
                                      QStringLiteral("--run"), QStringLiteral("aaaaaaaa")});
    BOOST_CHECK_EQUAL(summary.code, 0);
    BOOST_CHECK(summary.out.startsWith(QStringLiteral("FAIL  fixed  run 1")));
    BOOST_CHECK(summary.out.contains(QStringLiteral("critical 'aux' did not recover")));
    BOOST_TEST(summary.out.contains(QStringLiteral("\nwhat broke\n  First failure: FAIL of 'read' on")),
               summary.out.toStdString());
    BOOST_TEST(summary.out.contains(QStringLiteral("\n  When: ")), summary.out.toStdString());
    // Bad input.
    BOOST_CHECK_EQUAL(run(kHil, {QStringLiteral("report"), QStringLiteral("--db"), f.db,
                                 QStringLiteral("--run"), QStringLiteral("9")})
                          .code,
                      2);
    BOOST_CHECK_EQUAL(
        run(kHil, {QStringLiteral("report"), QStringLiteral("--db"), f.path("missing.db")}).code, 2);
    BOOST_CHECK_EQUAL(run(kHil, {QStringLiteral("report")}).code, 2);
    const Result self =
        run(kHil, {QStringLiteral("report"), QStringLiteral("--db"), f.db, QStringLiteral("--run"),
                   QStringLiteral("1"), QStringLiteral("--baseline"), QStringLiteral("1")});
    BOOST_CHECK_EQUAL(self.code, 2);
    BOOST_CHECK(self.err.contains(QStringLiteral("itself")));
    // A directory that does not exist is bad input, found before the database is read.
    const Result unwritable = run(kHil, {QStringLiteral("report"), QStringLiteral("--db"), f.db,
                                         QStringLiteral("--html"), f.path("no/such/dir/r.html")});
    BOOST_CHECK_EQUAL(unwritable.code, 2);
    BOOST_CHECK(unwritable.err.contains(QStringLiteral("does not exist")));
}

BOOST_AUTO_TEST_CASE(baseline_comparison_in_the_report_and_hil_compare) {
    Fixture f;
    const Result r =
        run(kHil, {QStringLiteral("report"), QStringLiteral("--db"), f.db, QStringLiteral("--run"),
                   QStringLiteral("3"), QStringLiteral("--baseline"), QStringLiteral("previous"),
                   QStringLiteral("--html"), f.path("b.html"), QStringLiteral("--json"), f.path("b.json")});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err.toStdString());
    QFile html(f.path("b.html"));
    BOOST_REQUIRE(html.open(QIODevice::ReadOnly));
    const QString h = QString::fromUtf8(html.readAll());
    BOOST_CHECK(h.contains(QStringLiteral("<h2 id=\"baseline\">Against baseline run 1</h2>")));
    BOOST_CHECK(h.contains(QStringLiteral("REGRESSION: p50 5.00 ms -&gt; 15.0 ms (+200.0 %)")));
    BOOST_CHECK(h.contains(QStringLiteral("Regression in &#39;read&#39; against run 1")));
    QFile json(f.path("b.json"));
    BOOST_REQUIRE(json.open(QIODevice::ReadOnly));
    BOOST_CHECK(json.readAll().contains("\"regressions\": 2"));

    const Result c = run(kHil, {QStringLiteral("compare"), QStringLiteral("--db"), f.db, QStringLiteral("1"),
                                QStringLiteral("3")});
    BOOST_CHECK_EQUAL(c.code, 1);
    BOOST_CHECK(c.out.contains(QStringLiteral("baseline   run 1  FAIL  fixed  firmware 1.0.0")));
    BOOST_CHECK(c.out.contains(QStringLiteral("candidate  run 3  FAIL  fixed  firmware 1.1.0")));
    BOOST_CHECK(c.out.contains(QStringLiteral("REGRESSION: p50 5.00 ms -> 15.0 ms (+200.0 %)")));
    BOOST_CHECK(c.out.contains(QStringLiteral("2 steps regressed")));
    const Result same = run(kHil, {QStringLiteral("compare"), QStringLiteral("--db"), f.db,
                                   QStringLiteral("3"), QStringLiteral("1")});
    BOOST_CHECK_EQUAL(same.code, 0); // faster is no regression
    BOOST_CHECK_EQUAL(
        run(kHil, {QStringLiteral("compare"), QStringLiteral("--db"), f.db, QStringLiteral("1")}).code, 2);
}

namespace {

QByteArray readAll(const QString &path) {
    QFile f(path);
    BOOST_REQUIRE_MESSAGE(f.open(QIODevice::ReadOnly), path.toStdString());
    return f.readAll();
}

// A report's bytes with the moment it was made ("report made 2026-… UTC") masked: the only thing that may
// differ between two writings of one run's report.
QByteArray withoutGenerationTime(QByteArray bytes) {
    static const QRegularExpression made(
        QStringLiteral("report made \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"));
    return QString::fromUtf8(bytes).replace(made, QStringLiteral("report made (time)")).toUtf8();
}

} // namespace

// One writer per format, all from the store: the reports `hil run` writes at the end of a run and those
// `hil report` writes later for the same run are the same files. The shipped scenario whose run-time JUnit
// once counted a failure during a fault window while the run PASSed is the case in point.
BOOST_AUTO_TEST_CASE(run_time_and_later_reports_are_identical) {
    QTemporaryDir dir;
    BOOST_REQUIRE(dir.isValid());
    const auto at = [&dir](const QString &name) { return dir.filePath(name); };
    QDir().mkpath(at(QStringLiteral("run")));
    QDir().mkpath(at(QStringLiteral("later")));
    const QString db = at(QStringLiteral("results.db"));
    const auto outputs = [&at](const QString &sub) {
        return QStringList{QStringLiteral("--junit"), at(sub + QStringLiteral("/junit.xml")),
                           QStringLiteral("--json"),  at(sub + QStringLiteral("/summary.json")),
                           QStringLiteral("--csv"),   at(sub + QStringLiteral("/csv")),
                           QStringLiteral("--html"),  at(sub + QStringLiteral("/report.html")),
                           QStringLiteral("--pdf"),   at(sub + QStringLiteral("/report.pdf"))};
    };
    const Result ran =
        run(kHil, QStringList{QStringLiteral("run"),
                              QStringLiteral(HIL_SOURCE_DIR "/scenarios/network-loss-recovery.yaml"),
                              QStringLiteral("--fixture"),
                              QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
                              QStringLiteral("--db"), db, QStringLiteral("--quiet")}
                      + outputs(QStringLiteral("run")));
    BOOST_REQUIRE_MESSAGE(ran.code == 0 || ran.code == 1, ran.err.toStdString());
    const Result later =
        run(kHil, QStringList{QStringLiteral("report"), QStringLiteral("--db"), db, QStringLiteral("--run"),
                              QStringLiteral("latest"), QStringLiteral("--quiet")}
                      + outputs(QStringLiteral("later")));
    BOOST_REQUIRE_MESSAGE(later.code == 0, later.err.toStdString());

    QStringList files{QStringLiteral("junit.xml"), QStringLiteral("summary.json"),
                      QStringLiteral("report.html")};
    for (const QString &csv : QDir(at(QStringLiteral("run/csv"))).entryList(QDir::Files))
        files << QStringLiteral("csv/") + csv;
    BOOST_TEST(files.size() == 3 + 7); // the seven CSV tables
    for (const QString &name : files) {
        const QByteArray a = withoutGenerationTime(readAll(at(QStringLiteral("run/") + name)));
        const QByteArray b = withoutGenerationTime(readAll(at(QStringLiteral("later/") + name)));
        BOOST_TEST(a.size() > 0, name.toStdString());
        BOOST_TEST((a == b), name.toStdString() << " differs between hil run and hil report");
    }
    // A PDF compresses its pages and stamps its creation time, so it is compared as the text a reader sees.
    const QString pdftotext = tool("pdftotext");
    const auto pdfText = [&](const QString &sub) {
        const Result t = run(pdftotext, {QStringLiteral("-layout"), at(sub + QStringLiteral("/report.pdf")),
                                         QStringLiteral("-")});
        BOOST_REQUIRE_EQUAL(t.code, 0);
        return withoutGenerationTime(t.out.toUtf8());
    };
    const QByteArray pdfRun = pdfText(QStringLiteral("run"));
    BOOST_TEST(pdfRun.contains("network-loss-recovery"));
    BOOST_TEST((pdfRun == pdfText(QStringLiteral("later"))));

    // The JUnit file follows the run's verdict: failures during a fault the device recovered from are
    // expected, not <failure>s of a passing run.
    const QByteArray junit = readAll(at(QStringLiteral("run/junit.xml")));
    if (ran.code == 0)
        BOOST_TEST(!junit.contains("<failure"), junit.toStdString());
}

// The one way report files are written: whole or not at all, the file it replaces kept as it was on failure.
BOOST_AUTO_TEST_CASE(atomic_file_replaces_whole_or_leaves_the_target_alone) {
    QTemporaryDir dir;
    const QString target = dir.filePath(QStringLiteral("r.json"));
    QString error;
    BOOST_REQUIRE(hil::AtomicFile::writeWhole(target, "old\n", &error));
    BOOST_REQUIRE(::chmod(QFile::encodeName(target).constData(), 0640) == 0);
    BOOST_REQUIRE(hil::AtomicFile::writeWhole(target, "new\n", &error));
    QFile f(target);
    BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
    BOOST_TEST(f.readAll().toStdString() == "new\n");
    struct stat st {};
    BOOST_REQUIRE(::stat(QFile::encodeName(target).constData(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0640u, "the permissions of the file replaced are kept");

    // Nowhere to write: the error names the file and the cause.
    const QString nowhere = dir.filePath(QStringLiteral("missing/r.json"));
    BOOST_TEST(!hil::AtomicFile::writeWhole(nowhere, "x", &error));
    BOOST_TEST(error.startsWith(QStringLiteral("cannot write ") + nowhere), error.toStdString());
    BOOST_TEST(error.contains(QStringLiteral("No such file or directory")), error.toStdString());

    // Not committed: nothing appears, and no temporary file stays.
    {
        hil::AtomicFile unfinished(dir.filePath(QStringLiteral("never.xml")));
        BOOST_REQUIRE(unfinished.open());
        BOOST_REQUIRE(unfinished.write("half"));
    }
    BOOST_TEST(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).join(u',').toStdString() == "r.json");

    // A full disk for real (a 16 KiB tmpfs): the old file stays whole, the new one is refused with ENOSPC.
    QTemporaryDir small;
    if (::mount("tmpfs", QFile::encodeName(small.path()).constData(), "tmpfs", 0UL, "size=16k") != 0) {
        BOOST_TEST_MESSAGE("full-disk case skipped: cannot mount a tmpfs (" << std::strerror(errno) << ")");
        return;
    }
    const QString onSmall = small.filePath(QStringLiteral("junit.xml"));
    BOOST_TEST(hil::AtomicFile::writeWhole(onSmall, "<old/>\n", &error), error.toStdString());
    BOOST_TEST(!hil::AtomicFile::writeWhole(onSmall, QByteArray(64 * 1024, 'x'), &error));
    BOOST_TEST(error.contains(QStringLiteral("No space left on device")), error.toStdString());
    BOOST_TEST(error.contains(onSmall), error.toStdString());
    QFile old(onSmall);
    BOOST_REQUIRE(old.open(QIODevice::ReadOnly));
    BOOST_TEST(old.readAll().toStdString() == "<old/>\n");
    BOOST_TEST(QDir(small.path()).entryList(QDir::Files | QDir::Hidden).join(u',').toStdString()
               == "junit.xml");
    ::umount2(QFile::encodeName(small.path()).constData(), MNT_DETACH);
}

namespace {

// A run with a voltage sweep (V over 3, 3.3 and 5 against two loads, two readings a point) and a step
// that passes on its third try, recorded through the real Recorder into a SQLite file, as the runner
// would record what the loader expands.
struct SweptRun {
    QTemporaryDir dir;
    QString db;
    hil::RunStatistics stats;

    SweptRun() {
        BOOST_REQUIRE(dir.isValid());
        db = dir.filePath(QStringLiteral("sweep.db"));
        QString error;
        auto rec = hil::Recorder::open(db, &error);
        BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
        hil::RunHeader h;
        h.uuid = QStringLiteral("5eeb0000-0000-4000-8000-000000000001");
        h.scenario = QStringLiteral("psu sweep");
        h.fixture = QStringLiteral("bench");
        h.startedAtNs = 1'790'000'000'000'000'000LL;
        rec->runStarted(h);
        hil::RunCounts counts;
        qint64 t = 0;
        int index = 0;
        const auto step = [&](const QString &name, const hil::Bindings &b, double value, int attempt,
                              bool retried, hil::Verdict v) {
            hil::StepResult r;
            r.stepIndex = index;
            r.step = name;
            r.device = QStringLiteral("psu");
            r.startNs = t;
            r.endNs = t + 1'000'000;
            r.latencyNs = 800'000;
            t += 2'000'000;
            r.verdict = v;
            r.attempt = attempt;
            r.retried = retried;
            r.bindings = b;
            r.response = QByteArray::number(value);
            hil::MeasurementResult m;
            m.name = QStringLiteral("vout");
            m.unit = QStringLiteral("V");
            m.value = value;
            m.limits = {0.0, 4.5};
            m.verdict = value <= 4.5 ? hil::Verdict::Pass : hil::Verdict::Fail;
            r.measurements.append(m);
            if (v == hil::Verdict::Fail)
                r.message = QStringLiteral("vout = %1 V outside limits [0, 4.5]").arg(value);
            counts.add(r);
            rec->stepFinished(r);
        };
        for (const QString &load : {QStringLiteral("light"), QStringLiteral("heavy")}) {
            for (double v : {5.0, 3.0, 3.3}) { // swept out of order: the chart sorts by value
                const hil::Bindings b{{QStringLiteral("V"), QVariant(v)},
                                      {QStringLiteral("load"), QVariant(load)}};
                const QString name = QStringLiteral("measure vout [%1]").arg(hil::bindingsText(b));
                const double drop = load == u"heavy" ? 0.2 : 0.0;
                for (int rep = 0; rep < 2; ++rep) {
                    const double value = v - drop + (rep == 0 ? -0.01 : 0.01);
                    step(name, b, value, 1, false, value <= 4.5 ? hil::Verdict::Pass : hil::Verdict::Fail);
                }
                ++index;
            }
        }
        // Passes on its third try; the retried tries measured far outside the limits.
        const hil::Bindings none;
        step(QStringLiteral("settle"), none, 9.0, 1, true, hil::Verdict::Fail);
        step(QStringLiteral("settle"), none, 7.0, 2, true, hil::Verdict::Fail);
        step(QStringLiteral("settle"), none, 3.3, 3, false, hil::Verdict::Pass);
        hil::RunSummary summary;
        summary.verdict = hil::Verdict::Fail;
        summary.counts = counts;
        summary.endedWallNs = h.startedAtNs + t;
        summary.durationNs = t;
        rec->runFinished(summary);
        BOOST_REQUIRE(rec->close());

        const auto q = hil::RunQuery::open(db, &error);
        BOOST_REQUIRE_MESSAGE(q, error.toStdString());
        const auto s = hil::computeRunStatistics(*q, 1, {}, &error);
        BOOST_REQUIRE_MESSAGE(s, error.toStdString());
        stats = *s;
    }
    QString path(const char *name) const { return dir.filePath(QString::fromLatin1(name)); }
};

QString readText(const QString &path) {
    QFile f(path);
    BOOST_REQUIRE_MESSAGE(f.open(QIODevice::ReadOnly), path.toStdString());
    return QString::fromUtf8(f.readAll());
}

} // namespace

BOOST_AUTO_TEST_CASE(swept_rows_give_a_sweep_with_the_right_points) {
    const SweptRun r;
    const hil::RunStatistics &s = r.stats;
    BOOST_CHECK_EQUAL(s.run.retried, 2);
    BOOST_CHECK_EQUAL(s.retriedCount, 2);
    BOOST_REQUIRE_EQUAL(s.sweeps.size(), 1);
    const hil::SweepStatistics &sw = s.sweeps.first();
    BOOST_CHECK(sw.measurement == u"vout");
    BOOST_CHECK(sw.unit == u"V");
    BOOST_CHECK(sw.xVariable == u"V");
    BOOST_CHECK(sw.numericX);
    BOOST_CHECK(sw.curveVariables == QStringList{QStringLiteral("load")});
    BOOST_REQUIRE_EQUAL(sw.points.size(), 6);
    // By curve in sweep order, then by V ascending.
    QStringList order;
    for (const hil::SweepPoint &p : sw.points)
        order.append(sw.curveOf(p) + QLatin1Char('@') + hil::sweepValueText(sw.xOf(p)));
    BOOST_CHECK_EQUAL(order.join(u' ').toStdString(),
                      "load=light@3 load=light@3.3 load=light@5 load=heavy@3 load=heavy@3.3 load=heavy@5");
    const hil::SweepPoint &heavy33 = sw.points[4];
    BOOST_CHECK_EQUAL(heavy33.samples, 2);
    BOOST_CHECK_CLOSE(heavy33.mean, 3.1, 1e-9);
    BOOST_CHECK_CLOSE(heavy33.min, 3.09, 1e-9);
    BOOST_CHECK_CLOSE(heavy33.max, 3.11, 1e-9);
    BOOST_CHECK_EQUAL(heavy33.pass, 2);
    const hil::SweepPoint &light5 = sw.points[2];
    BOOST_CHECK_EQUAL(light5.fail, 2);
    BOOST_CHECK(sw.high && *sw.high == 4.5);
    BOOST_CHECK(!sw.limitsVary); // every point has the same limits: one pair of dashed lines
    // The retried tries are in no count, and their samples in no measurement.
    const auto settle = std::find_if(s.steps.cbegin(), s.steps.cend(),
                                     [](const hil::StepStatistics &st) { return st.step == u"settle"; });
    BOOST_REQUIRE(settle != s.steps.cend());
    BOOST_CHECK_EQUAL(settle->results, 1);
    BOOST_CHECK_EQUAL(settle->pass, 1);
    BOOST_CHECK_EQUAL(settle->fail, 0);
    BOOST_CHECK_EQUAL(settle->retried, 2);
    BOOST_CHECK_EQUAL(settle->firstRetried.size(), 2);
    BOOST_CHECK_EQUAL(settle->firstRetried.value(1).attempt, 2);
    for (const hil::MeasurementStatistics &m : s.measurements) {
        if (m.step == u"settle") {
            BOOST_CHECK_EQUAL(m.samples, 1);
            BOOST_CHECK_EQUAL(m.fail, 0);
        }
    }

    // The HTML report: a Sweeps section with its chart and a row per point.
    const QString h = hil::report::renderHtmlReport(hil::report::buildReportModel(s, nullptr, r.db), s);
    for (const char *text :
         {"id=\"sweeps\"", "<a href=\"#sweeps\">Sweeps</a>", "id=\"sweep-0\"", "vout [V] against V</h3>",
          "one curve per value of load (2)", ">Retried<", "2 retried tries",
          "<td>heavy</td><td class=\"n strong\">3.3</td><td class=\"n\">2</td>"
          "<td class=\"n\">3.1</td>"})
        BOOST_CHECK_MESSAGE(h.contains(QString::fromUtf8(text)), text);
    // No sweep without swept rows.
    Fixture f;
    BOOST_CHECK(!f.html(1).contains(QStringLiteral("id=\"sweeps\"")));

    // The PDF carries the section too.
    QString error;
    const QString pdf = r.path("sweep.pdf");
    BOOST_REQUIRE_MESSAGE(
        hil::report::writePdfReport(hil::report::buildReportModel(s, nullptr, r.db), s, pdf, &error),
        error.toStdString());
    const Result text = run(tool("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
    BOOST_REQUIRE_EQUAL(text.code, 0);
    BOOST_CHECK(text.out.contains(QStringLiteral("Sweeps")));
    BOOST_CHECK(text.out.contains(QStringLiteral("vout [V] against V")));
}

BOOST_AUTO_TEST_CASE(csv_and_junit_carry_sweeps_and_retries) {
    const SweptRun r;
    QString error;
    const auto q = hil::RunQuery::open(r.db, &error);
    BOOST_REQUIRE(q);
    QStringList written;
    BOOST_REQUIRE_MESSAGE(hil::exportCsv(*q, r.stats, r.path("csv"), &written, &error), error.toStdString());
    const QStringList rows = readText(r.path("csv/step_results.csv")).split(QStringLiteral("\r\n"));
    const QStringList header = rows.first().split(u',');
    const qsizetype attempt = header.indexOf(QStringLiteral("attempt"));
    const qsizetype retried = header.indexOf(QStringLiteral("retried"));
    const qsizetype bindings = header.indexOf(QStringLiteral("bindings"));
    BOOST_REQUIRE(attempt > 0 && retried == attempt + 1 && bindings == attempt + 2);
    BOOST_CHECK(rows.value(1).contains(QStringLiteral(",1,0,\"{\"\"V\"\":5,\"\"load\"\":\"\"light\"\"}\",")));
    BOOST_CHECK(rows.value(13).contains(QStringLiteral(",1,1,,")));
    BOOST_CHECK(rows.value(15).contains(QStringLiteral(",3,0,,")));
    const QString sweeps = readText(r.path("csv/sweeps.csv"));
    BOOST_CHECK(
        sweeps.startsWith(QStringLiteral("name,unit,x_variable,x,curve,bindings,samples,non_numeric,mean,")));
    BOOST_CHECK(sweeps.contains(QStringLiteral("vout,V,V,3.3,load=heavy,")));
    BOOST_CHECK(readText(r.path("csv/steps.csv")).contains(QStringLiteral(",latency_mean_ns,retried\r\n")));

    BOOST_REQUIRE_MESSAGE(hil::writeJUnitReport(r.stats, r.path("junit.xml"), &error), error.toStdString());
    QFile junit(r.path("junit.xml"));
    BOOST_REQUIRE(junit.open(QIODevice::ReadOnly));
    QXmlStreamReader x(&junit);
    QString current, settleOut;
    bool settleFailed = false;
    int failures = -1;
    while (!x.atEnd()) {
        if (x.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (x.name() == u"testsuites")
            failures = x.attributes().value(QStringLiteral("failures")).toInt();
        if (x.name() == u"testcase")
            current = x.attributes().value(QStringLiteral("name")).toString();
        if (current == u"settle" && (x.name() == u"failure" || x.name() == u"error"))
            settleFailed = true;
        if (current == u"settle" && x.name() == u"system-out")
            settleOut = x.readElementText();
    }
    BOOST_CHECK(!x.hasError());
    BOOST_CHECK(!settleFailed);
    // Only the two points at 5 V fail (their samples are above 4.5 V).
    BOOST_CHECK_EQUAL(failures, 2);
    BOOST_TEST_INFO(settleOut.toStdString());
    BOOST_CHECK(settleOut.startsWith(QStringLiteral("2 retried tries")));
    BOOST_CHECK(settleOut.contains(QStringLiteral("try 1 at")));
    BOOST_CHECK(settleOut.contains(QStringLiteral("try 2 at")));
    BOOST_CHECK(settleOut.contains(QStringLiteral("vout = 7 V outside limits")));
}

// The report's head says what broke: the first failure with its answer, when failures came, the steps
// that failed most, each fault's recovery against its bound, and latency outside and during faults.
BOOST_AUTO_TEST_CASE(what_broke_names_the_first_failure_the_worst_steps_and_each_recovery) {
    Fixture f;
    {
        // The rows recorded while the blackout acted on the sensor carry its fault, as a run records them.
        sqlite3 *h = nullptr;
        BOOST_REQUIRE(sqlite3_open(f.db.toUtf8().constData(), &h) == SQLITE_OK);
        BOOST_REQUIRE(
            sqlite3_exec(h,
                         "UPDATE step_results SET fault_id = 1 WHERE run_id = 1 AND device = 'sensor'"
                         " AND start_ns BETWEEN 2500000000 AND 4500000000",
                         nullptr, nullptr, nullptr)
            == SQLITE_OK);
        sqlite3_close(h);
    }
    const hil::RunStatistics s = f.stats(1);
    const QList<hil::WhatBrokeItem> items = hil::whatBroke(s);
    QMap<QString, QString> byLabel;
    for (const hil::WhatBrokeItem &i : items)
        byLabel.insert(i.label.section(u' ', 0, 1), i.text);
    BOOST_REQUIRE(!s.failures.isEmpty());
    const hil::FailureDetail &first = s.failures.first();
    const QString firstText = byLabel.value(QStringLiteral("First failure"));
    BOOST_TEST(firstText.contains(QStringLiteral("'%1' on %2").arg(first.step, first.device)),
               firstText.toStdString());
    BOOST_TEST(firstText.contains(first.message), firstText.toStdString());
    BOOST_TEST(firstText.contains(QStringLiteral("answer")), firstText.toStdString());
    BOOST_TEST(byLabel.value(QStringLiteral("When"))
                   .contains(QStringLiteral("%1 unexpected failures").arg(s.failureCount)));
    BOOST_TEST(byLabel.value(QStringLiteral("Failed most")).contains(QStringLiteral("'read' on")),
               byLabel.value(QStringLiteral("Failed most")).toStdString());
    // Faults: the power cut never recovered; the latency fault recovered in 123 ms of the default 10 s.
    const QString recovery = byLabel.value(QStringLiteral("Recovery (0"));
    BOOST_TEST(
        recovery.contains(QStringLiteral("cut on aux at 00:00:05.200: did not recover (bound 10s, default)")),
        recovery.toStdString());
    BOOST_TEST(recovery.contains(QStringLiteral("latency on sensor at 00:00:06.500: recovered in 123")),
               recovery.toStdString());
    // The split covers every latency exactly once.
    BOOST_TEST(s.latencyOutsideFaults.count + s.latencyDuringFaults.count == s.latency.count);
    BOOST_TEST(s.latencyDuringFaults.count > 0);
    BOOST_TEST(byLabel.contains(QStringLiteral("Latency outside")));
    // The section sits between the verdict banner and the navigation, in HTML and PDF alike.
    const QString h = f.html(1);
    const qsizetype at = h.indexOf(QStringLiteral("<section id=\"what-broke\"><h2>What broke</h2>"));
    BOOST_TEST(at > h.indexOf(QStringLiteral("id=\"verdict\"")));
    BOOST_TEST(at < h.indexOf(QStringLiteral("<nav>")));
    BOOST_TEST(h.contains(QStringLiteral("<dt>First failure</dt>")));
}

BOOST_AUTO_TEST_CASE(a_recovery_bound_comes_from_the_fault_as_written) {
    hil::FaultStatistics f;
    f.params = QStringLiteral("{at: 3s, for: 3s, on: sensor, link: blackout, recover: {within: 2s}}");
    bool given = false;
    BOOST_TEST(hil::recoveryBoundNs(f, &given) == 2'000'000'000);
    BOOST_TEST(given);
    f.params = QStringLiteral("{recover: {within: 250ms, count_failures: true}}");
    BOOST_TEST(hil::recoveryBoundNs(f, &given) == 250'000'000);
    f.params = QStringLiteral("{for: 2s}");
    BOOST_TEST(hil::recoveryBoundNs(f, &given) == 10'000'000'000);
    BOOST_TEST(!given);
}

BOOST_AUTO_TEST_CASE(a_chart_of_many_devices_shows_the_worst_and_says_which) {
    // 64 devices, one step each: the availability chart draws the 12 lowest, the latency charts the 8
    // steps with the highest p99, in the run's order, and their captions say what was left out.
    hil::RunStatistics s;
    s.spanNs = 3'600'000'000'000;
    for (int d = 0; d < 64; ++d) {
        hil::DeviceAvailability dev;
        dev.device = QStringLiteral("dut-%1").arg(d);
        dev.availability = d % 5 == 0 ? 0.9 + d / 1000.0 : 0.999;
        s.devices.append(dev);
        hil::StepStatistics st;
        st.step = QStringLiteral("poll dut-%1").arg(d);
        st.device = dev.device;
        st.latency.count = 100;
        st.latency.p99Ns = d % 7 == 0 ? 50'000'000 + d : 2'000'000;
        s.steps.append(st);
    }
    const QList<int> devices = hil::report::availabilityDevicesShown(s);
    BOOST_CHECK(devices == (QList<int>{0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55}));
    const QList<int> steps = hil::report::latencyStepsShown(s);
    BOOST_CHECK(steps
                == (QList<int>{14, 21, 28, 35, 42, 49, 56, 63})); // 0 and 7: the lowest of the ten slow ones
    const hil::report::ReportModel m = hil::report::buildReportModel(s, nullptr, QString());
    QString captions;
    for (const hil::report::Chart &c : m.charts)
        captions += c.caption + QLatin1Char('\n');
    BOOST_TEST_INFO(captions.toStdString());
    BOOST_CHECK(captions.contains(QStringLiteral("the 8 of 64 steps with the highest p99")));
    BOOST_CHECK(captions.contains(QStringLiteral("the 12 of 64 devices with the lowest availability")));
    BOOST_CHECK(captions.contains(QStringLiteral("the other 52 are at")));
}

BOOST_AUTO_TEST_CASE(pdf_counts_of_a_long_run_are_never_broken_over_two_lines) {
    // A weekend soak: seven-digit counts in the Steps table's narrow numeric columns, with both optional
    // columns (In faults, Retried) present. Each count stays on one line; the text columns wrap instead.
    hil::RunStatistics s;
    s.spanNs = 72LL * 3'600'000'000'000;
    s.expectedCount = 1;
    s.retriedCount = 1;
    for (int d = 0; d < 4; ++d) {
        hil::StepStatistics st;
        st.step = QStringLiteral("poll the temperature sensor of dut-%1 and check its range").arg(d);
        st.device = QStringLiteral("dut-%1").arg(d);
        st.results = 5'184'000 + d;
        st.pass = 5'183'000;
        st.fail = 1'000 + d;
        st.expected = 1'200'000;
        st.retried = 123'456;
        st.latency.count = st.results;
        st.latency.p50Ns = 1'234'567;
        st.latency.p99Ns = 9'876'543;
        st.latency.maxNs = 1'234'567'890;
        s.steps.append(st);
    }
    QTemporaryDir dir;
    const QString pdf = dir.path() + QStringLiteral("/long.pdf");
    QString error;
    BOOST_REQUIRE_MESSAGE(
        hil::report::writePdfReport(hil::report::buildReportModel(s, nullptr, QString()), s, pdf, &error),
        error.toStdString());
    const Result text = run(tool("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
    BOOST_REQUIRE_EQUAL(text.code, 0);
    QString t = text.out;
    t.replace(QChar(0x202F), QLatin1Char(' ')).replace(QChar(0x2009), QLatin1Char(' '));
    BOOST_TEST_INFO(t.toStdString());
    for (const char *n : {"5 184 000", "5 184 003", "5 183 000", "1 200 000", "123 456"})
        BOOST_CHECK_MESSAGE(t.contains(QString::fromUtf8(n)), n);
}

namespace {
QList<qint64> poissonBins(int n, double mean, quint32 seed) {
    std::mt19937 gen(seed);
    std::poisson_distribution<qint64> d(mean);
    QList<qint64> bins;
    for (int i = 0; i < n; ++i)
        bins.append(mean > 0 ? d(gen) : 0);
    return bins;
}
} // namespace

// Uniform failure noise is a background rate, not one cluster over the whole run; a burst on top of it
// is a cluster; a device that fails for the second half is one cluster over that half; a few failures are
// each their own incident.
BOOST_AUTO_TEST_CASE(failure_clusters_stand_out_from_the_background_rate) {
    const qint64 bin = 24'000'000'000; // 600 bins over 4 hours
    // 64 devices at 20 Hz with 0.02 % random timeouts: about 6 failures a bin.
    for (quint32 seed : {1u, 2u, 3u, 4u, 5u}) {
        const hil::FailureClusters noise = hil::failureClusters(poissonBins(600, 6.1, seed), bin);
        BOOST_TEST(noise.clusters.isEmpty(), "seed " << seed << ": " << noise.clusters.size());
        BOOST_TEST(noise.backgroundPerBin == 6.1, boost::test_tools::tolerance(0.1));
    }
    QList<qint64> burst = poissonBins(600, 6.1, 7);
    burst[300] += 60;
    burst[301] += 60;
    const hil::FailureClusters b = hil::failureClusters(burst, bin);
    BOOST_REQUIRE_EQUAL(b.clusters.size(), 1);
    BOOST_TEST(b.clusters[0].startNs == 300 * bin);
    BOOST_TEST(b.clusters[0].endNs == 302 * bin);
    BOOST_TEST(b.clusters[0].failures >= 120);
    BOOST_TEST(b.backgroundPerBin == 6.1, boost::test_tools::tolerance(0.1));

    QList<qint64> half = poissonBins(600, 0, 0);
    const QList<qint64> failing = poissonBins(300, 20, 8);
    for (int i = 0; i < 300; ++i)
        half[300 + i] = failing[i];
    const hil::FailureClusters h = hil::failureClusters(half, bin);
    BOOST_REQUIRE_EQUAL(h.clusters.size(), 1);
    BOOST_TEST(h.clusters[0].startNs == 300 * bin);
    BOOST_TEST(h.clusters[0].endNs == 600 * bin);
    BOOST_TEST(h.backgroundFailures == 0);

    // Sparse noise: one failure in a bin now and then, 100 over the run.
    QList<qint64> sparse(600, 0);
    for (int i = 0; i < 100; ++i)
        sparse[(i * 37) % 600] = 1;
    const hil::FailureClusters sp = hil::failureClusters(sparse, bin);
    BOOST_TEST(sp.clusters.isEmpty());
    BOOST_TEST(sp.backgroundFailures == 100);

    QList<qint64> few(600, 0);
    few[10] = 2;
    few[11] = 1;
    few[400] = 1;
    const hil::FailureClusters f = hil::failureClusters(few, bin);
    BOOST_REQUIRE_EQUAL(f.clusters.size(), 2);
    BOOST_TEST(f.clusters[0].failures == 3);
    BOOST_TEST(f.backgroundFailures == 0);

    hil::RunStatistics s;
    s.binNs = bin;
    s.spanNs = 600 * bin;
    s.run.verdict = QStringLiteral("FAIL");
    s.failuresOverTime = burst;
    for (const qint64 n : burst)
        s.failureCount += n;
    QString when;
    for (const hil::WhatBrokeItem &i : hil::whatBroke(s))
        if (i.label == u"When")
            when = i.text;
    BOOST_TEST(when.contains(QStringLiteral("about 9")),
               when.toStdString()); // 6.1 a bin of 24 s: ~915 an hour
    BOOST_TEST(when.contains(QStringLiteral("1 cluster(s) above that; the largest:")), when.toStdString());
    BOOST_TEST(when.contains(QStringLiteral("from 02:00:00.000 to 02:00:48.000")), when.toStdString());
}

BOOST_AUTO_TEST_CASE(poisson_thresholds_match_the_distribution) {
    BOOST_TEST(hil::poissonUpperThreshold(0, 1e-6) == 1);
    // Poisson(1): P(X >= 4) = 0.019, P(X >= 5) = 0.0037.
    BOOST_TEST(hil::poissonUpperThreshold(1, 0.01) == 5);
    BOOST_TEST(hil::poissonUpperThreshold(1, 0.02) == 4);
    // Large means: about mean + z sqrt(mean); z(1e-6) = 4.75.
    const qint64 t = hil::poissonUpperThreshold(10'000, 1e-6);
    BOOST_TEST(t >= 10'470);
    BOOST_TEST(t <= 10'480);
}

namespace {

void checkSummaryWithinABucket(const hil::LatencySummary &rows, const hil::LatencySummary &rolled,
                               const std::string &what) {
    BOOST_TEST(rolled.count == rows.count, what);
    BOOST_TEST(rolled.minNs == rows.minNs, what);
    BOOST_TEST(rolled.maxNs == rows.maxNs, what);
    BOOST_CHECK_CLOSE(rolled.meanNs, rows.meanNs, 1e-9);
    // A percentile from the rollup's histogram lies in the bucket of the exact one.
    for (const auto &[a, b] : {std::pair{rows.p50Ns, rolled.p50Ns}, std::pair{rows.p95Ns, rolled.p95Ns},
                               std::pair{rows.p99Ns, rolled.p99Ns}})
        BOOST_TEST(hil::LatencyHistogram::bucketOf(a) == hil::LatencyHistogram::bucketOf(b),
                   what << ": " << a << " and " << b << " are in different buckets");
}

void checkSameReport(const hil::RunStatistics &rows, const hil::RunStatistics &rolled) {
    BOOST_TEST(!rows.fromRollup);
    BOOST_TEST(rolled.fromRollup);
    BOOST_TEST(rolled.timelineBins == rows.timelineBins);
    BOOST_TEST(rolled.binNs == rows.binNs);
    BOOST_REQUIRE_EQUAL(rolled.steps.size(), rows.steps.size());
    for (qsizetype i = 0; i < rows.steps.size(); ++i) {
        const hil::StepStatistics &a = rows.steps[i], &b = rolled.steps[i];
        const std::string what = a.step.toStdString() + " on " + a.device.toStdString();
        BOOST_TEST(b.step == a.step);
        BOOST_TEST(b.device == a.device);
        BOOST_TEST(b.phase == a.phase);
        for (const auto &[x, y] :
             {std::pair{a.results, b.results}, std::pair{a.pass, b.pass}, std::pair{a.fail, b.fail},
              std::pair{a.error, b.error}, std::pair{a.abort, b.abort}, std::pair{a.marginal, b.marginal},
              std::pair{a.expected, b.expected}, std::pair{a.retried, b.retried},
              std::pair{a.totalNs, b.totalNs}, std::pair{a.flips, b.flips},
              std::pair{a.longestFailStreak, b.longestFailStreak},
              std::pair{a.longestFailStreakStartNs, b.longestFailStreakStartNs}})
            BOOST_TEST(x == y, what);
        BOOST_TEST(b.swept == a.swept);
        checkSummaryWithinABucket(a.latency, b.latency, what);
        BOOST_TEST(b.histogram.count() == a.histogram.count(), what);
        BOOST_TEST((b.histogram.buckets().size() == a.histogram.buckets().size()), what);
        for (size_t k = 0; k < std::min(a.histogram.buckets().size(), b.histogram.buckets().size()); ++k) {
            BOOST_TEST(b.histogram.buckets()[k].count == a.histogram.buckets()[k].count,
                       what << " bucket " << k);
            BOOST_TEST(b.histogram.buckets()[k].min == a.histogram.buckets()[k].min, what << " bucket " << k);
            BOOST_TEST(b.histogram.buckets()[k].max == a.histogram.buckets()[k].max, what << " bucket " << k);
        }
        BOOST_TEST(b.latencyOverTime.binned == a.latencyOverTime.binned, what);
        BOOST_REQUIRE_EQUAL(b.latencyOverTime.points.size(), a.latencyOverTime.points.size());
        for (qsizetype p = 0; p < a.latencyOverTime.points.size(); ++p) {
            const hil::TimePoint &x = a.latencyOverTime.points[p], &y = b.latencyOverTime.points[p];
            BOOST_TEST(y.tNs == x.tNs, what);
            BOOST_TEST(y.count == x.count, what);
            BOOST_TEST(y.min == x.min, what);
            BOOST_TEST(y.max == x.max, what);
            BOOST_CHECK_CLOSE(y.mean, x.mean, 1e-9);
            BOOST_TEST((y.p50 == x.p50 || (std::isnan(x.p50) && std::isnan(y.p50))), what);
            BOOST_TEST((y.p99 == x.p99 || (std::isnan(x.p99) && std::isnan(y.p99))), what);
        }
        BOOST_REQUIRE_EQUAL(b.firstFailures.size(), a.firstFailures.size());
        for (qsizetype f = 0; f < a.firstFailures.size(); ++f)
            BOOST_TEST(b.firstFailures[f].stepResultId == a.firstFailures[f].stepResultId, what);
        BOOST_REQUIRE_EQUAL(b.firstRetried.size(), a.firstRetried.size());
    }
    checkSummaryWithinABucket(rows.latency, rolled.latency, "run");
    BOOST_TEST(rolled.latencyOutsideFaults.count == rows.latencyOutsideFaults.count);
    BOOST_TEST(rolled.latencyOutsideFaults.p99Ns == rows.latencyOutsideFaults.p99Ns);
    BOOST_CHECK_CLOSE(rolled.latencyOutsideFaults.meanNs, rows.latencyOutsideFaults.meanNs, 1e-9);
    BOOST_TEST(rolled.latencyDuringFaults.count == rows.latencyDuringFaults.count);
    BOOST_TEST(rolled.latencyDuringFaults.p99Ns == rows.latencyDuringFaults.p99Ns);
    BOOST_TEST(rolled.failureCount == rows.failureCount);
    BOOST_TEST(rolled.expectedCount == rows.expectedCount);
    BOOST_TEST(rolled.retriedCount == rows.retriedCount);
    BOOST_TEST(rolled.stallExcludedCount == rows.stallExcludedCount);
    BOOST_TEST(rolled.failuresOverTime == rows.failuresOverTime, boost::test_tools::per_element());
    BOOST_TEST(rolled.errorsOverTime == rows.errorsOverTime, boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(rolled.failures.size(), rows.failures.size());
    for (qsizetype f = 0; f < rows.failures.size(); ++f) {
        BOOST_TEST(rolled.failures[f].stepResultId == rows.failures[f].stepResultId);
        BOOST_TEST(rolled.failures[f].exchanges.size() == rows.failures[f].exchanges.size());
    }
    BOOST_TEST(rolled.upNs == rows.upNs);
    BOOST_TEST(rolled.downNs == rows.downNs);
    BOOST_TEST(rolled.failureEpisodes == rows.failureEpisodes);
    BOOST_REQUIRE_EQUAL(rolled.devices.size(), rows.devices.size());
    for (qsizetype d = 0; d < rows.devices.size(); ++d) {
        const hil::DeviceAvailability &a = rows.devices[d], &b = rolled.devices[d];
        const std::string what = a.device.toStdString();
        BOOST_TEST(b.device == a.device);
        for (const auto &[x, y] :
             {std::pair{a.upNs, b.upNs}, std::pair{a.downNs, b.downNs}, std::pair{a.faultNs, b.faultNs},
              std::pair{a.unknownNs, b.unknownNs}, std::pair{a.failureEpisodes, b.failureEpisodes},
              std::pair{a.longestOutageNs, b.longestOutageNs},
              std::pair{a.longestOutageStartNs, b.longestOutageStartNs}})
            BOOST_TEST(x == y, what);
        BOOST_REQUIRE_EQUAL(b.timeline.size(), a.timeline.size());
        for (qsizetype t = 0; t < a.timeline.size(); ++t)
            BOOST_TEST(std::abs(b.timeline[t] - a.timeline[t]) < 1e-6f, what << " bin " << t);
    }
    BOOST_REQUIRE_EQUAL(rolled.faults.size(), rows.faults.size());
    for (qsizetype f = 0; f < rows.faults.size(); ++f)
        BOOST_TEST(rolled.faults[f].failedResults == rows.faults[f].failedResults);
    BOOST_REQUIRE_EQUAL(rolled.measurements.size(), rows.measurements.size());
    for (qsizetype m = 0; m < rows.measurements.size(); ++m) {
        const hil::MeasurementStatistics &a = rows.measurements[m], &b = rolled.measurements[m];
        const std::string what = QString(a.step + u'/' + a.name).toStdString();
        BOOST_TEST(b.step == a.step, what);
        BOOST_TEST(b.device == a.device, what);
        BOOST_TEST(b.name == a.name, what);
        BOOST_TEST(b.unit == a.unit, what);
        BOOST_TEST((b.low == a.low && b.high == a.high), what);
        BOOST_TEST((b.marginalLow == a.marginalLow && b.marginalHigh == a.marginalHigh), what);
        for (const auto &[x, y] : {std::pair{a.samples, b.samples}, std::pair{a.nonNumeric, b.nonNumeric},
                                   std::pair{a.fail, b.fail}, std::pair{a.expected, b.expected},
                                   std::pair{a.marginal, b.marginal}, std::pair{a.count, b.count}})
            BOOST_TEST(x == y, what);
        BOOST_TEST(b.min == a.min, what);
        BOOST_TEST(b.max == a.max, what);
        BOOST_CHECK_CLOSE(b.mean, a.mean, 1e-9);
        BOOST_CHECK_CLOSE(b.stddev, a.stddev, 1e-6);
        BOOST_TEST(b.cpk.has_value() == a.cpk.has_value(), what);
        if (a.cpk && b.cpk)
            BOOST_CHECK_CLOSE(*b.cpk, *a.cpk, 1e-6);
        BOOST_TEST(b.series.binned == a.series.binned, what);
        BOOST_REQUIRE_EQUAL(b.series.points.size(), a.series.points.size());
        for (qsizetype p = 0; p < a.series.points.size(); ++p) {
            const hil::TimePoint &x = a.series.points[p], &y = b.series.points[p];
            BOOST_TEST(y.tNs == x.tNs, what);
            BOOST_TEST(y.count == x.count, what);
            BOOST_TEST(y.min == x.min, what);
            BOOST_TEST(y.max == x.max, what);
            BOOST_CHECK_CLOSE(y.mean, x.mean, 1e-9);
        }
    }
}

hil::RunStatistics statisticsOf(const QString &db, bool rollups) {
    QString error;
    const auto q = hil::RunQuery::open(db, &error);
    BOOST_REQUIRE_MESSAGE(q, error.toStdString());
    hil::StatisticsOptions o;
    // Two time bins over 24 s: 12 s each, whole 10 s rollup bins (20 s), as a 100-minute run at 600 bins.
    o.timelineBins = 2;
    o.rawPointLimit = 50;
    o.rollups = rollups;
    const auto s = hil::computeRunStatistics(*q, 1, o, &error);
    BOOST_REQUIRE_MESSAGE(s, error.toStdString());
    return *s;
}

} // namespace

// A real run on the simulated bench, with failures, an injected fault and its recovery: its report read
// from the rollups the recorder wrote equals the one read from every row, but for percentiles (within one
// bucket). A rollup that does not account for every row is not used, and one rebuilt from the rows
// (merge, fetch) is the recorder's.
BOOST_AUTO_TEST_CASE(a_report_from_rollups_equals_the_report_from_rows) {
    QTemporaryDir dir;
    BOOST_REQUIRE(dir.isValid());
    const QString scenario = dir.filePath(QStringLiteral("rollup.yaml"));
    {
        QFile f(scenario);
        BOOST_REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(R"(name: rollup-check
devices: [sensor, sensor-b]
setup:
  - name: identify sensor
    send: {to: sensor, line: "*IDN?"}
    expect: {match: '^ACME,ENV-1,\S+,\S+$', within: 500ms}
steps:
  - name: sensor temperature
    send: {to: sensor, line: "READ? TEMP"}
    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 300ms}
    measure: {t: {unit: degC, limits: [15, 22.55], marginal: [18, 22.5]}}
  - name: sensor-b temperature
    send: {to: sensor-b, line: "READ? TEMP"}
    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 300ms}
    measure: {t: {unit: degC, limits: [15, 22.5]}}
  - name: sensor-b settled
    send: {to: sensor-b, line: "READ? TEMP"}
    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 300ms}
    until: "${t < 20.5}"
    retry: {times: 2}
    measure: {t: {unit: degC}}
repeat: {for: 24s, every: 100ms}
faults:
  - {at: 9s, for: 2s, on: sensor, link: blackout, recover: {within: 3s}}
)");
    }
    const QString db = dir.filePath(QStringLiteral("results.db"));
    const Result ran = run(kHil, {QStringLiteral("run"), scenario, QStringLiteral("--fixture"),
                                  QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
                                  QStringLiteral("--db"), db, QStringLiteral("--quiet")});
    BOOST_REQUIRE_MESSAGE(ran.code == 0 || ran.code == 1, ran.err.toStdString());

    const hil::RunStatistics rows = statisticsOf(db, false);
    const hil::RunStatistics rolled = statisticsOf(db, true);
    BOOST_TEST(rows.failureCount > 0); // the limits make the run fail now and then
    BOOST_TEST(rows.retriedCount > 0); // and the retried step's tries, whose samples do not count
    BOOST_TEST(rows.faults.size() == 1);
    BOOST_TEST(rows.faults.first().failedResults > 0);
    checkSameReport(rows, rolled);

    sqlite3 *h = nullptr;
    BOOST_REQUIRE(sqlite3_open(db.toUtf8().constData(), &h) == SQLITE_OK);
    const auto exec = [h](const char *sql) {
        BOOST_REQUIRE_MESSAGE(sqlite3_exec(h, sql, nullptr, nullptr, nullptr) == SQLITE_OK,
                              sqlite3_errmsg(h));
    };
    // A cell short (rows written by an older binary, or a rollup cut short): the rows are read instead.
    exec("CREATE TABLE kept AS SELECT * FROM step_rollups WHERE id = (SELECT max(id) FROM step_rollups)");
    exec("DELETE FROM step_rollups WHERE id = (SELECT max(id) FROM step_rollups)");
    BOOST_TEST(!statisticsOf(db, true).fromRollup);
    exec("INSERT INTO step_rollups SELECT * FROM kept");
    BOOST_TEST(statisticsOf(db, true).fromRollup);
    // Rebuilt from the rows, the rollup holds what the recorder wrote.
    const auto cellsOf = [h](const char *sql) {
        QStringList out;
        sqlite3_stmt *q = nullptr;
        sqlite3_prepare_v2(h, sql, -1, &q, nullptr);
        while (sqlite3_step(q) == SQLITE_ROW) {
            QStringList row;
            for (int c = 1; c < sqlite3_column_count(q); ++c)
                row << QString::fromUtf8(QByteArray(static_cast<const char *>(sqlite3_column_blob(q, c)),
                                                    sqlite3_column_bytes(q, c))
                                             .toHex());
            out << row.join(u',');
        }
        sqlite3_finalize(q);
        return out;
    };
    const auto cells = [&cellsOf] {
        return cellsOf("SELECT * FROM step_rollups ORDER BY phase, step_index, device, bin, first_id");
    };
    const auto sampleCells = [&cellsOf] {
        return cellsOf("SELECT * FROM measurement_rollups ORDER BY phase, step_index, device, name, bin");
    };
    const QStringList recorded = cells();
    const QStringList recordedSamples = sampleCells();
    exec("BEGIN");
    QString why;
    BOOST_REQUIRE_MESSAGE(hil::rebuildStepRollups(h, 1, &why), why.toStdString());
    exec("COMMIT");
    BOOST_TEST(recorded.size() > 4);
    BOOST_TEST((cells() == recorded));
    BOOST_TEST(recordedSamples.size() > 4);
    BOOST_TEST((sampleCells() == recordedSamples));
    checkSameReport(rows, statisticsOf(db, true));
    // A run without the mark (recorded into the file by a binary before schema 7) reads its samples.
    exec("DELETE FROM measurement_rollup_runs");
    checkSameReport(rows, statisticsOf(db, true));
    sqlite3_close(h);
}
