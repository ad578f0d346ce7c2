#pragma once

#include "core/run/results.h"

#include <QAbstractTableModel>
#include <QList>

namespace hil::gui {

// The step results of the run, newest last, appended in batches. Bounded: beyond kMaxRows the oldest
// tenth is dropped (the database keeps every row; History shows them all). GUI thread only.
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
    static constexpr int kMaxRows = 100'000;

    explicit ResultModel(QObject *parent = nullptr);

    void clear();
    void append(const QList<StepResult> &results);
    qint64 droppedRows() const { return m_dropped; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        qint64 startNs = 0;
        hil::Phase phase = hil::Phase::Steps;
        qint64 iteration = 0;
        QString step;
        QString device;
        hil::Verdict verdict = hil::Verdict::Pass;
        bool marginal = false;
        bool expected = false;
        qint64 latencyNs = -1;
        QString values;
        QString message;
        QString response;
    };
    QList<Row> m_rows;
    qint64 m_dropped = 0;
};

} // namespace hil::gui
