#pragma once

#include "core/run/results.h"
#include "resultrow.h"

#include <QAbstractTableModel>
#include <QList>
#include <deque>

namespace hil::gui {

// The step results of the run, newest last, appended in batches: the window of recent rows the app holds.
// Bounded: beyond kMaxRows the oldest tenth is dropped (the database keeps every row, and RunResultsModel
// shows them before this window, read back in pages). GUI thread only.
class ResultModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ColTime,
        ColPhase,
        ColIteration,
        ColStep,
        ColDevice,
        ColVerdict,
        ColLatency,
        ColValues,
        ColMessage,
        ColumnCount
    };
    static constexpr int kMaxRows = 25'000;

    explicit ResultModel(QObject *parent = nullptr);

    void clear();
    // skippedBefore: results of the run that came before these and never reached the window (LiveBuffer
    // dropped them while nobody drained); the database has them, and the sequence numbers count them.
    void append(const QList<StepResult> &results, qint64 skippedBefore = 0);
    qint64 droppedRows() const { return m_dropped; }
    // The position in the run of the window's first row (how many of the run's results came before it,
    // shown or not), and of the next row to come. The rows before firstSequence() are in the database only.
    qint64 firstSequence() const { return m_sequence.empty() ? m_nextSequence : m_sequence.front(); }
    qint64 nextSequence() const { return m_nextSequence; }
    const ResultRow &row(int i) const { return m_rows[static_cast<std::size_t>(i)]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    // Deques: the window drops its oldest rows as new ones come, and a list would keep the space of the
    // dropped ones in front until it reallocates (up to twice the window's bytes at full speed).
    std::deque<ResultRow> m_rows;
    std::deque<qint64> m_sequence; // of each row
    qint64 m_nextSequence = 0;
    qint64 m_dropped = 0;
};

} // namespace hil::gui
