#pragma once

#include "core/run/results.h"

#include <QFrame>
#include <QMap>

class QLabel;
class QProgressBar;

namespace hil::gui {

class VerdictBadge;

// The run at a glance, across the top of the window: the verdict badge, what runs where, the live
// counters (pass, fail, error, marginal, expected during faults), elapsed time, iterations, ETA and the
// last step. The final verdict stays until the next run starts.
class RunStatusPanel : public QFrame {
    Q_OBJECT
signals:
    void changed();

public:
    explicit RunStatusPanel(QWidget *parent = nullptr);

    void showIdle(const QString &scenario, const QString &fixture);
    // plannedIterations: of a counted loop, else -1.
    void beginRun(const QString &scenario, const QString &fixture, qint64 plannedIterations);
    void setRunId(qint64 runId, quint64 seed);
    void setPaused(bool paused);
    void setStopping();
    void update(const RunCounts &counts, qint64 elapsedNs, qint64 iterations, qint64 remainingNs,
                double progress);
    void setLastStep(const StepResult &result);
    void finish(Verdict verdict, const QString &reason, const RunCounts &counts);

    VerdictBadge *badge() const { return m_badge; }
    // What the operator view draws large (operatorview.h): read from this panel, the one source.
    struct Glance {
        QString verdict;
        QColor color;
        bool final = false;
        QString title;
        QString subtitle;
        QString elapsed, iterations, remaining;
        double progress = 0; // 0..1
        QString pass, fail, error, expected;
    };
    Glance glance() const;
    // The number a counter shows ("pass", "fail", "error", "marginal", "expected").
    QString counter(const QString &name) const;

private:
    QLabel *addTile(const QString &name, const QString &caption, const QColor &color);

    VerdictBadge *m_badge;
    QLabel *m_title;
    QLabel *m_subtitle;
    QLabel *m_step;
    QLabel *m_elapsed;
    QLabel *m_iterations;
    QLabel *m_eta;
    QProgressBar *m_progress;
    QMap<QString, QLabel *> m_tiles;
    QWidget *m_tileBox;
    bool m_final = false;
    qint64 m_plannedIterations = -1;
    bool m_failing = false;
    bool m_paused = false;
};

} // namespace hil::gui
