// The desktop app as an operator uses it, on the offscreen platform: open a fixture and a scenario, run
// it against the simulated bench (hil-sim children), watch results, plots and the verdict arrive, inject a
// fault by hand and find it in the event log and the database, open and compare past runs, export them;
// and the pieces underneath (decimation, the live buffer, manual fault parsing, the editor). The
// `screenshots` case is disabled here: CTest runs it under Xvfb (test_gui_xvfb) and it saves PNGs of the
// main window during and after a run into the build directory.

#define BOOST_TEST_MODULE gui
#include "core/base/reportformat.h"
#include "core/config/fixtureloader.h"
#include "core/store/recorder.h"
#include "gui/appstyle.h"
#include "gui/benchpanel.h"
#include "gui/codeeditor.h"
#include "gui/columnfilterproxy.h"
#include "gui/eventlogpanel.h"
#include "gui/eventmodel.h"
#include "gui/faultpanel.h"
#include "gui/historypanel.h"
#include "gui/livebuffer.h"
#include "gui/livefeed.h"
#include "gui/liveplot.h"
#include "gui/mainwindow.h"
#include "gui/manualfault.h"
#include "gui/messagebar.h"
#include "gui/operatorview.h"
#include "gui/plotpanel.h"
#include "gui/resultmodel.h"
#include "gui/resultspanel.h"
#include "gui/runeventsmodel.h"
#include "gui/runresultsmodel.h"
#include "gui/runstatuspanel.h"
#include "gui/runsummaryview.h"
#include "gui/scenarioeditor.h"
#include "gui/timeseries.h"
#include "gui/trafficconsole.h"
#include "gui/verdictbadge.h"
#include "gui/yamlhighlighter.h"
#include "support/harness.h"

#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextLayout>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdio>

// Boost.Test prints the values of a failed comparison; QStrings as UTF-8.
namespace boost::test_tools::tt_detail {
template<>
struct print_log_value<QString> {
    void operator()(std::ostream &os, const QString &s) { os << '"' << s.toStdString() << '"'; }
};
template<>
struct print_log_value<QColor> {
    void operator()(std::ostream &os, const QColor &c) { os << c.name().toStdString(); }
};
} // namespace boost::test_tools::tt_detail

using namespace hiltest;
using hil::gui::MainWindow;

namespace {

// A QApplication for the whole module, with settings and standard paths kept out of the user's home.
struct GuiApplication {
    int argc = 1;
    char arg0[8] = "hilgui";
    char *argv[2] = {arg0, nullptr};
    QTemporaryDir settings;
    std::unique_ptr<QApplication> app;

    GuiApplication() {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        qputenv("HIL_SIM", HIL_BIN_DIR "/hil-sim");
        app = std::make_unique<QApplication>(argc, argv);
        QCoreApplication::setOrganizationName(QStringLiteral("hil-test"));
        QCoreApplication::setApplicationName(QStringLiteral("hil-bench-test"));
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings.path());
        hil::gui::appstyle::apply(*app);
        // The offscreen platform says this for every dock widget; it is noise in the test log.
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
            if (message.contains(QStringLiteral("propagateSizeHints")))
                return;
            std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
        });
    }
};
BOOST_TEST_GLOBAL_FIXTURE(GuiApplication);

QString source(const char *path) {
    return QStringLiteral(HIL_SOURCE_DIR "/") + QString::fromUtf8(path);
}

QString data(const char *name) {
    return QStringLiteral(HIL_TEST_DATA_DIR "/gui/") + QString::fromUtf8(name);
}

// A window on the simulated bench with a scenario open, recording into ws's database.
std::unique_ptr<MainWindow> benchWindow(const Workspace &ws, const char *scenario) {
    auto w = std::make_unique<MainWindow>();
    w->setDatabasePath(ws.db());
    w->resize(1400, 900);
    w->show();
    BOOST_REQUIRE(w->openFixture(source("fixtures/sim-bench.yaml")));
    BOOST_REQUIRE(w->openScenario(data(scenario)));
    return w;
}

bool finished(const MainWindow &w) {
    return w.lastVerdict().has_value() && !w.controller()->isActive();
}

void writeFile(const QString &path, const char *text) {
    QFile f(path);
    BOOST_REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    BOOST_REQUIRE(f.write(text) == static_cast<qint64>(qstrlen(text)));
}

// The rows of column `column` in a model, as displayed.
QStringList column(const QAbstractItemModel *m, int column) {
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r)
        out << m->index(r, column).data().toString();
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pieces)

