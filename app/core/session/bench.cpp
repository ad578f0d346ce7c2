#include "core/session/bench.h"

#include "core/base/clock.h"
#include "core/base/seedmix.h"
#include "core/link/faultproxy.h"
#include "core/link/link.h"
#include "core/link/udpproxy.h"
#include "core/session/brokerprocess.h"
#include "core/session/devicesession.h"
#include "core/session/simcontrol.h"
#include "core/session/simprocess.h"
#include "core/session/stallwatch.h"
#include "core/transport/fdtransport.h"
#include "core/transport/mqtttransport.h"
#include "core/transport/serialtransportfactory.h"
#include "core/transport/tcptransport.h"
#include "core/transport/udptransport.h"

namespace hil {

namespace {

constexpr int kMaxBackoffMs = 2000;

} // namespace

Bench::Bench(const Fixture &fixture, const QStringList &deviceNames, quint64 runSeed, QObject *parent,
             qint64 stallThresholdNs)
    : QObject(parent)
    , m_proxyConfigs(fixture.proxies)
    , m_brokerConfigs(fixture.brokers)
    , m_runSeed(runSeed) {
    if (stallThresholdNs > 0) {
        m_stallWatch = new StallWatch(stallThresholdNs, this);
        connect(m_stallWatch, &StallWatch::stalled, this, [this](qint64 startNs, qint64 endNs) {
            emit deviceEvent(startNs, EventKind::BenchStall, QString(),
                             QStringLiteral("the harness was not running for %1; exchanges in flight are "
                                            "not billed to their devices")
                                 .arg(formatDuration(Nanoseconds(endNs - startNs))));
        });
    }
    QStringList names = deviceNames;
    // A supply that feeds a device of the run is on the bench too, for power faults.
    for (const QString &name : deviceNames) {
        const DeviceConfig *c = fixture.device(name);
        if (c && !c->powerSupply.isEmpty() && !names.contains(c->powerSupply))
            names.append(c->powerSupply);
    }
    for (const QString &name : std::as_const(names)) {
        if (const DeviceConfig *c = fixture.device(name)) {
            Device d;
            d.config = *c;
            m_devices.append(d);
        }
    }
    for (Device &d : m_devices) {
        for (const Device &other : std::as_const(m_devices)) {
            if (other.config.powerSupply == d.config.name)
                d.isSupply = true;
        }
    }
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        for (const Device &d : std::as_const(m_devices)) {
            if (!d.ready) {
                fail(d.config.name, QStringLiteral("not ready within the connect timeout"));
                return;
            }
        }
    });
}

Bench::~Bench() {
    shutdown();
}

quint64 Bench::deviceSeed(quint64 runSeed, const QString &device) {
    // A good spread for seeds that differ in few bits, and for names that do.
    quint64 h = deriveSeed(runSeed, 1);
    for (QChar c : device)
        h = deriveSeed(h ^ c.unicode(), 1);
    // Keep it positive as a signed 63-bit value: it goes on command lines and into SQLite integers.
    return h & 0x7fffffffffffffffULL;
}

Bench::Device *Bench::find(const QString &name) {
    for (Device &d : m_devices) {
        if (d.config.name == name)
            return &d;
    }
    return nullptr;
}

const Bench::Device *Bench::find(const QString &name) const {
    for (const Device &d : m_devices) {
        if (d.config.name == name)
            return &d;
    }
    return nullptr;
}

QStringList Bench::deviceNames() const {
    QStringList out;
    for (const Device &d : m_devices)
        out.append(d.config.name);
    return out;
}

void Bench::connectAll(int timeoutMs) {
    m_connecting = true;
    m_connectTimer.start(timeoutMs);
    if (!m_brokerConfigs.isEmpty())
        startBrokers(); // proxies and devices once every broker accepts connections
    else
        connectProxiesAndDevices();
}

