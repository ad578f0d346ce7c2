#include "envsensorprotocol.h"

#include "controlcommand.h"

#include <cmath>
#include <utility>

namespace hilsim {

EnvSensorProtocol::EnvSensorProtocol(EnvSensorConfig config)
    : DeviceProtocol(config.banner, config.noReply)
    , m_config(std::move(config))
    , m_model(m_config.seed, m_config.rateHz) {}

std::optional<std::chrono::nanoseconds> EnvSensorProtocol::nextDeadline() const {
    if (!m_streaming)
        return std::nullopt;
    return bootTime() + m_model.sampleTime(m_streamNextIndex);
}

double EnvSensorProtocol::currentValue(int channel, std::chrono::nanoseconds now) {
    // As reported, to the digits the device prints, so a stuck reading holds exactly what was seen.
    const EnvSample &sample = m_model.advanceTo(modelTime(now));
    return (channel == Humidity ? humidity(sample, now) : temperature(sample, now)).toDouble();
}

QByteArrayList EnvSensorProtocol::dueLines(std::chrono::nanoseconds now) {
    QByteArrayList lines;
    if (!m_streaming)
        return lines;
    // A late caller gets every missed line at once rather than a gap in seq: the harness checks seq.
    while (m_model.sampleTime(m_streamNextIndex) <= modelTime(now)) {
        const EnvSample &sample = m_model.advanceToIndex(m_streamNextIndex);
        ++m_streamNextIndex;
        ++m_streamSeq;
        const auto at = bootTime() + sample.time;
        if (withholdReading(at))
            continue;
        lines.append("DATA " + QByteArray::number(m_streamSeq) + ' ' + temperature(sample, at) + ' '
                     + humidity(sample, at));
    }
    return lines;
}

QByteArrayList EnvSensorProtocol::execute(const QByteArrayList &words, std::chrono::nanoseconds now) {
    const QByteArray &command = words.first();
    QByteArray answer;
    if (command == "*IDN?" && words.size() == 1) {
        answer = "ACME,ENV-1," + m_config.serial + ',' + m_config.firmware;
    } else if (command == "READ?" && words.size() == 2) {
        const EnvSample &sample = m_model.advanceTo(modelTime(now));
        if (words[1] == "TEMP")
            answer = "TEMP " + temperature(sample, now);
        else if (words[1] == "HUM")
            answer = "HUM " + humidity(sample, now);
        else if (words[1] == "ALL")
            answer = "ALL " + temperature(sample, now) + ' ' + humidity(sample, now);
        if (!answer.isEmpty() && withholdReading(now))
            return {};
    } else if (command == "RATE?" && words.size() == 1) {
        answer = "RATE " + formatNumber(m_model.rateHz());
    } else if (command == "RATE" && words.size() == 2) {
        bool ok = false;
        const double hz = words[1].toDouble(&ok);
        if (!ok)
            return {error("unknown command")};
        if (!std::isfinite(hz) || hz < kMinRateHz || hz > kMaxRateHz)
            return {error("range")};
        // Rebase on the latest sample taken by now, so the new spacing starts from the present.
        m_model.advanceTo(modelTime(now));
        m_model.setRateHz(hz);
        if (m_streaming)
            m_streamNextIndex = m_model.latest().index + 1;
        answer = "OK";
    } else if (command == "STREAM" && words.size() == 2 && (words[1] == "ON" || words[1] == "OFF")) {
        m_streaming = words[1] == "ON";
        if (m_streaming) {
            m_streamNextIndex = m_model.advanceTo(modelTime(now)).index + 1;
            m_streamSeq = 0;
        }
        answer = "OK";
    }
    if (answer.isEmpty())
        return {error("unknown command")};
    return {answer};
}

QByteArray EnvSensorProtocol::bannerText() const {
    return "ENV-1 " + m_config.serial + " ready";
}

void EnvSensorProtocol::onSessionReset() {
    m_streaming = false;
}

void EnvSensorProtocol::onPowerDown() {
    m_streaming = false;
}

void EnvSensorProtocol::onBoot() {
    // As at start: the configured rate, no stream, the model's clock and noise from the beginning.
    m_model = EnvSensorModel(m_config.seed, m_config.rateHz);
    m_streaming = false;
    m_streamSeq = 0;
    m_streamNextIndex = 0;
}

QByteArray EnvSensorProtocol::temperature(const EnvSample &sample,
                                          std::chrono::nanoseconds reportTime) const {
    const double value =
        faulted(Temperature, sample.temperature, sample.index, bootTime() + sample.time, reportTime);
    return QByteArray::number(value, 'f', 3);
}

QByteArray EnvSensorProtocol::humidity(const EnvSample &sample, std::chrono::nanoseconds reportTime) const {
    const double value =
        faulted(Humidity, sample.humidity, sample.index, bootTime() + sample.time, reportTime);
    return QByteArray::number(value, 'f', 2);
}

} // namespace hilsim
