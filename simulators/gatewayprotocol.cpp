#include "gatewayprotocol.h"

#include "gateway.h"

namespace hilsim {

GatewayProtocol::GatewayProtocol(Gateway *gateway, bool banner, bool noReply)
    : DeviceProtocol(banner, noReply)
    , m_gateway(gateway) {}

QByteArrayList GatewayProtocol::execute(const QByteArrayList &words, std::chrono::nanoseconds) {
    const QByteArray &command = words.first();
    if (command == "BUFFER" && words.size() == 2) {
        bool ok = false;
        const qlonglong size = words[1].toLongLong(&ok);
        if (!ok)
            return {error("unknown command")};
        if (size < 1 || size > kMaxBuffer)
            return {error("range")};
        m_gateway->setBufferSize(static_cast<qsizetype>(size));
        return {"OK"};
    }
    if (words.size() != 1)
        return {error("unknown command")};
    if (command == "BUFFER?")
        return {"BUFFER " + QByteArray::number(m_gateway->bufferSize())};
    const GatewayConfig &c = m_gateway->config();
    if (command == "*IDN?")
        return {"ACME,GW-1," + c.serial + ',' + c.firmware};
    if (command == "STATS?") {
        const Gateway::Stats s = m_gateway->stats();
        return {"STATS buffered=" + QByteArray::number(s.buffered) + " dropped="
                + QByteArray::number(s.dropped) + " published=" + QByteArray::number(s.published)
                + " reconnects=" + QByteArray::number(s.reconnects) + " readings="
                + QByteArray::number(s.readings) + " poll_errors=" + QByteArray::number(s.pollErrors)
                + " connected=" + (s.connected ? "1" : "0")};
    }
    if (command == "SENSORS?")
        return {"SENSORS " + m_gateway->sensorNames().join(u' ').toLatin1()};
    if (command == "LINK?")
        return {m_gateway->stats().connected ? QByteArrayLiteral("LINK UP")
                                             : "LINK DOWN " + m_gateway->linkError().toUtf8()};
    return {error("unknown command")};
}

QByteArray GatewayProtocol::bannerText() const {
    return "GW-1 " + m_gateway->config().serial + " ready";
}

void GatewayProtocol::onPowerDown() {
    m_gateway->pause();
}

void GatewayProtocol::onBoot() {
    m_gateway->resume();
}

} // namespace hilsim