void Bench::startBrokers() {
    for (const BrokerConfig &b : std::as_const(m_brokerConfigs)) {
        auto *broker = new BrokerProcess(b, this);
        m_brokers.append(broker);
        const QString name = b.name;
        connect(broker, &BrokerProcess::failed, this,
                [this, name](const QString &reason) { fail(name, reason); });
        connect(broker, &BrokerProcess::exited, this, [this, name](const QString &reason) {
            if (!m_shuttingDown)
                emit deviceGone(name, reason);
        });
        connect(broker, &BrokerProcess::ready, this, [this, broker] {
            emit deviceEvent(
                monotonicNs(), EventKind::BrokerStart, broker->config().name,
                QStringLiteral("mosquitto pid %1 at %2").arg(broker->pid()).arg(broker->address()));
            if (++m_brokersReady == m_brokers.size() && m_connecting)
                connectProxiesAndDevices();
        });
        broker->start();
    }
}

void Bench::recordResets(FaultProxy *proxy, const QString &name) {
    // A connection a TCP-true fault reset ("reset: blackout outlasted user timeout 5s") is an event.
    connect(proxy, &FaultProxy::connectionClosed, this, [this, name](quint64 n, const QString &reason) {
        if (reason.startsWith(QLatin1String("reset:")))
            emit deviceEvent(monotonicNs(), EventKind::Disconnect, name,
                             QStringLiteral("connection %1 %2").arg(n).arg(reason));
    });
}

quint64 Bench::proxySeed(const QString &name) const {
    return deviceSeed(m_runSeed ^ 0x50524f58ULL, name);
}

bool Bench::startTcpProxy(const ProxyConfig &p, QString *why) {
    auto *proxy = new FaultProxy(p.upstreamHost, p.upstreamPort, proxySeed(p.name), this);
    if (!proxy->listen(QHostAddress(p.listenHost), p.listenPort, why)) {
        delete proxy;
        return false;
    }
    m_proxies.insert(p.name, proxy);
    recordResets(proxy, p.name);
    emit deviceEvent(monotonicNs(), EventKind::ProxyStart, p.name,
                     QStringLiteral("%1 -> %2").arg(proxy->listenAddress(), proxy->upstream()));
    return true;
}

bool Bench::startUdpProxy(const ProxyConfig &p, QString *why) {
    auto *proxy = new UdpProxy(p.upstreamHost, p.upstreamPort, proxySeed(p.name), this);
    if (p.idleTimeout)
        proxy->setFlowIdleTimeout(*p.idleTimeout);
    if (!proxy->listen(QHostAddress(p.listenHost), p.listenPort, why)) {
        delete proxy;
        return false;
    }
    m_udpProxies.insert(p.name, proxy);
    const QString name = p.name;
    connect(proxy, &UdpProxy::upstreamError, this, [this, name, proxy](quint64 flow, const QString &error) {
        emit deviceEvent(monotonicNs(), EventKind::Error, name,
                         QStringLiteral("udp flow %1 to %2: %3").arg(flow).arg(proxy->upstream(), error));
    });
    emit deviceEvent(monotonicNs(), EventKind::ProxyStart, p.name,
                     QStringLiteral("udp %1 -> %2").arg(proxy->listenAddress(), proxy->upstream()));
    return true;
}

void Bench::connectProxiesAndDevices() {
    for (const ProxyConfig &p : std::as_const(m_proxyConfigs)) {
        QString why;
        if (!(p.udp ? startUdpProxy(p, &why) : startTcpProxy(p, &why))) {
            const QString name = p.name;
            QMetaObject::invokeMethod(
                this, [this, name, why] { fail(name, QStringLiteral("proxy cannot listen: %1").arg(why)); },
                Qt::QueuedConnection);
            return;
        }
    }
    if (m_devices.isEmpty()) {
        m_connecting = false;
        QMetaObject::invokeMethod(this, &Bench::ready, Qt::QueuedConnection);
        return;
    }
    for (Device &d : m_devices) {
        if (d.config.kind != DeviceConfig::Kind::Sim)
            openSession(d, d.config);
        else if (!d.isSupply)
            startSim(d); // simulated supplies start once the devices they feed have a control channel
    }
}

