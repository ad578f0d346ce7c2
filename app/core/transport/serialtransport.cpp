#include "core/transport/serialtransport.h"

#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <libserialport.h>

namespace hil {

namespace {

sp_parity toSpParity(SerialSettings::Parity parity) {
    switch (parity) {
    case SerialSettings::Parity::None:
        return SP_PARITY_NONE;
    case SerialSettings::Parity::Odd:
        return SP_PARITY_ODD;
    case SerialSettings::Parity::Even:
        return SP_PARITY_EVEN;
    case SerialSettings::Parity::Mark:
        return SP_PARITY_MARK;
    case SerialSettings::Parity::Space:
        return SP_PARITY_SPACE;
    }
    return SP_PARITY_INVALID;
}

sp_flowcontrol toSpFlow(SerialSettings::Flow flow) {
    switch (flow) {
    case SerialSettings::Flow::None:
        return SP_FLOWCONTROL_NONE;
    case SerialSettings::Flow::XonXoff:
        return SP_FLOWCONTROL_XONXOFF;
    case SerialSettings::Flow::RtsCts:
        return SP_FLOWCONTROL_RTSCTS;
    case SerialSettings::Flow::DtrDsr:
        return SP_FLOWCONTROL_DTRDSR;
    }
    return SP_FLOWCONTROL_NONE;
}

QChar parityLetter(SerialSettings::Parity parity) {
    switch (parity) {
    case SerialSettings::Parity::None:
        return QLatin1Char('N');
    case SerialSettings::Parity::Odd:
        return QLatin1Char('O');
    case SerialSettings::Parity::Even:
        return QLatin1Char('E');
    case SerialSettings::Parity::Mark:
        return QLatin1Char('M');
    case SerialSettings::Parity::Space:
        return QLatin1Char('S');
    }
    return QLatin1Char('?');
}

// libserialport 0.1.1's sp_last_error_message() is strerror(errno), whatever set errno last. errno is
// cleared before each call, so a non-zero errno after a failure (callErrno) is this failure's cause.
// Otherwise (a bad argument, an unsupported setting) the errno text would be stale and misleading, so
// say what the return code means instead.
QString libserialportMessage(sp_return code, int callErrno) {
    if (code == SP_ERR_FAIL || callErrno != 0) {
        errno = callErrno;
        char *message = sp_last_error_message();
        QString text = QString::fromLocal8Bit(message);
        sp_free_error_message(message);
        return text;
    }
    switch (code) {
    case SP_ERR_ARG:
        return QStringLiteral("invalid argument, or not a serial port libserialport knows");
    case SP_ERR_MEM:
        return QStringLiteral("out of memory");
    case SP_ERR_SUPP:
        return QStringLiteral("not supported by the operating system or driver");
    default:
        return QStringLiteral("error %1").arg(static_cast<int>(code));
    }
}

} // namespace

void SerialTransport::PortDeleter::operator()(sp_port *port) const noexcept {
    // sp_free_port() does not close an open port.
    int fd = -1;
    if (sp_get_port_handle(port, &fd) == SP_OK && fd >= 0)
        sp_close(port);
    sp_free_port(port);
}

void SerialTransport::ConfigDeleter::operator()(sp_port_config *config) const noexcept {
    sp_free_config(config);
}

SerialTransport::SerialTransport(const SerialSettings &settings, QObject *parent)
    : FdTransport(parent)
    , m_settings(settings) {}

SerialTransport::~SerialTransport() {
    close();
}

QString SerialTransport::describe() const {
    return QStringLiteral("serial %1 %2 %3%4%5")
        .arg(m_settings.port)
        .arg(m_settings.baud)
        .arg(m_settings.dataBits)
        .arg(parityLetter(m_settings.parity))
        .arg(m_settings.stopBits);
}

int SerialTransport::openDescriptor(QString *error) {
    // One call into libserialport; a failure becomes the sentence for failed().
    const auto call = [this, error](const char *name, auto &&function) {
        errno = 0;
        const sp_return result = function();
        const int callErrno = errno;
        if (result >= SP_OK)
            return true;
        const QString message = libserialportMessage(result, callErrno);
        *error =
            describe() + QStringLiteral(": ") + QLatin1String(name) + QStringLiteral(" failed: ") + message;
        return false;
    };

    // libserialport finds a port's details through /sys/class/tty/<name under /dev/>, so it needs the
    // device node's own name, not a by-id/by-path symlink. A path that does not exist goes as given, so
    // that libserialport reports it.
    QString name = QFileInfo(m_settings.port).canonicalFilePath();
    if (name.isEmpty())
        name = m_settings.port;
    const QByteArray nativeName = QFile::encodeName(name);

    sp_port *port = nullptr;
    if (!call("sp_get_port_by_name", [&] { return sp_get_port_by_name(nativeName.constData(), &port); }))
        return -1;
    m_port.reset(port);

    sp_port_config *config = nullptr;
    if (!call("sp_open", [&] { return sp_open(m_port.get(), SP_MODE_READ_WRITE); })
        || !call("sp_new_config", [&] { return sp_new_config(&config); })) {
        m_port.reset();
        return -1;
    }
    m_config.reset(config);

    int fd = -1;
    const bool configured =
        call("sp_set_config_baudrate", [&] { return sp_set_config_baudrate(config, m_settings.baud); })
        && call("sp_set_config_bits", [&] { return sp_set_config_bits(config, m_settings.dataBits); })
        && call("sp_set_config_parity",
                [&] { return sp_set_config_parity(config, toSpParity(m_settings.parity)); })
        && call("sp_set_config_stopbits", [&] { return sp_set_config_stopbits(config, m_settings.stopBits); })
        && call("sp_set_config_flowcontrol",
                [&] { return sp_set_config_flowcontrol(config, toSpFlow(m_settings.flow)); })
        && call("sp_set_config", [&] { return sp_set_config(m_port.get(), config); })
        && call("sp_get_port_handle", [&] { return sp_get_port_handle(m_port.get(), &fd); });
    if (!configured) {
        m_config.reset();
        m_port.reset();
        return -1;
    }
    return fd;
}

void SerialTransport::releaseDescriptor(int /*fd*/) {
    // The descriptor belongs to the libserialport port: the port's deleter closes it.
    m_config.reset();
    m_port.reset();
}

} // namespace hil
