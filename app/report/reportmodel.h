#pragma once

#include "core/analysis/runstatistics.h"

#include <QList>
#include <QString>
#include <utility>

namespace hil {
struct RunComparison;
}

namespace hil::report {

// What a report says, decided once for every format: the HTML and PDF writers lay this out, each in its
// own way, so that both carry the same content. Strings here are printable (controls and bidirectional
// overrides escaped, see core/printable.h) but not yet escaped for any markup.

enum class Tone { Neutral, Good, Bad, Warn, Error, Muted };

// The tone of a verdict name: PASS good, FAIL bad, ERROR error, ABORT and RUNNING muted.
Tone verdictTone(const QString &verdict);

struct Cell {
    QString text;
    Tone tone = Tone::Neutral;
    bool strong = false;
    bool mono = false;
    QString hint; // a longer text for a tooltip (HTML only)
};

struct Column {
    QString title;
    bool numeric = false; // right-aligned, tabular figures
    double width = 1;     // share of the table's width in the PDF
};

struct Table {
    QString id;
    QString title;
    QString note; // a line under the title
    QList<Column> columns;
    QList<QList<Cell>> rows;
    QString empty; // shown instead of an empty table
};

struct Tile {
    QString label;
    QString value;
    QString sub;
    Tone tone = Tone::Neutral;
};

struct MetaItem {
    QString label;
    QString value;
    bool mono = false;
};

enum class ChartKind { LatencyOverTime, LatencyHistogram, Availability, Measurement, Sweep };

struct Chart {
    ChartKind kind;
    int index = 0; // the measurement, for ChartKind::Measurement; the sweep, for ChartKind::Sweep
    QString id;
    QString title;
    QString caption;
    int height = 300; // CSS pixels at the HTML report's width
};

struct ExchangeItem {
    QString time;
    bool toDevice = false;
    QString text;
    QList<std::pair<qsizetype, qsizetype>> escapes;
};

struct FailureItem {
    QString time; // "00:01:02.345"
    QString step; // "read temperature"
    QString device;
    QString verdict; // FAIL or ERROR
    QString context; // "iteration 61 · answered after 120 µs"
    QString message; // why it failed
    QString answer;  // what the device sent, printable
    QList<std::pair<qsizetype, qsizetype>> answerEscapes;
    QString answerNote; // "(nothing)" or "(first 4096 of 81920 bytes)"
    Tone tone = Tone::Bad;
    QList<ExchangeItem> exchanges;
};

struct ReportModel {
    QString title;    // scenario name
    QString subtitle; // run id and uuid
    QString verdict;
    Tone verdictTone = Tone::Neutral;
    QString headline; // the worst problem, or that all went well
    QString headlineDetail;
    QList<Finding> findings; // worst first, at most 8
    int moreFindings = 0;
    QList<MetaItem> meta;
    // "What broke" for a run that did not pass, "What the PASS rests on" for one that did
    // (analysis/whatbroke.h): first failure, clusters, worst steps, recoveries, latency in and out of faults.
    QString whatBrokeTitle;
    QList<MetaItem> whatBroke;
    QList<Tile> tiles;
    std::optional<Table> comparison;
    Table steps;
    QList<Chart> charts; // latency, histogram, availability
    Table measurements;
    QList<Chart> measurementCharts;
    // Measurements of swept steps against the swept values: a chart and a table per sweep (none for a run
    // without swept steps, and then no section).
    struct Sweep {
        Chart chart;
        Table table;
    };
    QList<Sweep> sweeps;
    QString sweepsNote;
    std::optional<Table> faults;
    QList<FailureItem> failures; // the first failures of every failing step and of the run, in time order
    QString failuresNote;
    Table failuresTable; // the same as a plain table (the PDF lays it out like the others)
    Table events;
    QString eventsNote;
    QString footer;
};

// Builds the model of a run's report; comparison, if given, adds the baseline table and its findings.
ReportModel buildReportModel(const RunStatistics &stats, const RunComparison *comparison,
                             const QString &databasePath);

} // namespace hil::report
