#pragma once

#include "report/reportmodel.h"

#include <QScrollArea>
#include <memory>

class QLabel;
class QVBoxLayout;

namespace hil {
struct RunStatistics;
struct RunComparison;
} // namespace hil

namespace hil::gui {

class VerdictBadge;

// A recorded run as its report shows it, on screen: the verdict, the headline and findings, the key
// figures, the comparison with a baseline if one was chosen, the steps, the charts (QCustomPlot, drawn by
// report/reportcharts, interactive here), measurements, faults and events. Built from the same
// ReportModel as the HTML and PDF reports, so the three never disagree.
class RunSummaryView : public QScrollArea {
    Q_OBJECT
public:
    explicit RunSummaryView(QWidget *parent = nullptr);

    void showPlaceholder(const QString &text);
    void showRun(std::shared_ptr<const RunStatistics> stats, std::shared_ptr<const RunComparison> comparison,
                 const QString &databasePath);

    const report::ReportModel *model() const { return m_model.get(); }
    VerdictBadge *badge() const { return m_badge; }
    int chartCount() const { return m_charts; }

private:
    void clearContent();
    void addSection(const QString &title, const QString &note = QString());

    QWidget *m_content = nullptr;
    QVBoxLayout *m_layout = nullptr;
    VerdictBadge *m_badge = nullptr;
    std::unique_ptr<report::ReportModel> m_model;
    std::shared_ptr<const RunStatistics> m_stats;
    int m_charts = 0;
};

} // namespace hil::gui
