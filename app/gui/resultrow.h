#pragma once

#include "core/run/results.h"

#include <QString>
#include <QVariant>

namespace hil {
struct ListedStep;
}

namespace hil::gui {

// One line of the Results table, from the live path (a StepResult) or from the run's database (a
// ListedStep): the same text either way, so that the rows read from the file look exactly like the ones
// that came live.
struct ResultRow {
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

    static ResultRow from(const StepResult &r);
    static ResultRow from(const ListedStep &r);
};

// What the table shows of a row in a column (ResultModel::Column) for a role, filter role included.
QVariant resultCell(const ResultRow &row, int column, int role);
QVariant resultHeader(int column);

} // namespace hil::gui
