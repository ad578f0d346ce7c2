#include "psuprotocol.h"

#include "faultrandom.h"

#include <cmath>
#include <utility>

namespace hilsim {

namespace {

bool isKeyword(const QByteArray &word, const char *shortForm, const char *longForm) {
    return word == shortForm || word == longForm;
}

} // namespace

PsuProtocol::PsuProtocol(PsuConfig config)
    : DeviceProtocol(config.banner, config.noReply)
    , m_config(std::move(config))
    , m_volts(m_config.volts)
    , m_outputOn(m_config.outputOn) {}

double PsuProtocol::currentValue(int channel, std::chrono::nanoseconds now) {
    // As reported, to the digits the supply prints, so a stuck reading holds exactly what was seen.
    return QByteArray::number(measure(channel, now), 'f', channel == Voltage ? 3 : 4).toDouble();
}

QByteArrayList PsuProtocol::execute(const QByteArrayList &words, std::chrono::nanoseconds now) {
    const QByteArray &command = words.first();
    QByteArray answer;
    if (command == "*IDN?" && words.size() == 1) {
        answer = "ACME,PSU-2," + m_config.serial + ',' + m_config.firmware;
    } else if (isKeyword(command, "OUTP", "OUTPUT") && words.size() == 2) {
        if (words[1] == "ON" || words[1] == "1")
            switchOutput(true);
        else if (words[1] == "OFF" || words[1] == "0")
            switchOutput(false);
        else
            return {error("unknown command")};
        answer = "OK";
    } else if (isKeyword(command, "OUTP?", "OUTPUT?") && words.size() == 1) {
        answer = m_outputOn ? "1" : "0";
    } else if (isKeyword(command, "VOLT", "VOLTAGE") && words.size() == 2) {
        bool ok = false;
        const double volts = words[1].toDouble(&ok);
        if (!ok)
            return {error("unknown command")};
        if (!std::isfinite(volts) || volts < 0.0 || volts > kMaxVolts)
            return {error("range")};
        m_volts = volts;
        answer = "OK";
    } else if (isKeyword(command, "VOLT?", "VOLTAGE?") && words.size() == 1) {
        answer = QByteArray::number(m_volts, 'f', 3);
    } else if (isKeyword(command, "MEAS:VOLT?", "MEASURE:VOLTAGE?") && words.size() == 1) {
        answer = QByteArray::number(measure(Voltage, now), 'f', 3);
        if (withholdReading(now))
            return {};
    } else if (isKeyword(command, "MEAS:CURR?", "MEASURE:CURRENT?") && words.size() == 1) {
        answer = QByteArray::number(measure(Current, now), 'f', 4);
        if (withholdReading(now))
            return {};
    }
    if (answer.isEmpty())
        return {error("unknown command")};
    return {answer};
}

QByteArray PsuProtocol::bannerText() const {
    return "PSU-2 " + m_config.serial + " ready";
}

void PsuProtocol::onPowerDown() {
    switchOutput(false);
}

void PsuProtocol::onBoot() {
    m_volts = m_config.volts;
    switchOutput(m_config.outputOn);
}

void PsuProtocol::switchOutput(bool on) {
    if (on == m_outputOn)
        return;
    m_outputOn = on;
    if (m_onOutputSwitched)
        m_onOutputSwitched(on);
}

double PsuProtocol::measure(int channel, std::chrono::nanoseconds now) {
    const quint64 index = m_measurements++;
    const double noise = faultrandom::normal(m_config.seed, faultrandom::MeasureStream, index);
    double value = 0.0;
    if (channel == Voltage)
        value = m_outputOn ? m_volts + kVoltageNoise * noise : std::abs(kOffVoltageNoise * noise);
    else if (m_outputOn && m_loadConnected)
        value = m_volts / kLoadOhms + kCurrentNoise * noise;
    else
        value = std::abs(kOffCurrentNoise * noise);
    return faulted(channel, value, index, now, now);
}

} // namespace hilsim
