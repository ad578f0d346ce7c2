#include "bench.h"

#include "clock.h"
#include "devicesession.h"
#include "serialtransportfactory.h"
#include "simprocess.h"
#include "tcptransport.h"

namespace hil {

namespace {

// splitmix64: a good spread for seeds that differ in few bits.
quint64 mix(quint64 x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

} // namespace

Bench::Bench(const Fixture &fixture, const QStringList &deviceNames, quint64 runSeed, QObject *parent)
    : QObject(parent)
    , m_runSeed(runSeed) {
    for (const QString &name : deviceNames) {
        if (const DeviceConfig *c = fixture.device(name))
            m_devices.append(Device{*c, nullptr, nullptr, false});
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
    quint64 h = mix(runSeed);
    for (QChar c : device)
        h = mix(h ^ c.unicode());
    // Keep it positive as a signed 63-bit value: it goes on command lines and into SQLite integers.
    return h & 0x7fffffffffffffffULL;
}

void Bench::connectAll(int timeoutMs) {
    m_connecting = true;
    m_connectTimer.start(timeoutMs);
    if (m_devices.isEmpty()) {
        m_connecting = false;
        QMetaObject::invokeMethod(this, &Bench::ready, Qt::QueuedConnection);
        return;
    }
    for (Device &d : m_devices) {
        if (d.config.kind != DeviceConfig::Kind::Sim) {
            openSession(d, d.config);
            continue;
        }
        const quint64 seed = d.config.sim.seed.value_or(deviceSeed(m_runSeed, d.config.name));
        d.sim = new SimProcess(d.config, seed, this);
        const QString name = d.config.name;
        connect(d.sim, &SimProcess::ready, this, [this, name](SimSpec::Link link, const QString &address) {
            for (Device &dev : m_devices) {
                if (dev.config.name != name)
                    continue;
                emit deviceEvent(
                    monotonicNs(), QStringLiteral("sim-start"), name,
                    QStringLiteral("pid %1 at %2 %3")
                        .arg(dev.sim->pid())
                        .arg(link == SimSpec::Link::Pty ? QStringLiteral("pty") : QStringLiteral("tcp"),
                             address));
                DeviceConfig via = dev.config;
                if (link == SimSpec::Link::Pty) {
                    via.kind = DeviceConfig::Kind::Serial;
                    via.serial.port = address;
                    via.serial.backend = SerialSettings::Backend::Pty;
                } else {
                    via.kind = DeviceConfig::Kind::Tcp;
                    const qsizetype colon = address.lastIndexOf(u':');
                    via.tcp.host = address.left(colon);
                    via.tcp.port = address.mid(colon + 1).toUShort();
                }
                openSession(dev, via);
            }
        });
        connect(d.sim, &SimProcess::failed, this,
                [this, name](const QString &reason) { fail(name, reason); });
        connect(d.sim, &SimProcess::exited, this, [this, name](const QString &reason) {
            emit deviceEvent(monotonicNs(), QStringLiteral("sim-exit"), name, reason);
        });
        d.sim->start();
    }
}

void Bench::openSession(Device &d, const DeviceConfig &via) {
    std::unique_ptr<Transport> transport;
    if (via.kind == DeviceConfig::Kind::Tcp)
        transport = std::make_unique<TcpTransport>(via.tcp.host, via.tcp.port);
    else
        transport = makeSerialTransport(via.serial, nullptr);
    d.session = new DeviceSession(d.config, std::move(transport), this);
    const QString name = d.config.name;
    connect(d.session, &DeviceSession::stateChanged, this,
            [this, name](DeviceSession::State state, const QString &reason) {
                for (Device &dev : m_devices) {
                    if (dev.config.name != name)
                        continue;
                    if (state == DeviceSession::State::Ready) {
                        dev.ready = true;
                        emit deviceEvent(monotonicNs(), QStringLiteral("connect"), name, reason);
                        const bool all = std::all_of(m_devices.cbegin(), m_devices.cend(),
                                                     [](const Device &x) { return x.ready; });
                        if (all && m_connecting) {
                            m_connecting = false;
                            m_connectTimer.stop();
                            emit ready();
                        }
                    } else if (state == DeviceSession::State::Lost) {
                        if (m_connecting)
                            fail(name, reason);
                        else
                            emit deviceEvent(monotonicNs(), QStringLiteral("disconnect"), name, reason);
                    }
                }
            });
    connect(d.session, &DeviceSession::problem, this,
            [this, name](qint64 t, const QString &kind, const QString &detail) {
                emit deviceEvent(t, kind, name, detail);
            });
    d.session->start();
}

void Bench::fail(const QString &device, const QString &reason) {
    if (!m_connecting)
        return;
    m_connecting = false;
    m_connectTimer.stop();
    emit failed(device, reason);
}

void Bench::shutdown() {
    m_connecting = false;
    m_connectTimer.stop();
    for (Device &d : m_devices) {
        if (d.session)
            d.session->stop();
        if (d.sim)
            d.sim->stop();
    }
}

DeviceSession *Bench::session(const QString &device) const {
    for (const Device &d : m_devices) {
        if (d.config.name == device)
            return d.session;
    }
    return nullptr;
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
    for (const Device &d : m_devices) {
        if (d.config.name == device)
            return d.sim;
    }
    return nullptr;
}

} // namespace hil
