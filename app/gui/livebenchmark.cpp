#include "livebenchmark.h"

#include "core/config/scenario.h"
#include "core/store/recorder.h"
#include "eventlogpanel.h"
#include "eventmodel.h"
#include "livebuffer.h"
#include "livefeed.h"
#include "liveplot.h"
#include "plotpanel.h"
#include "resultmodel.h"
#include "resultspanel.h"
#include "runresultsmodel.h"

#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QTemporaryDir>
#include <QTextStream>
#include <QWidget>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hil::gui {

namespace {

// This process's resident set (VmRSS), in MiB; 0 where /proc is not there.
double residentMiB() {
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

// What the allocator holds: in use by the program, and free but kept (glibc), in MiB.
QString heapFigures() {
#if defined(__GLIBC__)
    const struct mallinfo2 m = mallinfo2();
    const auto mib = [](std::size_t b) {
        return QString::number(static_cast<double>(b) / 1048576.0, 'f', 1);
    };
    return QStringLiteral(" heap-in-use=%1 heap-free-kept=%2 mmapped=%3")
        .arg(mib(m.uordblks), mib(m.fordblks), mib(m.hblkhd));
#else
    return {};
#endif
}

} // namespace

int runLiveBenchmark(long long results, QTextStream &out) {
    QWidget window;
    auto *layout = new QHBoxLayout(&window);
    ResultModel resultModel;
    EventModel eventModel;
    auto *plots = new PlotPanel(&window);
    auto *table = new ResultsPanel(&resultModel, &window);
    auto *log = new EventLogPanel(&eventModel, &window);
    layout->addWidget(plots, 3);
    layout->addWidget(table, 2);
    layout->addWidget(log, 1);
    window.resize(1600, 900);
    window.show();
    plots->beginRun(Scenario{});
    plots->setSpan(PlotPanel::Span::WholeRun);
    QCoreApplication::processEvents();

    const double startMiB = residentMiB();
    out << "live-benchmark results=" << results << " platform=" << QGuiApplication::platformName()
        << " drain=40ms\n";
    out << "rss results=0 MiB=" << QString::number(startMiB, 'f', 1) << heapFigures() << '\n';
    out.flush();
    // Recorded as a run records (the recorder is in the app's process too), and the table reads the rows
    // that left its window back from the file.
    // HIL_BENCH_LIVE_RECORD=0 leaves the recorder out: the window's own memory alone.
    const bool record = qEnvironmentVariable("HIL_BENCH_LIVE_RECORD") != u"0";
    QTemporaryDir dir;
    QString error;
    std::unique_ptr<Recorder> recorder;
    if (record) {
        recorder = Recorder::open(dir.filePath(QStringLiteral("live.db")), &error);
        if (!recorder) {
            out << "live-benchmark: " << error << '\n';
            return 3;
        }
    }
    out << "recording=" << (record ? "yes" : "no") << '\n';
    LiveBuffer buffer;
    QElapsedTimer clock;
    clock.start();
    qint64 nextReport = 1'000'000;
    double peakMiB = startMiB;
    QList<ResultListener *> others;
    if (recorder)
        others.append(recorder.get());
    feedLive(results, &buffer, others, LiveFeedViews{&resultModel, &eventModel, plots}, 40,
             [&](qint64 reported) {
                 if (recorder && !table->allResults()->pager().isOpen() && recorder->runId() > 0)
                     table->allResults()->attachDatabase(recorder->path(), recorder->runId(), &error);
                 // Someone scrolled to the oldest row the table shows: a page read from the file.
                 if (table->allResults()->olderRows() > 0)
                     table->allResults()->index(0, 0).data();
                 const double rss = residentMiB();
                 peakMiB = std::max(peakMiB, rss);
                 while (reported >= nextReport) {
                     out << "rss results=" << nextReport << " MiB=" << QString::number(rss, 'f', 1)
                         << " s=" << QString::number(static_cast<double>(clock.elapsed()) / 1e3, 'f', 1)
                         << heapFigures() << '\n';
                     out.flush();
                     nextReport += 1'000'000;
                 }
             });
    if (recorder)
        recorder->close();
    const double endMiB = residentMiB();
    const double seconds = static_cast<double>(clock.elapsed()) / 1e3;
    qsizetype held = 0;
    for (LivePlot *p : plots->measurementPlots())
        held += p->pointCount();
    held += plots->latencyPlot()->pointCount();
    out << "rss end results=" << results << " MiB=" << QString::number(endMiB, 'f', 1)
        << " peak=" << QString::number(peakMiB, 'f', 1)
        << " growth=" << QString::number(endMiB - startMiB, 'f', 1) << " bytes/result="
        << QString::number((endMiB - startMiB) * 1048576.0 / static_cast<double>(results), 'f', 2)
        << " s=" << QString::number(seconds, 'f', 1)
        << " results/s=" << QString::number(static_cast<double>(results) / seconds, 'f', 0) << '\n';
    // Results the LiveBuffer dropped before a drain (the GUI thread fell behind) never reached the table.
    const qint64 skipped = resultModel.nextSequence() - resultModel.droppedRows() - resultModel.rowCount();
    out << "held table-rows=" << resultModel.rowCount() << " left-the-window=" << resultModel.droppedRows()
        << " dropped-before-drain=" << skipped << " events=" << eventModel.rowCount()
        << " table-rows=" << table->allResults()->rowCount()
        << " pages-read=" << table->allResults()->pager().pagesRead() << " plot-points-held=" << held
        << " plot-points-added=" << plots->pointCount() << '\n';
    out.flush();
    return 0;
}

} // namespace hil::gui