void Bench::startSim(Device &d) {
    if (!d.sim) {
        const quint64 seed = d.config.sim.seed.value_or(deviceSeed(m_runSeed, d.config.name));
        d.sim = new SimProcess(d.config, seed, this);
        d.control = new SimControl(this);
        const QString name = d.config.name;
        connect(d.sim, &SimProcess::ready, this, [this, name](SimSpec::Link link, const QString &address) {
            onSimReady(name, static_cast<int>(link), address);
        });
        connect(d.sim, &SimProcess::failed, this, [this, name](const QString &reason) {
            if (m_connecting)
                fail(name, reason);
            else
                emit deviceGone(name, reason);
        });
        connect(d.sim, &SimProcess::exited, this, [this, name](const QString &reason) {
            emit deviceEvent(monotonicNs(), EventKind::SimExit, name, reason);
            if (!m_shuttingDown)
                emit deviceGone(name, reason);
        });
    }
    if (d.isSupply) {
        for (const Device &fed : std::as_const(m_devices)) {
            if (fed.config.powerSupply == d.config.name && fed.sim)
                d.sim->setFeedsControl(fed.sim->controlAddress());
        }
    }
    d.sim->start();
}

void Bench::onSimReady(const QString &name, int link, const QString &address) {
    Device *d = find(name);
    if (!d)
        return;
    d->control->setAddress(d->sim->controlAddress());
    emit deviceEvent(
        monotonicNs(), EventKind::SimStart, name,
        QStringLiteral("pid %1 at %2 %3")
            .arg(d->sim->pid())
            .arg(link == static_cast<int>(SimSpec::Link::Pty) ? QStringLiteral("pty") : QStringLiteral("tcp"),
                 address));
    DeviceConfig via = d->config;
    if (link == static_cast<int>(SimSpec::Link::Pty)) {
        via.kind = DeviceConfig::Kind::Serial;
        via.serial.port = address;
        via.serial.backend = SerialSettings::Backend::Pty;
    } else {
        via.kind = DeviceConfig::Kind::Tcp;
        const qsizetype colon = address.lastIndexOf(u':');
        via.tcp.host = address.left(colon);
        via.tcp.port = address.mid(colon + 1).toUShort();
    }
    openSession(*d, via);
    // Supplies wait for the control channels of the devices they feed.
    if (m_connecting && !d->isSupply) {
        for (Device &supply : m_devices) {
            if (!supply.isSupply || supply.config.kind != DeviceConfig::Kind::Sim || supply.sim)
                continue;
            bool fedReady = true;
            for (const Device &fed : std::as_const(m_devices)) {
                if (fed.config.powerSupply == supply.config.name && fed.config.kind == DeviceConfig::Kind::Sim
                    && (!fed.sim || fed.sim->controlAddress().isEmpty()))
                    fedReady = false;
            }
            if (fedReady)
                startSim(supply);
        }
    }
}

std::unique_ptr<Transport> Bench::mqttTransport(Device &d) {
    // libmosquitto's bytes go through a fault proxy of the device's own, where its link faults act.
    if (!d.mqttProxy) {
        const MqttSpec &spec = d.config.mqtt;
        d.mqttProxy =
            new FaultProxy(spec.host, spec.port, deviceSeed(m_runSeed ^ 0x4d515454ULL, d.config.name), this);
        QString why;
        if (!d.mqttProxy->listen(QHostAddress::LocalHost, 0, &why)) {
            delete d.mqttProxy;
            d.mqttProxy = nullptr;
            return {}; // the transport then connects directly (no link faults)
        }
        recordResets(d.mqttProxy, d.config.name);
        for (auto it = d.linkFaults.cbegin(); it != d.linkFaults.cend(); ++it)
            d.mqttProxy->inject(it.key(), it.value());
        emit deviceEvent(monotonicNs(), EventKind::ProxyStart, d.config.name,
                         QStringLiteral("%1 -> %2 (the device's MQTT link, where its link faults act)")
                             .arg(d.mqttProxy->listenAddress(), d.mqttProxy->upstream()));
    }
    if (!d.mqttProxy)
        return std::make_unique<MqttTransport>(d.config.mqtt, d.config.mqtt.host, d.config.mqtt.port);
    return std::make_unique<MqttTransport>(d.config.mqtt, QStringLiteral("127.0.0.1"), d.mqttProxy->port());
}

