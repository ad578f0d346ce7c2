#pragma once

#include "core/config/streamspec.h"
#include "core/run/results.h"

#include <QByteArray>
#include <QMap>
#include <QSet>
#include <QString>
#include <optional>

namespace hil {

// The bookkeeping of one stream window, without I/O or a clock: lines go in with their receive times
// (monotonic ns), a verdict per line comes out, and at the end of the window the verdict of the stream
// (rate, largest gap, whether it stopped, how many lines were bad). StreamWatch feeds it from a session;
// tests feed it synthetic times.
//
// Rows: every line of the stream gets a row (StepResult) until the window's cap; after that lines are
// only counted and the summary says how many went unwritten, so a flooding device cannot flood the store.
//
// When has a stream stopped? When the silence from its last line to the end of the window is longer than
// max_gap if the step sets one, else than three periods at rate min if it sets one, else than five mean
// intervals (at least 1 s).
//
// Sequences (`sequence:`): each line's number (a capture) is tallied per key, the topic on MQTT (the frame
// text's first line) and one key otherwise. A number seen before is a duplicate; one below the highest
// seen so far is reordered (it arrives after a later one); numbers missing between the lowest and the
// highest seen at the end of the window are lost. The three are summary measurements.
class StreamTally {
public:
    static constexpr qint64 kMinRowsPerWindow = 1000;
    static constexpr qint64 kRowsPerSecond = 100;

    struct Line {
        Verdict verdict = Verdict::Pass;
        QString message;
        qint64 intervalNs = -1; // since the stream's previous line; -1 for the first, or across a stall
        bool recorded = true;   // false beyond the window's row cap: counted, not written
    };

    // `sent`: the step sent a request before watching (a "start streaming" command), so the silence before
    // the first line is the device's start-up, not a gap.
    StreamTally(StreamSpec spec, qint64 startNs, bool sent);

    // A line received at `timeNs`; `stallNs` of the time since the previous line the harness itself was
    // not running. nullopt: not the stream's line (received before the window, or skipped as unmatched).
    std::optional<Line> line(qint64 timeNs, const QByteArray &line, qint64 stallNs = 0);

    // When the window ends: its start plus `for`, plus the time the harness stalled during it.
    qint64 endNs() const { return m_startNs + m_spec.window.count() + m_stalledNs; }
    qint64 startNs() const { return m_startNs; }
    qint64 lines() const { return m_count; }
    qint64 rowCap() const { return m_rowCap; }

    // The stream's verdict at `endNs`: fills `summary`'s verdict, message, measurements (rate in lines/s,
    // max_gap in ms) and response (the last line).
    void finish(qint64 endNs, StepResult &summary) const;
    // "after 3.21 s of 10s, 32 lines": how far a window came, for messages of one that did not end.
    QString progress(qint64 nowNs) const;

private:
    QString at(qint64 timeNs) const; // "3.21 s" into the window
    // Tallies a line's sequence number; a problem with it ("" if none) and a note ("duplicate of ...").
    QString countSequence(const QByteArray &text, const QString &number, QString *note);
    void finishSequence(StepResult &summary, QStringList &problems) const;

    struct SequenceKey {
        QSet<qint64> seen;
        qint64 low = 0;
        qint64 high = 0;
        qint64 duplicates = 0;
        qint64 reordered = 0;
    };
    QMap<QByteArray, SequenceKey> m_sequences;

    StreamSpec m_spec;
    qint64 m_startNs;
    bool m_sent;
    qint64 m_rowCap;
    qint64 m_count = 0;
    qint64 m_rows = 0;
    qint64 m_skipped = 0;
    qint64 m_stale = 0;
    qint64 m_unmatched = 0;
    qint64 m_badChecksum = 0;
    qint64 m_stalledNs = 0;
    qint64 m_firstNs = -1;
    qint64 m_lastNs = -1;
    QByteArray m_lastLine;
    qint64 m_maxGapNs = -1;   // largest interval between lines (not across a stall)
    qint64 m_maxGapAtNs = -1; // the line that ended it
    QString m_firstUnmatched;
    QString m_firstBadChecksum;
};

} // namespace hil
