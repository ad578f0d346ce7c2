#pragma once

#include "core/base/duration.h"
#include "core/config/binding.h"
#include "core/config/framingspec.h"
#include "core/config/mqttspec.h"
#include "core/config/serialsettings.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// A simulated device: the harness starts `hil-sim MODEL` as a child process for it.
struct SimSpec {
    enum class Link { Pty, Tcp };
    QString model;
    Link link = Link::Pty;
    std::optional<quint64> seed;    // absent: derived from the run's seed and the device name
    QMap<QString, QString> options; // passed as --key value
};

struct TcpSpec {
    QString host;
    quint16 port = 0;
};

// One device of a bench and how to reach it.
struct DeviceConfig {
    enum class Kind { Serial, Tcp, Sim, Mqtt, Udp };
    QString name;
    Kind kind = Kind::Sim;
    SerialSettings serial;
    TcpSpec tcp;
    TcpSpec udp; // Kind::Udp: the host and port its datagrams go to (docs/faults.md, Datagrams)
    SimSpec sim;
    FramingSpec framing; // how its bytes are cut into frames: lines at `terminator`, or binary frames
    MqttSpec mqtt;
    int modbusUnit = 1; // a Modbus device (framing ModbusTcp / ModbusRtu): the unit id its steps address
    QByteArray terminator = QByteArrayLiteral("\n");
    qsizetype maxLineLength = 4096;
    Nanoseconds timeout = std::chrono::seconds(1); // default for expects that give no `within`
    // A device lost outside any fault window that is not back this soon ends the run as ERROR.
    Nanoseconds reconnectTimeout = std::chrono::seconds(10);
    // How long after its timeout a request stays owed: a line in that window is its late answer, never
    // the answer to a newer request. Unset: the exchange's own `within`.
    std::optional<Nanoseconds> lateWindow;
    // Input the device sent before the run (`stale:`). Flush: dropped (the port's input buffer when it is
    // opened or reopened, and lines received before the first step). Keep: kept, and recorded as stale
    // with their arrival times (a `stale-data` event). Either way an expect without a send takes only
    // lines that arrived after its step began, unless it says `stale: accept`. The loader's default is
    // Flush, and Keep for MQTT devices (a retained message is the topic's current value).
    enum class Stale { Flush, Keep };
    Stale stale = Stale::Flush;
    QString powerSupply; // the fixture device (a SCPI supply) that feeds this one, if any
    QString description;
};

// A fault proxy the harness runs for the length of a run, for traffic it does not carry itself (a
// device's connection to its cloud): the device is pointed at `listen`, the proxy forwards to `upstream`.
// TCP (FaultProxy) unless `transport: udp` (UdpProxy: a flow per client address, faults per datagram).
struct ProxyConfig {
    QString name;
    bool udp = false;
    // A udp proxy's flow ends after this long without a datagram either way (`idle_timeout:`); unset:
    // UdpProxy's default, 60 s.
    std::optional<Nanoseconds> idleTimeout;
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 0;
    QString upstreamHost;
    quint16 upstreamPort = 0;
    // The fixture's devices whose traffic crosses it (`serves:`): a fault on the proxy acts on them for
    // the verdict rule as a fault on each of them would (docs/reliability.md, Proxy faults).
    QStringList serves;
};

// The shortest flow idle time a udp proxy takes (`idle_timeout:`, `hil proxy --udp --idle-timeout`): its
// flows are swept every quarter of it, but no more often than every 10 ms.
inline constexpr Nanoseconds kMinUdpIdleTimeout{10'000'000};

// A real MQTT broker (mosquitto) the harness starts for the length of a run and stops at its end:
// anonymous, no persistence, listening on `listen` only.
struct BrokerConfig {
    QString name;
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 0;
};

// A bench: named devices plus metadata that goes into every run recorded on it.
struct Fixture {
    QString path;
    QString name;
    QString station;
    QString dutSerial;
    QString firmware;
    QList<DeviceConfig> devices;
    QList<ProxyConfig> proxies;
    QList<BrokerConfig> brokers;
    // The bench's values of the scenarios' variables (`vars:`): they override a scenario's own defaults.
    Bindings vars;

    const DeviceConfig *device(const QString &name) const;
    const ProxyConfig *proxy(const QString &name) const;
    const BrokerConfig *broker(const QString &name) const;
    // Whether the link of a device or proxy of this name carries datagrams (udp) rather than a byte
    // stream: which link fault kinds apply to it (LinkFaultSpec::inapplicableOn()).
    bool carriesDatagrams(const QString &target) const;
};

} // namespace hil
