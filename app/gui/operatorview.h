#pragma once

#include <QWidget>

namespace hil::gui {

class RunStatusPanel;

// The run for a person across the bench (View > Operator View, F11): the verdict as a band across the
// whole window, the scenario, a thick progress bar with elapsed and remaining time, and the PASS, FAIL,
// ERROR and in-fault counts in large digits. Everything is drawn from RunStatusPanel::glance(), so the two
// never disagree; sizes follow the window, so a larger screen reads from farther away.
class OperatorView : public QWidget {
    Q_OBJECT
public:
    explicit OperatorView(const RunStatusPanel *status, QWidget *parent = nullptr);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    const RunStatusPanel *m_status;
};

} // namespace hil::gui