std::unique_ptr<Transport> Bench::udpTransport(Device &d) {
    // Datagrams go through a UDP proxy of the device's own, where its link faults act per datagram.
    const TcpSpec &spec = d.config.udp;
    if (!d.udpProxy) {
        d.udpProxy =
            new UdpProxy(spec.host, spec.port, deviceSeed(m_runSeed ^ 0x55445050ULL, d.config.name), this);
        QString why;
        if (!d.udpProxy->listen(QHostAddress::LocalHost, 0, &why)) {
            delete d.udpProxy;
            d.udpProxy = nullptr;
            emit deviceEvent(monotonicNs(), EventKind::Error, d.config.name, why);
            return std::make_unique<UdpTransport>(
                spec.host, spec.port, d.config.framing.isBinary() ? QByteArray() : d.config.terminator);
        }
        for (auto it = d.linkFaults.cbegin(); it != d.linkFaults.cend(); ++it)
            d.udpProxy->inject(it.key(), it.value());
        const QString name = d.config.name;
        connect(
            d.udpProxy, &UdpProxy::upstreamError, this, [this, name, spec](quint64, const QString &error) {
                emit deviceEvent(monotonicNs(), EventKind::Error, name,
                                 QStringLiteral("udp %1:%2: %3").arg(spec.host).arg(spec.port).arg(error));
            });
        emit deviceEvent(monotonicNs(), EventKind::ProxyStart, d.config.name,
                         QStringLiteral("%1 -> %2 (the device's datagrams, where its link faults act)")
                             .arg(d.udpProxy->listenAddress(), d.udpProxy->upstream()));
    }
    return std::make_unique<UdpTransport>(QStringLiteral("127.0.0.1"), d.udpProxy->port(),
                                          d.config.framing.isBinary() ? QByteArray() : d.config.terminator);
}

void Bench::openSession(Device &d, const DeviceConfig &via) {
    std::unique_ptr<Transport> transport;
    if (via.kind == DeviceConfig::Kind::Mqtt)
        transport = mqttTransport(d);
    else if (via.kind == DeviceConfig::Kind::Udp)
        transport = udpTransport(d);
    else if (via.kind == DeviceConfig::Kind::Tcp)
        transport = std::make_unique<TcpTransport>(via.tcp.host, via.tcp.port);
    else
        transport = makeSerialTransport(via.serial, nullptr);
    if (auto *fd = qobject_cast<FdTransport *>(transport.get())) {
        fd->setDiscardInputAtOpen(d.config.stale == DeviceConfig::Stale::Flush);
        d.fd = fd;
    } else {
        d.fd = nullptr;
    }
    // A serial port or PTY loses bytes; TCP (and MQTT over it) retransmits: docs/faults.md.
    const LinkMode mode = via.kind == DeviceConfig::Kind::Tcp || via.kind == DeviceConfig::Kind::Mqtt
                              ? LinkMode::Reliable
                              : LinkMode::Lossy;
    auto link = std::make_unique<Link>(std::move(transport),
                                       deviceSeed(m_runSeed ^ 0x4c494e4bULL, d.config.name), mode);
    link->setTerminator(d.config.terminator);
    for (auto it = d.linkFaults.cbegin(); it != d.linkFaults.cend() && !d.mqttProxy && !d.udpProxy; ++it)
        link->inject(it.key(), it.value());
    d.link = link.get();
    const QString name = d.config.name;
    if (!d.session) {
        d.session = new DeviceSession(d.config, std::move(link), this);
        d.session->setStallWatch(m_stallWatch);
        connect(d.session, &DeviceSession::stateChanged, this,
                [this, name](DeviceSession::State state, const QString &reason) {
                    onStateChanged(name, static_cast<int>(state), reason);
                });
        connect(d.session, &DeviceSession::problem, this,
                [this, name](qint64 t, EventKind kind, const QString &detail) {
                    emit deviceEvent(t, kind, name, detail);
                });
    } else {
        d.session->replaceTransport(std::move(link));
    }
    d.session->start();
}

