#include "benchpanel.h"

#include "appstyle.h"
#include "core/base/printable.h"
#include "core/session/simprocess.h"
#include "core/transport/serialportinfo.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hil::gui {

namespace {

enum DeviceColumn { ColName, ColState, ColConnection, ColDetail };

QColor stateColor(BenchPanel::State s) {
    switch (s) {
    case BenchPanel::State::Ready:
    case BenchPanel::State::Simulating:
        return appstyle::pass();
    case BenchPanel::State::Connecting:
    case BenchPanel::State::Reconnecting:
        return appstyle::running();
    case BenchPanel::State::Lost:
    case BenchPanel::State::Failed:
        return appstyle::fail();
    case BenchPanel::State::Off:
        return appstyle::abort();
    case BenchPanel::State::Unused:
    case BenchPanel::State::Idle:
        break;
    }
    return appstyle::idle();
}

QIcon dot(const QColor &c, const QWidget *w) {
    const int size = w->fontMetrics().height() * 3 / 4;
    const qreal dpr = w->devicePixelRatioF();
    QPixmap pm(QSize(size, size) * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawEllipse(QRectF(1, 1, size - 2, size - 2));
    return QIcon(pm);
}

QLabel *valueLabel(QWidget *parent) {
    auto *l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setText(QStringLiteral("—"));
    return l;
}

} // namespace

BenchPanel::BenchPanel(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("benchPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 8);
    layout->setSpacing(8);

    auto *meta = new QFormLayout;
    meta->setLabelAlignment(Qt::AlignLeft);
    meta->setHorizontalSpacing(12);
    meta->setVerticalSpacing(3);
    m_name = valueLabel(this);
    m_name->setObjectName(QStringLiteral("fixtureName"));
    QFont bold = m_name->font();
    bold.setBold(true);
    m_name->setFont(bold);
    m_station = valueLabel(this);
    m_dut = valueLabel(this);
    m_dut->setObjectName(QStringLiteral("dutSerial"));
    m_firmware = valueLabel(this);
    m_firmware->setObjectName(QStringLiteral("firmware"));
    meta->addRow(tr("Fixture"), m_name);
    meta->addRow(tr("Station"), m_station);
    meta->addRow(tr("DUT serial"), m_dut);
    meta->addRow(tr("Firmware"), m_firmware);
    layout->addLayout(meta);

    m_devices = new QTreeWidget(this);
    m_devices->setObjectName(QStringLiteral("benchDevices"));
    m_devices->setRootIsDecorated(false);
    m_devices->setUniformRowHeights(true);
    m_devices->setAlternatingRowColors(true);
    m_devices->setHeaderLabels({tr("Device"), tr("State"), tr("Connection"), tr("Detail")});
    m_devices->setTextElideMode(Qt::ElideRight);
    m_devices->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_devices->header()->setStretchLastSection(false);
    m_devices->header()->setSectionResizeMode(ColName, QHeaderView::ResizeToContents);
    m_devices->header()->setSectionResizeMode(ColState, QHeaderView::ResizeToContents);
    m_devices->header()->setSectionResizeMode(ColConnection, QHeaderView::ResizeToContents);
    m_devices->header()->setSectionResizeMode(ColDetail, QHeaderView::Stretch);
    connect(m_devices, &QTreeWidget::currentItemChanged, this, &BenchPanel::updateButtons);
    layout->addWidget(m_devices, 1);

    auto *simBox = new QGroupBox(tr("Simulator"), this);
    auto *simLayout = new QHBoxLayout(simBox);
    m_start = new QPushButton(tr("S&tart"), simBox);
    m_start->setObjectName(QStringLiteral("simStart"));
    m_stop = new QPushButton(tr("Sto&p"), simBox);
    m_stop->setObjectName(QStringLiteral("simStop"));
    connect(m_start, &QPushButton::clicked, this, [this] {
        const QString d = selectedDevice();
        if (m_runActive)
            emit powerRequested(d, true);
        else
            startSimulator(d);
    });
    connect(m_stop, &QPushButton::clicked, this, [this] {
        const QString d = selectedDevice();
        if (m_runActive)
            emit powerRequested(d, false);
        else
            stopSimulator(d);
    });
    simLayout->addWidget(m_start);
    simLayout->addWidget(m_stop);
    simLayout->addStretch(1);
    layout->addWidget(simBox);

    auto *portBox = new QGroupBox(tr("Serial ports"), this);
    auto *portLayout = new QVBoxLayout(portBox);
    auto *portRow = new QHBoxLayout;
    m_ports = new QComboBox(portBox);
    m_ports->setObjectName(QStringLiteral("serialPorts"));
    m_ports->setEditable(true);
    m_ports->setInsertPolicy(QComboBox::NoInsert);
    m_ports->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_ports->lineEdit()->setPlaceholderText(tr("/dev/ttyUSB0"));
    auto *refresh = new QPushButton(tr("Refresh"), portBox);
    connect(refresh, &QPushButton::clicked, this, &BenchPanel::refreshPorts);
    portRow->addWidget(m_ports, 1);
    portRow->addWidget(refresh);
    portLayout->addLayout(portRow);
    m_assign = new QPushButton(tr("&Assign to device"), portBox);
    m_assign->setObjectName(QStringLiteral("assignPort"));
    connect(m_assign, &QPushButton::clicked, this, [this] {
        const QString port = m_ports->currentData().toString().isEmpty() ? m_ports->currentText().trimmed()
                                                                         : m_ports->currentData().toString();
        assignPort(selectedDevice(), port);
    });
    m_portNote = new QLabel(portBox);
    m_portNote->setWordWrap(true);
    QPalette np = m_portNote->palette();
    np.setColor(QPalette::WindowText, appstyle::subtle());
    m_portNote->setPalette(np);
    portLayout->addWidget(m_assign, 0, Qt::AlignLeft);
    portLayout->addWidget(m_portNote);
    layout->addWidget(portBox);

    refreshPorts();
    updateButtons();
}

BenchPanel::~BenchPanel() {
    // Simulators started by hand end with the window (SimProcess stops its child when destroyed).
    qDeleteAll(m_sims);
}

QString BenchPanel::connectionText(const DeviceConfig &d) {
    switch (d.kind) {
    case DeviceConfig::Kind::Serial:
        return QStringLiteral("serial %1 @ %2").arg(d.serial.port).arg(d.serial.baud);
    case DeviceConfig::Kind::Tcp:
        return QStringLiteral("tcp %1:%2").arg(d.tcp.host).arg(d.tcp.port);
    case DeviceConfig::Kind::Sim:
        return QStringLiteral("%1 · %2").arg(
            d.sim.model, d.sim.link == SimSpec::Link::Pty ? QStringLiteral("pty") : QStringLiteral("tcp"));
    case DeviceConfig::Kind::Mqtt:
        return QStringLiteral("mqtt %1:%2").arg(d.mqtt.host).arg(d.mqtt.port);
    case DeviceConfig::Kind::Udp:
        return QStringLiteral("udp %1:%2").arg(d.udp.host).arg(d.udp.port);
    }
    return {};
}

QString BenchPanel::stateName(State s) {
    switch (s) {
    case State::Unused:
        return tr("not in this run");
    case State::Idle:
        return tr("idle");
    case State::Connecting:
        return tr("connecting");
    case State::Ready:
        return tr("ready");
    case State::Reconnecting:
        return tr("reconnecting");
    case State::Lost:
        return tr("lost");
    case State::Off:
        return tr("powered off");
    case State::Simulating:
        return tr("simulator running");
    case State::Failed:
        return tr("failed");
    }
    return {};
}

void BenchPanel::setFixture(const Fixture &fixture) {
    for (SimProcess *sim : std::as_const(m_sims))
        delete sim;
    m_sims.clear();
    m_fixture = fixture;
    rebuild();
}

void BenchPanel::rebuild() {
    const QString selected = selectedDevice();
    m_devices->clear();
    m_rows.clear();
    m_name->setText(m_fixture.name.isEmpty() ? QStringLiteral("—") : printableText(m_fixture.name));
    m_name->setToolTip(m_fixture.path);
    m_station->setText(m_fixture.station.isEmpty() ? QStringLiteral("—") : printableText(m_fixture.station));
    m_dut->setText(m_fixture.dutSerial.isEmpty() ? QStringLiteral("—") : printableText(m_fixture.dutSerial));
    m_firmware->setText(m_fixture.firmware.isEmpty() ? QStringLiteral("—")
                                                     : printableText(m_fixture.firmware));
    for (const DeviceConfig &d : std::as_const(m_fixture.devices)) {
        auto *item = new QTreeWidgetItem(m_devices);
        item->setText(ColName, d.name);
        item->setToolTip(ColName, d.description);
        item->setText(ColConnection, connectionText(d));
        item->setToolTip(ColConnection, d.kind == DeviceConfig::Kind::Sim
                                            ? tr("simulated by hil-sim %1").arg(d.sim.model)
                                            : connectionText(d));
        m_rows.insert(d.name, DeviceRow{item, State::Idle, {}, {}, {}});
        updateRow(d.name);
    }
    if (!m_fixture.devices.isEmpty())
        selectDevice(selected.isEmpty() ? m_fixture.devices.first().name : selected);
    // Every device in view without scrolling (up to eight; more scroll).
    const int rows = static_cast<int>(std::clamp<qsizetype>(m_fixture.devices.size(), 2, 8));
    const int rowHeight = std::max(m_devices->sizeHintForRow(0), fontMetrics().height() + 4);
    m_devices->setMinimumHeight(m_devices->header()->sizeHint().height() + rows * rowHeight
                                + 2 * m_devices->frameWidth() + 2);
    updateButtons();
}

QString BenchPanel::selectedDevice() const {
    const QTreeWidgetItem *item = m_devices->currentItem();
    return item ? item->text(ColName) : QString();
}

void BenchPanel::selectDevice(const QString &device) {
    const auto it = m_rows.constFind(device);
    if (it != m_rows.cend())
        m_devices->setCurrentItem(it->item);
}

BenchPanel::State BenchPanel::state(const QString &device) const {
    const auto it = m_rows.constFind(device);
    return it == m_rows.cend() ? State::Unused : it->state;
}

void BenchPanel::setState(const QString &device, State s, const QString &detail) {
    auto it = m_rows.find(device);
    if (it == m_rows.end())
        return;
    it->state = s;
    if (!detail.isNull())
        it->detail = printableText(detail);
    updateRow(device);
}

void BenchPanel::updateRow(const QString &device) {
    const DeviceRow &row = m_rows[device];
    row.item->setIcon(ColState, dot(stateColor(row.state), this));
    row.item->setText(ColState, stateName(row.state));
    QStringList detail;
    if (!row.faultsById.isEmpty())
        detail << tr("fault: %1").arg(QStringList(row.faultsById.values()).join(QStringLiteral(", ")));
    if (!row.detail.isEmpty())
        detail << row.detail;
    row.item->setText(ColDetail, detail.join(QStringLiteral(" · ")));
    row.item->setToolTip(ColDetail, detail.join(u'\n'));
    row.item->setForeground(ColDetail, row.faultsById.isEmpty()
                                           ? QBrush(appstyle::subtle())
                                           : QBrush(appstyle::faultColor(QStringLiteral("device"))));
}

void BenchPanel::beginRun(const QStringList &devices) {
    for (const QString &name : m_rows.keys())
        stopSimulator(name);
    m_runActive = true;
    for (auto it = m_rows.begin(); it != m_rows.end(); ++it) {
        it->faultsById.clear();
        setState(it.key(), devices.contains(it.key()) ? State::Connecting : State::Unused,
                 QStringLiteral(""));
    }
    updateButtons();
}

void BenchPanel::applyEvents(const QList<Event> &events) {
    for (const Event &e : events) {
        if (e.device.isEmpty() || !m_rows.contains(e.device))
            continue;
        if (e.kind == u"sim-start" || e.kind == u"power-on")
            setState(e.device, State::Connecting, e.detail);
        else if (e.kind == u"connect" || e.kind == u"reconnect")
            setState(e.device, State::Ready, m_rows[e.device].detail);
        else if (e.kind == u"disconnect")
            setState(e.device, State::Reconnecting, e.detail);
        else if (e.kind == u"power-off")
            setState(e.device, State::Off, e.detail);
        else if (e.kind == u"sim-exit")
            setState(e.device, State::Lost, e.detail);
        else if (e.kind == u"error")
            setState(e.device, m_rows[e.device].state == State::Connecting ? State::Failed : State::Lost,
                     e.detail);
    }
}

void BenchPanel::applyFaults(const QList<FaultUpdate> &updates) {
    for (const FaultUpdate &u : updates) {
        auto it = m_rows.find(u.fault.device);
        if (it == m_rows.end())
            continue;
        if (u.kind == FaultUpdate::Kind::Started)
            it->faultsById.insert(u.fault.id, u.fault.target + u' ' + u.fault.kind);
        else if (u.kind == FaultUpdate::Kind::Ended)
            it->faultsById.remove(u.fault.id);
        updateRow(it.key());
    }
}

void BenchPanel::applyRunInfo(const RunHeader &info) {
    if (!info.dutSerial.isEmpty())
        m_dut->setText(printableText(info.dutSerial));
    if (!info.firmware.isEmpty())
        m_firmware->setText(printableText(info.firmware));
    if (!info.station.isEmpty())
        m_station->setText(printableText(info.station));
}

void BenchPanel::endRun() {
    m_runActive = false;
    for (auto it = m_rows.begin(); it != m_rows.end(); ++it) {
        it->faultsById.clear();
        if (it->state != State::Failed && it->state != State::Lost)
            it->state = State::Idle;
        updateRow(it.key());
    }
    updateButtons();
}

void BenchPanel::refreshPorts() {
    QString error;
    const QList<SerialPortInfo> ports = listSerialPorts(&error);
    const QString typed = m_ports->currentText();
    m_ports->clear();
    for (const SerialPortInfo &p : ports) {
        QString label = p.name;
        if (!p.description.isEmpty() && p.description != p.name)
            label += QStringLiteral(" — ") + p.description;
        if (!p.usbVidPid.isEmpty())
            label += QStringLiteral(" (%1)").arg(p.usbVidPid);
        m_ports->addItem(label, p.name);
    }
    if (!error.isEmpty())
        m_portNote->setText(tr("Could not list serial ports: %1").arg(error));
    else if (ports.isEmpty())
        m_portNote->setText(tr("No serial ports found. Type a path (a PTY such as socat makes works too)."));
    else
        m_portNote->setText(tr("%n serial port(s) found.", nullptr, static_cast<int>(ports.size())));
    if (ports.isEmpty())
        m_ports->setEditText(typed);
}

bool BenchPanel::assignPort(const QString &device, const QString &port) {
    DeviceConfig *config = nullptr;
    for (DeviceConfig &d : m_fixture.devices) {
        if (d.name == device)
            config = &d;
    }
    if (!config || port.isEmpty() || m_runActive) {
        emit problem(m_runActive ? tr("Ports can be assigned between runs.")
                                 : tr("Choose a device and a serial port to assign."));
        return false;
    }
    stopSimulator(device);
    config->kind = DeviceConfig::Kind::Serial;
    config->serial.port = port;
    config->serial.backend = SerialSettings::Backend::Auto;
    m_rows[device].item->setText(ColConnection, connectionText(*config));
    setState(device, State::Idle, tr("port assigned here (fixture file unchanged)"));
    emit fixtureEdited();
    updateButtons();
    return true;
}

bool BenchPanel::startSimulator(const QString &device) {
    const DeviceConfig *config = m_fixture.device(device);
    if (!config || config->kind != DeviceConfig::Kind::Sim) {
        emit problem(tr("'%1' is not a simulated device.").arg(device));
        return false;
    }
    if (m_sims.contains(device))
        return true;
    auto *sim = new SimProcess(*config, config->sim.seed.value_or(1), nullptr);
    m_sims.insert(device, sim);
    connect(sim, &SimProcess::ready, this, [this, device, sim](SimSpec::Link link, const QString &address) {
        setState(device, State::Simulating,
                 tr("pid %1 · %2 %3 · control %4")
                     .arg(sim->pid())
                     .arg(link == SimSpec::Link::Pty ? QStringLiteral("pty") : QStringLiteral("tcp"), address,
                          sim->controlAddress()));
        updateButtons();
    });
    const auto gone = [this, device](const QString &reason) {
        if (SimProcess *s = m_sims.take(device))
            s->deleteLater();
        setState(device, State::Failed, reason);
        emit problem(tr("Simulator of '%1': %2").arg(device, reason));
        updateButtons();
    };
    connect(sim, &SimProcess::failed, this, gone);
    connect(sim, &SimProcess::exited, this, gone);
    setState(device, State::Connecting, tr("starting hil-sim %1").arg(config->sim.model));
    sim->start();
    updateButtons();
    return true;
}

void BenchPanel::stopSimulator(const QString &device) {
    SimProcess *sim = m_sims.take(device);
    if (!sim)
        return;
    sim->disconnect(this);
    sim->stop();
    delete sim;
    setState(device, State::Idle, tr("simulator stopped"));
    updateButtons();
}

bool BenchPanel::simulatorRunning(const QString &device) const {
    return m_sims.contains(device);
}

void BenchPanel::updateButtons() {
    const QString d = selectedDevice();
    const DeviceConfig *config = m_fixture.device(d);
    const bool sim = config && config->kind == DeviceConfig::Kind::Sim;
    const bool powerable = config && (sim || !config->powerSupply.isEmpty());
    if (m_runActive) {
        const State s = state(d);
        m_start->setText(tr("Power o&n"));
        m_stop->setText(tr("Power o&ff"));
        m_start->setToolTip(tr("Switch the device's power on (recorded as a manual fault)"));
        m_stop->setToolTip(tr("Cut the device's power (recorded as a manual fault)"));
        m_start->setEnabled(powerable && s == State::Off);
        m_stop->setEnabled(powerable && s != State::Off && s != State::Unused);
    } else {
        m_start->setText(tr("S&tart"));
        m_stop->setText(tr("Sto&p"));
        m_start->setToolTip(tr("Start this device's simulator, to talk to it by hand"));
        m_stop->setToolTip(tr("Stop the simulator started here"));
        m_start->setEnabled(sim && !m_sims.contains(d));
        m_stop->setEnabled(m_sims.contains(d));
    }
    m_assign->setEnabled(!m_runActive && config);
}

} // namespace hil::gui
