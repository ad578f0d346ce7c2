#pragma once

#include "core/config/faultplan.h"
#include "core/config/fixture.h"
#include "livebatch.h"

#include <QMap>
#include <QWidget>
#include <optional>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QStringListModel;
class QTabWidget;

namespace hil::gui {

// Faults by hand during a run: a link fault in its text form, a device fault in the simulator, or power,
// on any device of the run (link faults also on the fixture's proxies); clear the faults of one target or
// all. The engine records each as a fault marked manual. The panel only builds and validates the fault
// (manualfault.h) and asks for it with injectRequested(); the list shows the faults active now.
class FaultPanel : public QWidget {
    Q_OBJECT
public:
    enum class Kind { Link, Device, Power };

    explicit FaultPanel(QWidget *parent = nullptr);

    void setBench(const Fixture &fixture, const QStringList &devices);
    void setRunning(bool running);
    void applyFaults(const QList<FaultUpdate> &updates);

    void setTarget(const QString &target);
    QString target() const;
    void setKind(Kind kind);
    void setLinkText(const QString &text);
    void setDeviceFault(const QString &kind, const QString &params, const QString &duration);
    void setPower(PowerFaultSpec::Action action, const QString &offTime);
    // Builds the fault from the form; nullopt with the reason shown under the form.
    std::optional<FaultEntry> currentFault();
    // Builds and requests the fault; false (and the reason shown) if the form is not a valid fault.
    bool inject();
    QListWidget *activeList() const { return m_active; }
    // The link fault kinds the chosen target's link takes (datagram kinds on a udp device or proxy, stream
    // kinds on the others), and the presets offered for them, one per kind.
    QStringList linkKinds() const;
    QStringList linkPresets() const;
    QString feedback() const;

signals:
    void injectRequested(const hil::FaultEntry &fault);
    void clearRequested(const QString &target);

private:
    void showFeedback(bool ok, const QString &text);
    void preview();
    void updateEnabled();
    void updateLinkKinds();

    Fixture m_fixture;
    QStringList m_devices;
    bool m_running = false;
    QComboBox *m_target;
    QTabWidget *m_tabs;
    QLineEdit *m_linkText;
    QLabel *m_linkHelp;
    QStringListModel *m_linkPresets;
    QComboBox *m_deviceKind;
    QLineEdit *m_deviceParams;
    QLineEdit *m_deviceFor;
    QButtonGroup *m_power;
    QLineEdit *m_powerOff;
    QLabel *m_feedback;
    QPushButton *m_inject;
    QPushButton *m_clear;
    QPushButton *m_clearAll;
    QListWidget *m_active;
    QMap<int, QString> m_activeText;
};

} // namespace hil::gui