void Bench::onStateChanged(const QString &name, int stateValue, const QString &reason) {
    Device *d = find(name);
    if (!d || m_shuttingDown)
        return;
    const auto state = static_cast<DeviceSession::State>(stateValue);
    if (state == DeviceSession::State::Ready) {
        const bool again = d->everReady;
        d->ready = true;
        d->everReady = true;
        d->backoffMs = 100;
        if (d->reconnect)
            d->reconnect->stop();
        emit deviceEvent(monotonicNs(), again ? EventKind::Reconnect : EventKind::Connect, name, reason);
        if (again)
            emit deviceBack(name);
        checkAllReady();
        return;
    }
    if (state != DeviceSession::State::Lost)
        return;
    if (m_connecting && !d->everReady) {
        fail(name, reason);
        return;
    }
    if (d->ready)
        emit deviceEvent(monotonicNs(), EventKind::Disconnect, name, reason);
    d->ready = false;
    scheduleReconnect(*d);
}

void Bench::scheduleReconnect(Device &d) {
    // A simulator that is powered off or gone is brought back by powerOn(), not by reopening its link.
    if (d.config.kind == DeviceConfig::Kind::Sim && (!d.powered || !d.sim || !d.sim->isRunning()))
        return;
    if (!d.reconnect) {
        d.reconnect = new QTimer(this);
        d.reconnect->setSingleShot(true);
        const QString name = d.config.name;
        connect(d.reconnect, &QTimer::timeout, this, [this, name] {
            Device *dev = find(name);
            if (!dev || dev->ready || m_shuttingDown || !dev->session)
                return;
            if (dev->session->state() == DeviceSession::State::Connecting)
                return;
            dev->session->start();
        });
    }
    d.reconnect->start(d.backoffMs);
    d.backoffMs = std::min(d.backoffMs * 2, kMaxBackoffMs);
}

void Bench::checkAllReady() {
    if (!m_connecting)
        return;
    const bool all =
        std::all_of(m_devices.cbegin(), m_devices.cend(), [](const Device &x) { return x.ready; });
    if (all) {
        m_connecting = false;
        m_connectTimer.stop();
        // Everything received so far is from before the run: read it now, then flush or keep it.
        for (Device &x : m_devices) {
            if (FdTransport *fd = x.fd.data())
                fd->readAvailable();
            if (x.session)
                x.session->beginRun();
        }
        emit ready();
    }
}

void Bench::fail(const QString &device, const QString &reason) {
    if (!m_connecting)
        return;
    m_connecting = false;
    m_connectTimer.stop();
    emit failed(device, reason);
}

void Bench::shutdown() {
    m_shuttingDown = true;
    m_connecting = false;
    m_connectTimer.stop();
    for (Device &d : m_devices) {
        if (d.reconnect)
            d.reconnect->stop();
        if (d.session)
            d.session->stop();
        if (d.sim)
            d.sim->stop();
    }
    for (FaultProxy *p : std::as_const(m_proxies))
        p->close();
    for (UdpProxy *p : std::as_const(m_udpProxies))
        p->close();
    for (const Device &d : std::as_const(m_devices)) {
        if (d.mqttProxy)
            d.mqttProxy->close();
        if (d.udpProxy)
            d.udpProxy->close();
    }
    for (BrokerProcess *b : std::as_const(m_brokers))
        b->stop();
}

void Bench::injectProxyFault(const QString &proxy, int id, const LinkFaultSpec &spec) {
    if (FaultProxy *p = m_proxies.value(proxy))
        p->inject(id, spec);
    else if (UdpProxy *u = m_udpProxies.value(proxy))
        u->inject(id, spec);
}

LinkCounters Bench::clearProxyFault(const QString &proxy, int id) {
    if (UdpProxy *u = m_udpProxies.value(proxy)) {
        const UdpProxy::Window w = u->clear(id);
        return w.toDevice.toLinkCounters() + w.fromDevice.toLinkCounters();
    }
    FaultProxy *p = m_proxies.value(proxy);
    if (!p)
        return {};
    const Link::WindowCounters window = p->clear(id);
    return window.toDevice + window.fromDevice;
}

void Bench::injectLinkFault(const QString &device, int id, const LinkFaultSpec &spec) {
    Device *d = find(device);
    if (!d)
        return;
    d->linkFaults.insert(id, spec);
    if (d->mqttProxy)
        d->mqttProxy->inject(id, spec);
    else if (d->udpProxy)
        d->udpProxy->inject(id, spec);
    else if (d->link)
        d->link->inject(id, spec);
}

