#pragma once

#include "core/config/fixture.h"
#include "core/run/results.h"
#include "livebatch.h"

#include <QMap>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace hil {
class SimProcess;
}

namespace hil::gui {

// The bench: the fixture's devices with their live connection state (from the run's events: connecting,
// ready, reconnecting, lost, powered off) and active faults, the fixture's metadata (DUT serial and
// firmware as the run fills them in), the serial ports libserialport sees (one can be assigned to a
// device, for the next run), and simulators started and stopped by hand. During a run the simulators
// belong to the run: start and stop become power on and off, recorded as manual faults.
class BenchPanel : public QWidget {
    Q_OBJECT
public:
    enum class State { Unused, Idle, Connecting, Ready, Reconnecting, Lost, Off, Simulating, Failed };

    explicit BenchPanel(QWidget *parent = nullptr);
    ~BenchPanel() override;

    void setFixture(const Fixture &fixture);
    // The fixture with any port assignments made here.
    const Fixture &fixture() const { return m_fixture; }
    bool hasFixture() const { return !m_fixture.path.isEmpty(); }

    void beginRun(const QStringList &devices);
    void applyEvents(const QList<Event> &events);
    void applyFaults(const QList<FaultUpdate> &updates);
    void applyRunInfo(const RunHeader &info);
    void endRun();

    State state(const QString &device) const;
    static QString stateName(State s);
    QString selectedDevice() const;
    void selectDevice(const QString &device);
    void refreshPorts();
    // Assigns a serial port (a name from the list, or any path typed) to a device of the fixture.
    bool assignPort(const QString &device, const QString &port);
    // Simulators started by hand (outside a run); false with a message if the device is not simulated.
    bool startSimulator(const QString &device);
    void stopSimulator(const QString &device);
    bool simulatorRunning(const QString &device) const;

signals:
    void fixtureEdited();
    void powerRequested(const QString &device, bool on);
    void problem(const QString &message);

private:
    struct DeviceRow {
        QTreeWidgetItem *item = nullptr;
        State state = State::Idle;
        QString detail;
        QStringList faults; // "link blackout" of faults active now, by id order
        QMap<int, QString> faultsById;
    };
    void rebuild();
    void setState(const QString &device, State s, const QString &detail = QString());
    void updateRow(const QString &device);
    void updateButtons();
    static QString connectionText(const DeviceConfig &d);

    Fixture m_fixture;
    QMap<QString, DeviceRow> m_rows;
    QMap<QString, SimProcess *> m_sims;
    bool m_runActive = false;
    QLabel *m_name;
    QLabel *m_station;
    QLabel *m_dut;
    QLabel *m_firmware;
    QTreeWidget *m_devices;
    QComboBox *m_ports;
    QPushButton *m_assign;
    QPushButton *m_start;
    QPushButton *m_stop;
    QLabel *m_portNote;
};

} // namespace hil::gui
