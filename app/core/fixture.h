#pragma once

#include "duration.h"
#include "serialsettings.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
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
    enum class Kind { Serial, Tcp, Sim };
    QString name;
    Kind kind = Kind::Sim;
    SerialSettings serial;
    TcpSpec tcp;
    SimSpec sim;
    QByteArray terminator = QByteArrayLiteral("\n");
    qsizetype maxLineLength = 4096;
    Nanoseconds timeout = std::chrono::seconds(1); // default for expects that give no `within`
    QString description;
};

// A bench: named devices plus metadata that goes into every run recorded on it.
struct Fixture {
    QString path;
    QString name;
    QString station;
    QString dutSerial;
    QString firmware;
    QList<DeviceConfig> devices;

    const DeviceConfig *device(const QString &name) const;
};

} // namespace hil