LinkCounters Bench::clearLinkFault(const QString &device, int id) {
    Device *d = find(device);
    LinkCounters c;
    if (!d || !d->linkFaults.contains(id))
        return c;
    const LinkFaultSpec spec = d->linkFaults.take(id);
    if (!d->link && !d->mqttProxy && !d->udpProxy)
        return c;
    if (d->udpProxy) {
        const UdpProxy::Window w = d->udpProxy->clear(id);
        return w.toDevice.toLinkCounters() + w.fromDevice.toLinkCounters();
    }
    const Link::WindowCounters window = d->mqttProxy ? d->mqttProxy->clear(id) : d->link->clear(id);
    c = window.toDevice + window.fromDevice;
    // A link closed by a disconnect fault comes back now rather than at the next back-off step.
    if (spec.kind == LinkFaultSpec::Kind::Disconnect && !d->ready && d->reconnect && d->session) {
        d->backoffMs = 100;
        d->reconnect->start(0);
    }
    return c;
}

void Bench::sendDeviceCommand(const QString &device, const QString &command,
                              std::function<void(bool, const QString &)> done) {
    Device *d = find(device);
    if (!d || !d->control) {
        QMetaObject::invokeMethod(
            this, [done] { done(false, QStringLiteral("not a simulated device")); }, Qt::QueuedConnection);
        return;
    }
    d->control->send(command, std::move(done));
}

void Bench::powerOff(const QString &device) {
    Device *d = find(device);
    if (!d || !d->powered)
        return;
    d->powered = false;
    if (!d->config.powerSupply.isEmpty()) {
        switchSupply(*d, QByteArrayLiteral("OUTP OFF"));
        emit deviceEvent(monotonicNs(), EventKind::PowerOff, device,
                         QStringLiteral("OUTP OFF at supply %1").arg(d->config.powerSupply));
        return;
    }
    if (d->reconnect)
        d->reconnect->stop();
    emit deviceEvent(monotonicNs(), EventKind::PowerOff, device, QStringLiteral("simulator killed"));
    if (d->sim)
        d->sim->kill();
    // The killed simulator's link reports the loss through the session (disconnect event).
}

void Bench::powerOn(const QString &device) {
    Device *d = find(device);
    if (!d || d->powered)
        return;
    d->powered = true;
    if (!d->config.powerSupply.isEmpty()) {
        switchSupply(*d, QByteArrayLiteral("OUTP ON"));
        emit deviceEvent(monotonicNs(), EventKind::PowerOn, device,
                         QStringLiteral("OUTP ON at supply %1").arg(d->config.powerSupply));
        return;
    }
    emit deviceEvent(monotonicNs(), EventKind::PowerOn, device, QStringLiteral("simulator restarted"));
    if (d->sim)
        startSim(*d); // onSimReady() gives the session a link to the new PTY or port
}

void Bench::switchSupply(const Device &d, const QByteArray &command) {
    DeviceSession *supply = session(d.config.powerSupply);
    if (!supply)
        return;
    const QString device = d.config.name;
    const QString supplyName = d.config.powerSupply;
    // Many SCPI supplies answer set commands with nothing; silence within the wait is fine.
    static const QRegularExpression answer(QStringLiteral("^(OK|ERR.*)$"));
    supply->sendBackground(
        command, answer, std::chrono::milliseconds(500),
        [this, device, supplyName, command](const DeviceSession::Answer &a) {
            if (a.outcome == DeviceSession::Answer::Outcome::Matched && a.line.startsWith("ERR"))
                emit deviceEvent(monotonicNs(), EventKind::Error, device,
                                 QStringLiteral("supply %1 refused %2: %3")
                                     .arg(supplyName, QString::fromUtf8(command), QString::fromUtf8(a.line)));
        });
}

bool Bench::isPowered(const QString &device) const {
    const Device *d = find(device);
    return d && d->powered;
}

DeviceSession *Bench::session(const QString &device) const {
    const Device *d = find(device);
    return d ? d->session : nullptr;
}

QList<DeviceSession *> Bench::sessions() const {
    QList<DeviceSession *> out;
    for (const Device &d : m_devices) {
        if (d.session)
            out.append(d.session);
    }
    return out;
}

SimProcess *Bench::simulator(const QString &device) const {
    const Device *d = find(device);
    return d ? d->sim : nullptr;
}

} // namespace hil