BOOST_AUTO_TEST_CASE(decimation_keeps_extremes_and_bounds_points) {
    hil::gui::TimeSeries s;
    for (int i = 0; i < 60'000; ++i) // below kMaxPoints: no compaction yet
        s.append(i * 0.01, std::sin(i * 0.001) + (i == 54'321 ? 50.0 : 0.0) - (i == 12'345 ? 40.0 : 0.0));
    s.append(1.0, 2.0); // earlier than the last: stored at the last time
    s.append(2000.0, std::nan(""));
    BOOST_TEST(s.size() == 60'001u);
    BOOST_TEST(s.lastTime() == 599.99);

    hil::gui::TimeSeries::Window w;
    s.window(0, 600, 500, &w);
    BOOST_TEST(w.decimated);
    BOOST_TEST(w.inside == 60'001u);
    BOOST_TEST(w.points.size() <= 2 * 500u + 2);
    BOOST_TEST(w.max > 48.0);
    BOOST_TEST(w.min < -39.0);
    const auto has = [&](double t) {
        return std::any_of(w.points.cbegin(), w.points.cend(),
                           [t](const auto &p) { return std::abs(p.t - t) < 1e-9; });
    };
    BOOST_TEST(has(543.21)); // the spike and the dip survive decimation
    BOOST_TEST(has(123.45));
    BOOST_TEST(std::is_sorted(w.points.cbegin(), w.points.cend(),
                              [](const auto &a, const auto &b) { return a.t < b.t; }));

    // A narrow window keeps every point, plus one neighbour on each side.
    s.window(10.0, 10.5, 500, &w);
    BOOST_TEST(!w.decimated);
    BOOST_TEST(w.inside == 51u);
    BOOST_TEST(w.points.size() == 53u);
    BOOST_TEST(w.points.front().t < 10.0);
    BOOST_TEST(w.points.back().t > 10.5);
}

// A plot's series of a long run stays bounded: its older points fold into min/max history, the newest
// stay raw, and a spike and a dip from the start of the run are still there after millions of points.
BOOST_AUTO_TEST_CASE(a_long_series_stays_bounded_and_keeps_its_old_extremes) {
    using hil::gui::TimeSeries;
    TimeSeries s;
    const std::size_t n = 3'000'000; // a 20 Hz device for 42 hours
    for (std::size_t i = 0; i < n; ++i)
        s.append(static_cast<double>(i) * 0.05, std::sin(static_cast<double>(i) * 0.001)
                                                    + (i == 1'234 ? 50.0 : 0.0) - (i == 77'777 ? 40.0 : 0.0));
    BOOST_TEST(s.appended() == n);
    BOOST_TEST(s.size() <= TimeSeries::kMaxPoints);
    BOOST_TEST(s.compactions() > 0u);
    BOOST_TEST(s.lastTime() == static_cast<double>(n - 1) * 0.05);
    // The whole run: the old spike and dip survive every compaction.
    TimeSeries::Window w;
    s.window(0, s.lastTime(), 800, &w);
    BOOST_TEST(w.max > 49.0);
    BOOST_TEST(w.min < -39.0);
    BOOST_TEST(std::is_sorted(w.points.cbegin(), w.points.cend(),
                              [](const auto &a, const auto &b) { return a.t < b.t; }));
    // The last minute is raw: every point at 20 Hz.
    const double end = s.lastTime();
    s.window(end - 60, end, 4000, &w);
    BOOST_TEST(!w.decimated);
    BOOST_TEST(w.inside == 1201u);
}

BOOST_AUTO_TEST_CASE(the_event_log_pages_the_events_its_window_let_go_from_the_database) {
    // 120,000 events (a chatty device), recorded by a real Recorder and appended to the window in
    // batches as RunFeed does: the window keeps at most 50,000; the log shows every one, the older ones
    // read back from the file a page at a time; a filter applies to the window's events.
    constexpr int kEvents = 120'000;
    Workspace ws;
    QString error;
    const std::unique_ptr<hil::Recorder> recorder = hil::Recorder::open(ws.db(), &error);
    BOOST_REQUIRE_MESSAGE(recorder, error.toStdString());
    hil::RunHeader header;
    header.uuid = QStringLiteral("4f1c0e3a-0000-4000-8000-0000000000e7");
    header.scenario = QStringLiteral("events");
    header.fixture = QStringLiteral("sim-bench");
    header.seed = 7;
    header.startedAtNs = 1'790'000'000'000'000'000LL;
    recorder->runStarted(header);
    hil::gui::EventModel window;
    hil::gui::EventLogPanel log(&window);
    log.resize(700, 400);
    log.show();
    hil::gui::RunEventsModel *all = log.allEvents();
    const auto eventAt = [](int i) {
        return hil::Event{
            qint64{i} * 1'000'000, i % 7 == 0 ? QStringLiteral("error") : QStringLiteral("overflow"),
            i % 2 == 0 ? QStringLiteral("sensor") : QStringLiteral("psu"), QStringLiteral("event %1").arg(i)};
    };
    for (int i = 0; i < kEvents; i += 1000) {
        QList<hil::Event> batch;
        for (int j = i; j < i + 1000; ++j) {
            batch.append(eventAt(j));
            recorder->eventRecorded(batch.last());
        }
        window.append(batch);
        if (i == 0) {
            BOOST_REQUIRE(waitUntil([&] { return recorder->runId() > 0; }, 5000));
            BOOST_REQUIRE_MESSAGE(all->attachDatabase(ws.db(), recorder->runId(), &error),
                                  error.toStdString());
        }
        BOOST_TEST_REQUIRE(window.rowCount() <= hil::gui::EventModel::kMaxRows);
        BOOST_TEST_REQUIRE(all->rowCount() == i + 1000);
    }
    BOOST_REQUIRE(recorder->close());
    BOOST_TEST(window.firstSequence() > 0);
    BOOST_TEST(all->olderRows() == window.firstSequence());
    BOOST_TEST(log.view()->model() == all);
    const auto detail = [&](int row) {
        return all->index(row, hil::gui::EventModel::ColDetail).data().toString();
    };
    // From the file: the first, one in the middle of a page, the last before the window; from the window:
    // the one after.
    for (const qint64 k : {qint64{0}, qint64{777}, all->olderRows() - 1, all->olderRows()})
        BOOST_TEST(str(detail(static_cast<int>(k))) == str(eventAt(static_cast<int>(k)).detail), "row " << k);
    BOOST_TEST(str(all->index(7, hil::gui::EventModel::ColKind).data().toString()) == "error");
    BOOST_TEST(str(all->index(3, hil::gui::EventModel::ColDevice).data().toString()) == "psu");
    BOOST_TEST(all->pagesRead() >= 3);
    // A filter shows the window's matching events.
    log.setKindFilter(QStringLiteral("error"));
    BOOST_TEST(log.view()->model() == log.proxy());
    int errors = 0;
    for (int r = 0; r < window.rowCount(); ++r)
        errors += window.index(r, hil::gui::EventModel::ColKind).data().toString() == u"error";
    BOOST_TEST(errors > 0);
    BOOST_TEST(log.proxy()->rowCount() == errors);
    log.setKindFilter({});
    BOOST_TEST(log.view()->model() == all);
}

BOOST_AUTO_TEST_CASE(a_long_live_run_stays_bounded_and_pages_older_rows_from_the_database) {
    // 600,000 results through the live path (LiveBuffer drained every 40 ms into the models and plots)
    // while the recorder writes them: six times the table's window, more than a plot series keeps raw.
    constexpr qint64 kResults = 600'000;
    Workspace ws;
    QString error;
    const std::unique_ptr<hil::Recorder> recorder = hil::Recorder::open(ws.db(), &error);
    BOOST_REQUIRE_MESSAGE(recorder, error.toStdString());
    hil::gui::ResultModel window;
    hil::gui::EventModel events;
    hil::gui::PlotPanel plots;
    plots.resize(900, 500);
    plots.show();
    plots.beginRun(hil::Scenario{});
    plots.setSpan(hil::gui::PlotPanel::Span::WholeRun);
    hil::gui::ResultsPanel panel(&window);
    panel.resize(900, 500);
    panel.show();
    hil::gui::RunResultsModel *all = panel.allResults();
    // A view keeps 8 bytes per row: the table shows the newest 500,000 by default, 250,000 here.
    all->setMaxRows(250'000);
    BOOST_TEST(all->maxRows() == 250'000);
    hil::gui::LiveBuffer buffer;
    qint64 biggestWindow = 0, biggestCache = 0;
    hil::gui::feedLive(kResults, &buffer, {recorder.get()}, {&window, &events, &plots}, 40,
                       [&](qint64 reported) {
                           // The recorder has the run's id once the first result was reported: the table then
                           // reads the rows that leave the window from the file, as RunFeed has it do once
                           // the run started.
                           if (reported > 0 && !all->pager().isOpen())
                               BOOST_REQUIRE_MESSAGE(all->attachDatabase(ws.db(), recorder->runId(), &error),
                                                     error.toStdString());
                           biggestWindow = std::max<qint64>(biggestWindow, window.rowCount());
                           // Looking at the oldest rows while the run goes on.
                           if (all->olderRows() > 0)
                               BOOST_TEST(all->index(0, hil::gui::ResultModel::ColStep).data().toString()
                                          == QStringLiteral("read temperature"));
                           biggestCache = std::max<qint64>(biggestCache, all->pager().cachedRows());
                       });
    BOOST_REQUIRE_MESSAGE(recorder->close(), recorder->error().toStdString());

    // Bounded: the window, the events, every plot series, and the pages cached.
    BOOST_TEST(biggestWindow <= hil::gui::ResultModel::kMaxRows);
    BOOST_TEST(window.rowCount() <= hil::gui::ResultModel::kMaxRows);
    BOOST_TEST(window.rowCount() >= hil::gui::ResultModel::kMaxRows * 9 / 10);
    BOOST_TEST(events.rowCount() == kResults / 10'000);
    // Every result reached the plots (a value and a latency) unless the live buffer let it go while the GUI
    // thread was behind (counted; the table reads those from the file).
    const qint64 skipped = window.nextSequence() - window.droppedRows() - window.rowCount();
    BOOST_TEST(skipped >= 0);
    BOOST_TEST(skipped < kResults / 10);
    BOOST_TEST(plots.pointCount() == 2 * (kResults - skipped));
    BOOST_REQUIRE(plots.measurementPlots().size() == 2);
    for (const hil::gui::LivePlot *p : plots.measurementPlots()) {
        BOOST_TEST(p->pointCount() <= static_cast<qsizetype>(hil::gui::TimeSeries::kMaxPoints));
        BOOST_TEST(p->pointCount() > 1000);
    }
    BOOST_TEST(plots.latencyPlot()->pointCount()
               <= 2 * static_cast<qsizetype>(hil::gui::TimeSeries::kMaxPoints));
    BOOST_TEST(biggestCache <= hil::gui::ResultPager::kCachedPages * hil::gui::ResultPager::kPageRows);

    // The table is the run's newest rows up to its bound: those older than the window come from the
    // database and read exactly as they did live.
    BOOST_TEST(all->rowCount() <= 250'000);
    BOOST_TEST(all->rowCount() >= 250'000 * 9 / 10);
    BOOST_TEST(all->hiddenRows() + all->rowCount() == kResults);
    BOOST_TEST(all->olderRows() == all->rowCount() - window.rowCount());
    const qint64 base = all->hiddenRows();
    for (const qint64 k : {qint64{0}, qint64{1}, qint64{255}, qint64{256}, qint64{9973}, qint64{123'457},
                           all->olderRows() - 1, all->olderRows(), qint64{all->rowCount() - 1}}) {
        const hil::gui::ResultRow expected = hil::gui::ResultRow::from(hil::gui::syntheticResult(base + k));
        for (int c = 0; c < hil::gui::ResultModel::ColumnCount; ++c) {
            BOOST_TEST_INFO("row " << k << " column " << c);
            BOOST_TEST(all->index(static_cast<int>(k), c).data().toString()
                       == hil::gui::resultCell(expected, c, Qt::DisplayRole).toString());
        }
        BOOST_TEST(
            all->index(static_cast<int>(k), hil::gui::ResultModel::ColMessage)
                .data(Qt::ToolTipRole)
                .toString()
            == hil::gui::resultCell(expected, hil::gui::ResultModel::ColMessage, Qt::ToolTipRole).toString());
    }
    const qint64 failing = (base / (2 * 9973) + 1) * 2 * 9973; // a temperature spike
    BOOST_TEST(
        all->index(static_cast<int>(failing - base), hil::gui::ResultModel::ColVerdict).data().toString()
        == QStringLiteral("FAIL"));

    // Scrolled to the top, the view paints the oldest rows shown, read in pages; the cache stays bounded.
    const qint64 readBefore = all->pager().pagesRead();
    panel.view()->scrollToTop();
    panel.view()->viewport()->repaint();
    BOOST_TEST(all->pager().pagesRead() >= readBefore);
    const QModelIndex top = panel.view()->indexAt(QPoint(4, 4));
    BOOST_TEST(top.row() == 0);
    BOOST_TEST(top.data().toString() == hil::formatOffset(hil::gui::syntheticResult(base).startNs));
    for (qint64 k = 0; k < all->olderRows(); k += 7919)
        BOOST_TEST_REQUIRE(
            !all->index(static_cast<int>(k), hil::gui::ResultModel::ColStep).data().toString().isEmpty());
    BOOST_TEST(all->pager().cachedRows()
               <= hil::gui::ResultPager::kCachedPages * hil::gui::ResultPager::kPageRows);

    // Failures only: the window's failures (a proxy over millions of stored rows would map every one).
    panel.setFailuresOnly(true);
    int fails = 0;
    for (int r = 0; r < window.rowCount(); ++r)
        fails += window.index(r, hil::gui::ResultModel::ColVerdict)
                     .data(hil::gui::ColumnFilterProxy::kFilterRole)
                     .toString()
                 == u"FAIL";
    BOOST_TEST(fails > 0);
    BOOST_TEST(panel.proxy()->rowCount() == fails);
    BOOST_TEST(panel.view()->model() == panel.proxy());
    panel.setFailuresOnly(false);
    BOOST_TEST(panel.view()->model() == all);

    // The finished run from the file alone, as History shows it: its newest rows up to the bound, every
    // one in pages.
    hil::gui::ResultModel none;
    hil::gui::RunResultsModel stored(&none);
    BOOST_REQUIRE_MESSAGE(stored.showStoredRun(ws.db(), recorder->runId(), &error), error.toStdString());
    const qint64 shown = std::min<qint64>(kResults, hil::gui::RunResultsModel::kMaxRows);
    BOOST_TEST(stored.rowCount() == shown);
    BOOST_TEST(stored.hiddenRows() == kResults - shown);
    const auto valuesOf = [](qint64 i) {
        return hil::gui::resultCell(hil::gui::ResultRow::from(hil::gui::syntheticResult(i)),
                                    hil::gui::ResultModel::ColValues, Qt::DisplayRole)
            .toString();
    };
    BOOST_TEST(stored.index(0, hil::gui::ResultModel::ColTime).data().toString()
               == hil::gui::resultCell(hil::gui::ResultRow::from(hil::gui::syntheticResult(kResults - shown)),
                                       hil::gui::ResultModel::ColTime, Qt::DisplayRole)
                      .toString());
    BOOST_TEST(stored.index(0, hil::gui::ResultModel::ColValues).data().toString()
               == valuesOf(kResults - shown));
    BOOST_TEST(stored.index(static_cast<int>(shown - 1), hil::gui::ResultModel::ColValues).data().toString()
               == valuesOf(kResults - 1));
}

BOOST_AUTO_TEST_CASE(live_buffer_batches_and_bounds) {
    hil::gui::LiveBuffer buffer(hil::gui::LiveBuffer::Limits{10, 5, 5});
    hil::RunHeader info;
    info.scenario = QStringLiteral("s");
    buffer.runStarted(info);
    hil::RunCounts engineCounts; // what the runner counts and publishes after each result
    for (int i = 0; i < 25; ++i) {
        hil::StepResult r;
        r.step = QString::number(i);
        r.verdict = i % 5 == 0 ? hil::Verdict::Fail : hil::Verdict::Pass;
        buffer.stepFinished(r);
        engineCounts.add(r);
        buffer.countsChanged(engineCounts);
    }
    buffer.progress(3, 100, 1000);
    buffer.progress(4, 200, 1000);
    hil::gui::LiveBatch b = buffer.drain();
    BOOST_REQUIRE(b.started.has_value());
    BOOST_TEST(b.startMonoNs > 0);
    BOOST_TEST(b.results.size() <= 10);
    BOOST_TEST(b.results.size() + b.resultsDropped == 25);
    BOOST_TEST(b.results.last().step == QStringLiteral("24"));
    // Results beyond the bound are dropped for display; the counts the window shows are the engine's and
    // lose nothing.
    BOOST_TEST(b.resultsDropped > 0);
    BOOST_REQUIRE(b.counts.has_value());
    BOOST_TEST(b.counts->total() == 25);
    BOOST_TEST(b.counts->fail == 5);
    BOOST_REQUIRE(b.progress.has_value());
    BOOST_TEST(b.progress->iterationsDone == 4); // only the latest
    BOOST_TEST(buffer.drain().isEmpty());
}

BOOST_AUTO_TEST_CASE(manual_faults_are_validated_like_fault_steps) {
    hil::SourceErrors errors;
    const auto fixture = hil::loadFixture(source("fixtures/sim-bench.yaml"), &errors);
    BOOST_REQUIRE(fixture.has_value());
    const QStringList devices{QStringLiteral("sensor")};
    QString error;
    auto link = hil::gui::manualLinkFault(*fixture, devices, QStringLiteral("sensor"),
                                          QStringLiteral("latency:delay=50ms,jitter=5ms,for=2s"), &error);
    BOOST_REQUIRE_MESSAGE(link.has_value(), error.toStdString());
    BOOST_TEST((link->target == hil::FaultEntry::Target::Link));
    BOOST_TEST((link->link.kind == hil::LinkFaultSpec::Kind::Latency));
    BOOST_TEST(link->duration.has_value());
    BOOST_TEST(link->text.contains(QStringLiteral("latency")));

    BOOST_TEST(!hil::gui::manualLinkFault(*fixture, devices, QStringLiteral("sensor"),
                                          QStringLiteral("blackout:at=1s"), &error));
    BOOST_TEST(error.contains(QStringLiteral("at=")));
    BOOST_TEST(!hil::gui::manualLinkFault(*fixture, devices, QStringLiteral("sensor"),
                                          QStringLiteral("lag:delay=1ms"), &error));
    BOOST_TEST(!error.isEmpty());
    BOOST_TEST(!hil::gui::manualLinkFault(*fixture, devices, QStringLiteral("psu"),
                                          QStringLiteral("blackout"), &error));

    auto drift =
        hil::gui::manualDeviceFault(*fixture, devices, QStringLiteral("sensor"), QStringLiteral("drift"),
                                    QStringLiteral("channel=temp, rate=0.5"), QStringLiteral("3s"), &error);
    BOOST_REQUIRE_MESSAGE(drift.has_value(), error.toStdString());
    BOOST_TEST(drift->device.startCommand() == QStringLiteral("FAULT drift channel=temp rate=0.5"));
    BOOST_TEST(drift->duration->count() == 3'000'000'000LL);
    BOOST_TEST(!hil::gui::manualDeviceFault(*fixture, devices, QStringLiteral("sensor"),
                                            QStringLiteral("drift"), QStringLiteral("channel=temp"),
                                            QString(), &error));
    BOOST_TEST(error.contains(QStringLiteral("rate")));
    BOOST_TEST(!hil::gui::manualDeviceFault(*fixture, devices, QStringLiteral("sensor"),
                                            QStringLiteral("drift"), QStringLiteral("channel"), QString(),
                                            &error));

    auto cycle = hil::gui::manualPowerFault(*fixture, devices, QStringLiteral("sensor"),
                                            hil::PowerFaultSpec::Action::Cycle, QStringLiteral("2s"), &error);
    BOOST_REQUIRE_MESSAGE(cycle.has_value(), error.toStdString());
    BOOST_TEST(cycle->power.offTime.count() == 2'000'000'000LL);
}

BOOST_AUTO_TEST_CASE(fault_panel_offers_the_kinds_of_the_targets_link) {
    hil::SourceErrors errors;
    const auto fixture =
        hil::loadFixtureText(QByteArrayLiteral("devices:\n"
                                               "  meter: {udp: {host: 127.0.0.1, port: 9}}\n"
                                               "  gateway: {tcp: {host: 127.0.0.1, port: 9}}\n"),
                             QStringLiteral("bench.yaml"), &errors);
    BOOST_REQUIRE(fixture.has_value());
    const QStringList devices{QStringLiteral("meter"), QStringLiteral("gateway")};
    hil::gui::FaultPanel panel;
    panel.setBench(*fixture, devices);

    panel.setTarget(QStringLiteral("meter"));
    BOOST_TEST(panel.linkKinds().contains(QStringLiteral("duplicate")));
    BOOST_TEST(panel.linkKinds().contains(QStringLiteral("reorder")));
    BOOST_TEST(!panel.linkKinds().contains(QStringLiteral("slice")));
    BOOST_TEST(!panel.linkKinds().contains(QStringLiteral("drop_bytes")));
    BOOST_TEST(panel.linkPresets().contains(QStringLiteral("duplicate:p=0.01")));
    BOOST_TEST(panel.linkPresets().filter(QStringLiteral("slice")).isEmpty());
    BOOST_TEST(panel.linkPresets().size() == panel.linkKinds().size());
    const auto *help = panel.findChild<QLabel *>(QStringLiteral("linkFaultHelp"));
    BOOST_REQUIRE(help);
    BOOST_TEST(help->text().contains(QStringLiteral("duplicate")));
    BOOST_TEST(!help->text().contains(QStringLiteral("slice")));

    panel.setTarget(QStringLiteral("gateway"));
    BOOST_TEST(panel.linkKinds().contains(QStringLiteral("drop_bytes")));
    BOOST_TEST(panel.linkKinds().contains(QStringLiteral("slice")));
    BOOST_TEST(!panel.linkKinds().contains(QStringLiteral("duplicate")));
    BOOST_TEST(panel.linkPresets().contains(QStringLiteral("drop_bytes:p=0.01")));
    BOOST_TEST(panel.linkPresets().filter(QStringLiteral("duplicate")).isEmpty());
    BOOST_TEST(!help->text().contains(QStringLiteral("duplicate")));
    // Checked as typed against the target's link, and again when the target changes.
    panel.setLinkText(QStringLiteral("duplicate:p=0.1"));
    BOOST_TEST(panel.feedback().contains(QStringLiteral("acts on datagrams")), str(panel.feedback()));
    panel.setTarget(QStringLiteral("meter"));
    BOOST_TEST(panel.feedback().startsWith(QStringLiteral("✓")), str(panel.feedback()));

    // Every preset offered is a fault the panel accepts on that target; a cross-wise kind is refused with
    // the loaders' sentence.
    for (const QString &target : devices) {
        panel.setTarget(target);
        for (const QString &preset : panel.linkPresets()) {
            QString error;
            BOOST_TEST(hil::gui::manualLinkFault(*fixture, devices, target, preset, &error).has_value(),
                       str(target) << " " << str(preset) << ": " << str(error));
        }
    }
    QString error;
    BOOST_TEST(!hil::gui::manualLinkFault(*fixture, devices, QStringLiteral("meter"),
                                          QStringLiteral("slice:bytes=1"), &error));
    BOOST_TEST(error.contains(QStringLiteral("a udp link carries datagrams")));
    BOOST_TEST(!hil::gui::manualLinkFault(*fixture, devices, QStringLiteral("gateway"),
                                          QStringLiteral("duplicate:p=0.1"), &error));
    BOOST_TEST(error.contains(QStringLiteral("acts on datagrams")));
}

BOOST_AUTO_TEST_CASE(editor_lists_problems_by_line_and_jumps_there) {
    hil::SourceErrors errors;
    const auto fixture = hil::loadFixture(source("fixtures/sim-bench.yaml"), &errors);
    BOOST_REQUIRE(fixture.has_value());
    hil::gui::ScenarioEditor editor;
    QString error;
    BOOST_REQUIRE(editor.openFile(data("broken.yaml"), &error));
    BOOST_TEST(!editor.validate(&*fixture).has_value());
    QListWidget *list = editor.problemList();
    BOOST_REQUIRE(list->count() == 2);
    BOOST_TEST(list->item(0)->text().startsWith(QStringLiteral("Line 7, column 5: unknown key 'expext'")));
    BOOST_TEST(list->item(1)->text().startsWith(QStringLiteral("Line 11,")));
    emit list->itemActivated(list->item(1));
    BOOST_TEST(editor.editor()->currentLine() == 11);
    emit list->itemActivated(list->item(0));
    BOOST_TEST(editor.editor()->currentLine() == 7);

    // An edit is validated as it stands, before it is saved.
    QTextCursor c = editor.editor()->document()->find(QStringLiteral("expext"));
    BOOST_REQUIRE(!c.isNull());
    c.insertText(QStringLiteral("expect"));
    BOOST_TEST(editor.isModified());
    BOOST_TEST(!editor.validate(&*fixture).has_value());
    BOOST_TEST(list->count() == 1);

    // Highlighting: the comment on line 1 and the key on line 2 carry their formats.
    const auto formatAt = [&](int line, int column) {
        const QTextBlock block = editor.editor()->document()->findBlockByNumber(line - 1);
        for (const QTextLayout::FormatRange &r : block.layout()->formats()) {
            if (column - 1 >= r.start && column - 1 < r.start + r.length)
                return r.format;
        }
        return QTextCharFormat();
    };
    const hil::gui::YamlHighlighter *h = editor.highlighter();
    BOOST_TEST(formatAt(1, 1).foreground().color()
               == h->format(hil::gui::YamlHighlighter::Token::Comment).foreground().color());
    BOOST_TEST(formatAt(2, 1).foreground().color()
               == h->format(hil::gui::YamlHighlighter::Token::Keyword).foreground().color());
    BOOST_TEST(formatAt(6, 35).foreground().color()
               == h->format(hil::gui::YamlHighlighter::Token::String).foreground().color());
}

// The scenario language in the editor: an unknown variable is a problem at its line and column, a sweep
// of a block from an included file validates clean (the include is found next to the edited file, saved
// or not), and expressions have a colour of their own.
BOOST_AUTO_TEST_CASE(editor_validates_the_scenario_language) {
    hil::SourceErrors errors;
    const auto fixture = hil::loadFixture(source("fixtures/sim-bench.yaml"), &errors);
    BOOST_REQUIRE(fixture.has_value());
    QTemporaryDir dir;
    BOOST_REQUIRE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("language.yaml"));
    writeFile(path, "devices: [psu]\nsteps:\n  - send: '*IDN?'\n    expect: '^ACME'\n");
    BOOST_REQUIRE(QDir(dir.path()).mkpath(QStringLiteral("blocks")));
    writeFile(dir.filePath(QStringLiteral("blocks/set.yaml")),
              "blocks:\n"
              "  set:\n"
              "    params: {volts: ~}\n"
              "    steps:\n"
              "      - name: \"set ${volts} V\"\n"
              "        send: \"VOLT ${fmt('%.2f', volts)}\"\n"
              "        expect: '^OK$'\n");
    hil::gui::ScenarioEditor editor;
    QString error;
    BOOST_REQUIRE(editor.openFile(path, &error));
    const auto type = [&](const char *text) {
        QTextCursor c(editor.editor()->document());
        c.select(QTextCursor::Document);
        c.insertText(QString::fromUtf8(text));
    };

    type("devices: [psu]\n"
         "vars:\n"
         "  v_max: 3.3\n"
         "steps:\n"
         "  - send: \"VOLT ${nope * 2}\"\n"
         "    expect: '^OK$'\n");
    BOOST_TEST(editor.isModified());
    BOOST_TEST(!editor.validate(&*fixture).has_value());
    BOOST_REQUIRE(editor.errors().size() == 1);
    const hil::SourceError &e = editor.errors().front();
    BOOST_TEST(QFileInfo(e.file).fileName() == QStringLiteral("language.yaml"));
    BOOST_TEST(e.line == 5);
    BOOST_TEST(e.column == 19); // the n of nope
    BOOST_TEST(e.toString().contains(QStringLiteral("language.yaml:5:19: unknown variable 'nope'")));
    QListWidget *list = editor.problemList();
    BOOST_REQUIRE(list->count() == 1);
    BOOST_TEST(
        list->item(0)->text().startsWith(QStringLiteral("Line 5, column 19: unknown variable 'nope'")));
    emit list->itemActivated(list->item(0));
    BOOST_TEST(editor.editor()->currentLine() == 5);

    type("devices: [psu]\n"
         "include: blocks/set.yaml\n"
         "vars:\n"
         "  v_max: 3.3\n"
         "steps:\n"
         "  - use: {block: set, with: {volts: \"${V}\"}}\n"
         "    for_each: {V: {from: 3.0, to: \"${v_max}\", step: 0.1}}\n");
    const auto scenario = editor.validate(&*fixture);
    BOOST_REQUIRE_MESSAGE(scenario.has_value(),
                          (editor.errors().isEmpty() ? std::string("no errors")
                                                     : editor.errors().front().toString().toStdString()));
    BOOST_TEST(list->count() == 0);
    BOOST_REQUIRE(scenario->steps.size() == 4);
    BOOST_TEST(scenario->steps.front().name == QStringLiteral("set 3 V"));
    BOOST_TEST(QString::fromUtf8(scenario->steps.back().send->line) == QStringLiteral("VOLT 3.30"));

    // A problem inside the included file names that file, not a line of the editor.
    writeFile(dir.filePath(QStringLiteral("blocks/set.yaml")),
              "blocks:\n  set:\n    params: {volts: ~}\n    steps:\n      - send: \"${watts}\"\n"
              "        expect: '^OK$'\n");
    BOOST_TEST(!editor.validate(&*fixture).has_value());
    BOOST_REQUIRE(list->count() >= 1);
    BOOST_TEST(list->item(0)->text().startsWith(
        QStringLiteral("set.yaml: Line 5, column 18: unknown variable 'watts'")));

    // Highlighting: the new keys are keywords, an expression has its own colour, $${ is no expression.
    type("vars:\n"
         "  n: 2\n"
         "steps:\n"
         "  - send: \"X ${n * 2} $${n}\"\n"
         "    for_each: {n: [1, 2]}\n");
    const auto colourAt = [&](int line, int column) {
        const QTextBlock block = editor.editor()->document()->findBlockByNumber(line - 1);
        for (const QTextLayout::FormatRange &r : block.layout()->formats()) {
            if (column - 1 >= r.start && column - 1 < r.start + r.length)
                return r.format.foreground().color();
        }
        return QColor();
    };
    using Token = hil::gui::YamlHighlighter::Token;
    const hil::gui::YamlHighlighter *h = editor.highlighter();
    const QColor expression = h->format(Token::Expression).foreground().color();
    BOOST_TEST(colourAt(1, 1) == h->format(Token::Keyword).foreground().color()); // vars
    BOOST_TEST(colourAt(5, 5) == h->format(Token::Keyword).foreground().color()); // for_each
    BOOST_TEST(colourAt(4, 14) == expression);                                    // ${n * 2}
    BOOST_TEST(colourAt(4, 20) == expression);                                    // its }
    BOOST_TEST(colourAt(4, 11) == h->format(Token::String).foreground().color()); // X
    BOOST_TEST(colourAt(4, 23) == h->format(Token::String).foreground().color()); // $${n}
    BOOST_TEST(expression != h->format(Token::String).foreground().color());
}

BOOST_AUTO_TEST_CASE(bench_starts_simulators_and_assigns_ports) {
    hil::SourceErrors errors;
    const auto fixture = hil::loadFixture(source("fixtures/sim-bench.yaml"), &errors);
    BOOST_REQUIRE(fixture.has_value());
    hil::gui::BenchPanel bench;
    bench.setFixture(*fixture);
    BOOST_TEST((bench.state(QStringLiteral("sensor")) == hil::gui::BenchPanel::State::Idle));
    BOOST_REQUIRE(bench.startSimulator(QStringLiteral("sensor")));
    BOOST_REQUIRE(waitUntil(
        [&] { return bench.state(QStringLiteral("sensor")) == hil::gui::BenchPanel::State::Simulating; },
        10000));
    BOOST_TEST(bench.simulatorRunning(QStringLiteral("sensor")));
    bench.stopSimulator(QStringLiteral("sensor"));
    BOOST_TEST(!bench.simulatorRunning(QStringLiteral("sensor")));
    BOOST_TEST((bench.state(QStringLiteral("sensor")) == hil::gui::BenchPanel::State::Idle));

    // A port assigned here changes the fixture of the next run, not the file.
    BOOST_REQUIRE(bench.assignPort(QStringLiteral("sensor-b"), QStringLiteral("/dev/ttyUSB7")));
    const hil::DeviceConfig *d = bench.fixture().device(QStringLiteral("sensor-b"));
    BOOST_REQUIRE(d);
    BOOST_TEST((d->kind == hil::DeviceConfig::Kind::Serial));
    BOOST_TEST(d->serial.port == QStringLiteral("/dev/ttyUSB7"));
    BOOST_TEST(!bench.startSimulator(QStringLiteral("sensor-b"))); // no longer simulated
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(app)

BOOST_AUTO_TEST_CASE(run_with_manual_fault_then_history) {
    Workspace ws;
    // A run recorded by the command line first, as the baseline to compare with.
    const HilResult cli = runHil({QStringLiteral("run"), data("short.yaml"), QStringLiteral("--fixture"),
                                  source("fixtures/sim-bench.yaml"), QStringLiteral("--db"), ws.db(),
                                  QStringLiteral("--quiet")},
                                 ws.dir.path());
    BOOST_REQUIRE_MESSAGE(cli.finished && cli.exitCode == 0, str(cli.err));

    auto w = benchWindow(ws, "short.yaml");
    BOOST_TEST(w->historyPanel()->runCount() == 1);
    BOOST_TEST(w->benchPanel()->fixture().name == QStringLiteral("sim-bench"));
    BOOST_REQUIRE(w->startRun());
    BOOST_TEST(w->statusPanel()->badge()->text() == QStringLiteral("RUNNING"));

    // Results arrive in batches, counters and plots follow.
    BOOST_REQUIRE(waitUntil([&] { return w->resultModel()->rowCount() >= 4; }, 15000));
    BOOST_TEST((w->benchPanel()->state(QStringLiteral("sensor")) == hil::gui::BenchPanel::State::Ready));
    BOOST_TEST((w->benchPanel()->state(QStringLiteral("sensor-b")) == hil::gui::BenchPanel::State::Unused));

    // A bad fault is refused in the panel, and the run goes on.
    hil::gui::FaultPanel *faults = w->faultPanel();
    faults->setTarget(QStringLiteral("sensor"));
    faults->setLinkText(QStringLiteral("latency:delay=nonsense"));
    BOOST_TEST(!faults->inject());
    BOOST_TEST(!faults->feedback().isEmpty());
    BOOST_TEST(w->controller()->isActive());

    // A fault by hand: its event appears, its window is shaded, the bench shows it.
    faults->setLinkText(QStringLiteral("latency:delay=20ms,for=300ms"));
    BOOST_REQUIRE(faults->inject());
    const auto manualEvent = [&] {
        const QStringList kinds = column(w->eventModel(), hil::gui::EventModel::ColKind);
        const QStringList details = column(w->eventModel(), hil::gui::EventModel::ColDetail);
        for (int i = 0; i < kinds.size(); ++i) {
            if (kinds[i] == u"fault-start" && details[i].startsWith(u"manual"))
                return true;
        }
        return false;
    };
    BOOST_REQUIRE(waitUntil(manualEvent, 5000));
    BOOST_REQUIRE(waitUntil([&] { return !w->plotPanel()->faultWindows().isEmpty(); }, 2000));
    BOOST_TEST(w->plotPanel()->faultWindows().first().manual);

    // The event log filters by kind and by device.
    hil::gui::EventLogPanel *log = w->eventLogPanel();
    log->setKindFilter(QStringLiteral("fault-start"));
    BOOST_TEST(log->proxy()->rowCount() == 1);
    log->setKindFilter(QString());
    log->setDeviceFilter(QStringLiteral("sensor"));
    BOOST_TEST(log->proxy()->rowCount() >= 2);
    BOOST_TEST(log->proxy()->rowCount() < w->eventModel()->rowCount()); // not the supply's
    log->setDeviceFilter(QString());

    BOOST_REQUIRE(waitUntil([&] { return finished(*w); }, 20000));
    BOOST_TEST(hil::verdictName(*w->lastVerdict()) == QStringLiteral("PASS"));
    BOOST_TEST(w->statusPanel()->badge()->text() == QStringLiteral("PASS"));
    BOOST_TEST(w->statusPanel()->counter(QStringLiteral("fail")) == QStringLiteral("0"));
    BOOST_TEST(w->counts().pass >= 20);
    BOOST_TEST(w->resultModel()->rowCount() == w->counts().total());
    BOOST_TEST(w->plotPanel()->measurementPlots().size() == 2);
    BOOST_TEST(w->plotPanel()->latencyPlot()->pointCount() >= 20);
    BOOST_TEST(w->plotPanel()->measurementPlots().first()->valueText().endsWith(QStringLiteral("degC")));
    BOOST_TEST(w->trafficConsole()->lineCount() >= 20); // exchanges are recorded by default
    BOOST_TEST(w->trafficConsole()->text()->toPlainText().contains(QStringLiteral("READ? TEMP")));
    // The plot window: a run of 2.x s shows as the first 10 s, also in the last-minute window (which
    // slides only once the run is longer than a minute).
    w->plotPanel()->setSpan(hil::gui::PlotPanel::Span::WholeRun);
    BOOST_TEST(w->plotPanel()->latencyPlot()->timeRange().first == 0.0);
    BOOST_TEST(w->plotPanel()->latencyPlot()->timeRange().second == 10.0);
    w->plotPanel()->refresh(75);
    BOOST_TEST(w->plotPanel()->latencyPlot()->timeRange().second == 100.0);
    w->plotPanel()->setSpan(hil::gui::PlotPanel::Span::LastMinute);
    BOOST_TEST(w->plotPanel()->latencyPlot()->timeRange().first == 15.0);
    BOOST_TEST(w->plotPanel()->latencyPlot()->timeRange().second == 75.0);
    // Filtered to failures: none.
    w->resultsPanel()->setFailuresOnly(true);
    BOOST_TEST(w->resultsPanel()->proxy()->rowCount() == 0);
    w->resultsPanel()->setFailuresOnly(false);

    // The database has the run, its manual fault, and the DUT's identity the setup recorded.
    const Database db(ws.db());
    const qint64 runId = w->lastRunId();
    BOOST_TEST(runId == 2);
    BOOST_TEST(db.count("SELECT count(*) FROM faults WHERE run_id = 2 AND manual = 1") == 1);
    BOOST_TEST(str(db.value("SELECT verdict FROM runs WHERE id = 2")) == "PASS");
    BOOST_TEST(db.count("SELECT count(*) FROM exchanges WHERE run_id = 2") > 0);

    // History: both runs, open the new one, compare it with the CLI's, export it in every format.
    hil::gui::HistoryPanel *history = w->historyPanel();
    BOOST_TEST(history->runCount() == 2);
    history->openRun(runId);
    BOOST_REQUIRE(waitUntil([&] { return history->openRunId() == runId && !history->isLoading(); }, 15000));
    const hil::report::ReportModel *model = history->summary()->model();
    BOOST_REQUIRE(model);
    BOOST_TEST(model->verdict == QStringLiteral("PASS"));
    BOOST_TEST(model->title == QStringLiteral("gui-short"));
    BOOST_TEST(history->summary()->chartCount() >= 3);
    // Its step results, from the file: as many as the run counted, the first the setup's identify.
    BOOST_TEST(history->runResults()->rowCount() == w->counts().total());
    BOOST_TEST(history->runResults()->index(0, hil::gui::ResultModel::ColPhase).data().toString()
               == QStringLiteral("setup"));
    BOOST_TEST(model->faults.has_value());

    history->compareRuns(1, 2);
    BOOST_REQUIRE(waitUntil(
        [&] {
            return !history->isLoading() && history->summary()->model()
                   && history->summary()->model()->comparison.has_value();
        },
        15000));
    // Open report: any run's HTML report, written by the pipeline `hil report` uses, in a file of its own.
    for (const qint64 id : {qint64{1}, runId}) {
        QString reportError;
        const QString reportPath = history->writeRunReport(id, &reportError);
        BOOST_REQUIRE_MESSAGE(!reportPath.isEmpty(), reportError.toStdString());
        QFile report(reportPath);
        BOOST_REQUIRE(report.open(QIODevice::ReadOnly));
        const QString page = QString::fromUtf8(report.readAll());
        const std::string uuid =
            str(db.value(QStringLiteral("SELECT uuid FROM runs WHERE id = %1").arg(id).toUtf8().constData()));
        BOOST_TEST(page.contains(QString::fromStdString(uuid)));
        BOOST_TEST(page.contains(QStringLiteral("PASS")));
        BOOST_TEST(page.contains(QStringLiteral("gui-short")));
    }
    QString missingError;
    BOOST_TEST(history->writeRunReport(99, &missingError).isEmpty());
    BOOST_TEST(missingError.contains(QStringLiteral("99")));

    for (const auto &[format, name] : {std::pair{hil::gui::HistoryPanel::Format::Html, "run.html"},
                                       std::pair{hil::gui::HistoryPanel::Format::Pdf, "run.pdf"},
                                       std::pair{hil::gui::HistoryPanel::Format::JUnit, "junit.xml"},
                                       std::pair{hil::gui::HistoryPanel::Format::Json, "run.json"},
                                       std::pair{hil::gui::HistoryPanel::Format::Csv, "csv"}}) {
        QString error;
        BOOST_TEST_INFO(name);
        BOOST_TEST(history->exportRun(format, ws.path(name), &error), error.toStdString());
    }
    QFile html(ws.path("run.html"));
    BOOST_REQUIRE(html.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(html.readAll());
    BOOST_TEST(text.contains(QStringLiteral("gui-short")));
    BOOST_TEST(QFileInfo(ws.path("run.pdf")).size() > 1000);
    BOOST_TEST(QFileInfo::exists(ws.path("csv") + QStringLiteral("/step_results.csv")));
    QFile junit(ws.path("junit.xml"));
    BOOST_REQUIRE(junit.open(QIODevice::ReadOnly));
    BOOST_TEST(junit.readAll().contains("read temperature"));
}

BOOST_AUTO_TEST_CASE(closing_during_a_run_asks_then_stops_cleanly) {
    Workspace ws;
    auto w = benchWindow(ws, "long.yaml");
    BOOST_REQUIRE(w->startRun());
    BOOST_REQUIRE(waitUntil([&] { return w->resultModel()->rowCount() >= 3; }, 15000));

    int asked = 0;
    w->setCloseConfirmation([&] {
        ++asked;
        return false;
    });
    BOOST_TEST(!w->close()); // refused: the run goes on
    BOOST_TEST(asked == 1);
    BOOST_TEST(w->controller()->isActive());

    w->setCloseConfirmation([&] {
        ++asked;
        return true;
    });
    w->close();
    BOOST_TEST(asked == 2);
    BOOST_REQUIRE(waitUntil([&] { return !w->isVisible(); }, 15000));
    BOOST_TEST(!w->controller()->isActive());
    BOOST_REQUIRE(w->lastVerdict().has_value());
    BOOST_TEST(hil::verdictName(*w->lastVerdict()) == QStringLiteral("ABORT"));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs WHERE id = 1")) == "ABORT");
    BOOST_TEST(db.count("SELECT count(*) FROM runs WHERE ended_at_ns IS NULL") == 0);
    // The simulators went with the run (none exited on its own), and the layout was saved.
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'sim-exit'") == 0);
    BOOST_TEST(QSettings().contains(QStringLiteral("window/state")));
}

BOOST_AUTO_TEST_CASE(destroying_the_window_during_a_run_tears_it_down) {
    Workspace ws;
    auto w = benchWindow(ws, "long.yaml");
    BOOST_REQUIRE(w->startRun());
    BOOST_REQUIRE(waitUntil([&] { return w->resultModel()->rowCount() >= 1; }, 15000));
    w.reset(); // the application quits: the controller aborts the run and waits for its teardown
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs WHERE id = 1")) == "ABORT");
    BOOST_TEST(str(db.value("SELECT reason FROM runs WHERE id = 1")) == "the application was closed");
}

BOOST_AUTO_TEST_CASE(pause_and_resume) {
    Workspace ws;
    auto w = benchWindow(ws, "long.yaml");
    BOOST_REQUIRE(w->startRun());
    BOOST_REQUIRE(waitUntil([&] { return w->resultModel()->rowCount() >= 2; }, 15000));
    w->togglePause();
    BOOST_TEST(w->statusPanel()->badge()->text() == QStringLiteral("PAUSED"));
    BOOST_REQUIRE(waitUntil(
        [&] {
            return column(w->eventModel(), hil::gui::EventModel::ColKind).contains(QStringLiteral("pause"));
        },
        5000));
    // Nothing new starts while paused (the step under way, if any, still finishes).
    const int rows = w->resultModel()->rowCount();
    BOOST_TEST(!waitUntil([&] { return w->resultModel()->rowCount() > rows + 1; }, 700));
    w->togglePause();
    BOOST_REQUIRE(waitUntil([&] { return w->resultModel()->rowCount() > rows + 2; }, 5000));
    w->stopRun();
    BOOST_REQUIRE(waitUntil([&] { return finished(*w); }, 15000));
    BOOST_TEST(hil::verdictName(*w->lastVerdict()) == QStringLiteral("ABORT"));
    BOOST_TEST(w->statusPanel()->badge()->text() == QStringLiteral("ABORT"));
}

// The operator view (F11) draws the run large from the status panel, hides the docks while shown and
// brings them back as they were. HIL_GUI_SHOTS=DIR keeps a picture of it.
BOOST_AUTO_TEST_CASE(operator_view_shows_the_run_large_and_gives_the_layout_back) {
    Workspace ws;
    auto w = benchWindow(ws, "short.yaml");
    const auto visibleDocks = [&] {
        int n = 0;
        for (QDockWidget *d : w->findChildren<QDockWidget *>())
            n += d->isVisible() ? 1 : 0;
        return n;
    };
    const int docks = visibleDocks();
    BOOST_TEST_REQUIRE(docks > 0);
    BOOST_REQUIRE(w->startRun());
    w->setOperatorView(true);
    BOOST_TEST(w->operatorViewShown());
    BOOST_TEST(w->operatorView()->isVisible());
    BOOST_TEST(visibleDocks() == 0);
    BOOST_TEST(w->statusPanel()->glance().verdict == QStringLiteral("RUNNING"));
    BOOST_REQUIRE(waitUntil([&] { return finished(*w); }, 30000));
    const hil::gui::RunStatusPanel::Glance g = w->statusPanel()->glance();
    BOOST_TEST(g.verdict == QStringLiteral("PASS"));
    BOOST_TEST(g.final);
    BOOST_TEST(g.progress == 1.0);
    BOOST_TEST(g.pass.toLongLong() == w->counts().pass);
    // Drawn, at the window's size, with the verdict's colour filling its band.
    w->resize(1280, 800);
    const QImage shot = w->operatorView()->grab().toImage();
    BOOST_TEST(shot.width() > 600);
    const QColor band = shot.pixelColor(shot.width() / 8, shot.height() / 20 + 12);
    BOOST_TEST(band == g.color, band.name().toStdString() << " vs " << g.color.name().toStdString());
    if (const QByteArray dir = qgetenv("HIL_GUI_SHOTS"); !dir.isEmpty())
        shot.save(QString::fromLocal8Bit(dir) + QStringLiteral("/operator-view.png"));
    w->setOperatorView(false);
    BOOST_TEST(!w->operatorViewShown());
    BOOST_TEST(visibleDocks() == docks);
}

// The dialog of a prompt step, on screen while the run waits; nullptr while there is none.
QDialog *promptDialog() {
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (w->objectName() == u"promptDialog" && w->isVisible())
            return qobject_cast<QDialog *>(w);
    }
    return nullptr;
}

BOOST_AUTO_TEST_CASE(a_prompt_is_a_dialog_and_its_answer_a_variable) {
    Workspace ws;
    auto w = benchWindow(ws, "prompt.yaml");
    BOOST_REQUIRE(w->startRun());
    BOOST_REQUIRE_MESSAGE(waitUntil([&] { return promptDialog() != nullptr; }, 20000), "no prompt dialog");
    QDialog *dialog = promptDialog();
    BOOST_TEST(dialog->findChild<QLabel *>(QStringLiteral("promptText"))->text()
               == QStringLiteral("Type the serial number printed on the DUT's label"));
    if (const QByteArray shot = qgetenv("HIL_PROMPT_SCREENSHOT"); !shot.isEmpty())
        dialog->grab().save(QString::fromLocal8Bit(shot));
    dialog->findChild<QLineEdit *>(QStringLiteral("promptLine"))->setText(QStringLiteral("SN0001"));
    dialog->findChild<QPushButton *>(QStringLiteral("promptOk"))->click();
    BOOST_REQUIRE(waitUntil([&] { return finished(*w); }, 20000));
    BOOST_TEST(hil::verdictName(*w->lastVerdict()) == QStringLiteral("PASS"));
    BOOST_TEST(promptDialog() == nullptr);
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT response FROM step_results WHERE step = 'prompt label'")) == "SN0001");
    BOOST_TEST(str(db.value("SELECT verdict FROM step_results WHERE step = 'label is the device''s serial'"))
               == "PASS");

    // Closed without an answer: the step is an ERROR saying so, and the run ends.
    BOOST_REQUIRE(w->startRun());
    BOOST_REQUIRE(waitUntil([&] { return promptDialog() != nullptr; }, 20000));
    promptDialog()->findChild<QPushButton *>(QStringLiteral("promptCancel"))->click();
    BOOST_REQUIRE(waitUntil([&] { return finished(*w); }, 20000));
    BOOST_TEST(hil::verdictName(*w->lastVerdict()) == QStringLiteral("ERROR"));
    BOOST_TEST(str(db.value("SELECT message FROM step_results WHERE step = 'prompt label' ORDER BY id DESC"))
                   .find("cancelled")
               != std::string::npos);

    // Stopped while the question is open: the dialog goes away with the run.
    BOOST_REQUIRE(w->startRun());
    BOOST_REQUIRE(waitUntil([&] { return promptDialog() != nullptr; }, 20000));
    w->stopRun();
    BOOST_REQUIRE(waitUntil([&] { return finished(*w); }, 20000));
    BOOST_TEST(hil::verdictName(*w->lastVerdict()) == QStringLiteral("ABORT"));
    BOOST_TEST(waitUntil([&] { return promptDialog() == nullptr; }, 5000));
}

// Under Xvfb (test_gui_xvfb): the main window during and after a showcase run, saved as PNG files.
BOOST_AUTO_TEST_CASE(screenshots, *boost::unit_test::disabled()) {
    Workspace ws;
    const QString out = QStringLiteral(HIL_GUI_SCREENSHOT_DIR);
    BOOST_REQUIRE(QDir().mkpath(out));
    auto w = benchWindow(ws, "showcase.yaml");
    w->resize(1600, 1000);
    w->trafficConsole()->setDevice(QStringLiteral("sensor"));
    BOOST_REQUIRE(w->startRun());
    // 20 results a second: the manual fault at 3 s (over before the drift starts at 5 s), the picture at
    // 8 s, with the drift past its limit.
    BOOST_REQUIRE(waitUntil([&] { return w->resultModel()->rowCount() >= 60; }, 15000));
    w->faultPanel()->setLinkText(QStringLiteral("latency:delay=40ms,jitter=10ms,for=1s"));
    BOOST_REQUIRE(w->faultPanel()->inject());
    BOOST_REQUIRE(waitUntil([&] { return w->resultModel()->rowCount() >= 150; }, 15000));
    const auto shoot = [&](const char *name) {
        QCoreApplication::sendPostedEvents(); // queued replots
        QCoreApplication::processEvents();
        BOOST_TEST(w->grab().save(out + u'/' + QString::fromUtf8(name)));
    };
    shoot("bench-running.png");
    QDockWidget *traffic = w->findChild<QDockWidget *>(QStringLiteral("trafficDock"));
    BOOST_REQUIRE(traffic);
    traffic->raise();
    shoot("bench-traffic.png");
    BOOST_REQUIRE(waitUntil([&] { return finished(*w); }, 20000));
    shoot("bench-finished.png");
    w->showTab(1);
    shoot("bench-scenario.png");
    w->showTab(2);
    w->historyPanel()->openRun(w->lastRunId());
    BOOST_REQUIRE(waitUntil([&] { return w->historyPanel()->openRunId() == w->lastRunId(); }, 15000));
    shoot("bench-history.png");
    BOOST_TEST_MESSAGE("screenshots in " << str(out));
}

// The scenario editor on the example sweep (the scenario language's keys and expressions), saved as
// scenario-editor-language.png; run by name, like the screenshots above.
BOOST_AUTO_TEST_CASE(history_compare_screenshot, *boost::unit_test::disabled()) {
    // Two runs recorded by the command line, compared in History as docs/images/history-compare.png shows.
    Workspace ws;
    for (int i = 0; i < 2; ++i) {
        const HilResult cli = runHil({QStringLiteral("run"), data("short.yaml"), QStringLiteral("--fixture"),
                                      source("fixtures/sim-bench.yaml"), QStringLiteral("--db"), ws.db(),
                                      QStringLiteral("--quiet")},
                                     ws.dir.path());
        BOOST_REQUIRE_MESSAGE(cli.finished && cli.exitCode == 0, str(cli.err));
    }
    const QString out = QStringLiteral(HIL_GUI_SCREENSHOT_DIR);
    BOOST_REQUIRE(QDir().mkpath(out));
    auto w = std::make_unique<MainWindow>();
    w->setDatabasePath(ws.db());
    w->resize(1400, 1500);
    w->show();
    w->showTab(2);
    hil::gui::HistoryPanel *history = w->historyPanel();
    history->selectRuns({1, 2});
    history->compareRuns(1, 2);
    BOOST_REQUIRE(waitUntil(
        [&] {
            return !history->isLoading() && history->summary()->model()
                   && history->summary()->model()->comparison.has_value();
        },
        15000));
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    BOOST_TEST(history->grab().save(out + QStringLiteral("/history-compare.png")));
    BOOST_TEST_MESSAGE("screenshot in " << str(out));
}

BOOST_AUTO_TEST_CASE(language_screenshot, *boost::unit_test::disabled()) {
    const auto fixture = hil::loadFixture(source("fixtures/sim-bench.yaml"), nullptr);
    BOOST_REQUIRE(fixture.has_value());
    const QString out = QStringLiteral(HIL_GUI_SCREENSHOT_DIR);
    BOOST_REQUIRE(QDir().mkpath(out));
    hil::gui::ScenarioEditor editor;
    QString error;
    BOOST_REQUIRE(editor.openFile(source("scenarios/psu-sweep.yaml"), &error));
    editor.resize(1100, 740);
    editor.show();
    BOOST_TEST(editor.validate(&*fixture).has_value());
    QCoreApplication::processEvents();
    BOOST_TEST(editor.grab().save(out + QStringLiteral("/scenario-editor-language.png")));
    BOOST_TEST_MESSAGE("screenshot in " << str(out));
}

BOOST_AUTO_TEST_SUITE_END()
