#pragma once

#include "deviceprotocol.h"
#include "envsensorconfig.h"
#include "envsensormodel.h"

#include <QByteArray>
#include <QByteArrayList>
#include <chrono>
#include <optional>

namespace hilsim {

// The ENV-1 command set: bytes or lines in, lines out. It owns the model and knows nothing about
// sockets, PTYs or clocks (see DeviceProtocol for framing, time and power). Model time is device time
// since the last boot.
//
// Streaming: STREAM ON makes the next model sample DATA 1, the one after DATA 2, and so on; each DATA
// line is due at its sample's model time (an absolute deadline, see nextDeadline()). Every call that
// takes `now` first emits the DATA lines that are due, so output stays in time order. A DATA line that a
// hang or dropout withholds still takes its seq, so the harness sees the gap.
//
// Channels for faults: 0 = "temp", 1 = "hum".
//
// Not thread-safe; use it from one thread.
class EnvSensorProtocol : public DeviceProtocol {
public:
    static constexpr double kMinRateHz = 0.1;
    static constexpr double kMaxRateHz = 1000.0;
    enum Channel { Temperature = 0, Humidity = 1 };

    explicit EnvSensorProtocol(EnvSensorConfig config);

    std::optional<std::chrono::nanoseconds> nextDeadline() const override;
    QByteArrayList channels() const override { return {"temp", "hum"}; }
    double currentValue(int channel, std::chrono::nanoseconds now) override;

    bool isStreaming() const { return m_streaming; }
    const EnvSensorConfig &config() const { return m_config; }
    const EnvSensorModel &model() const { return m_model; }

protected:
    QByteArrayList execute(const QByteArrayList &words, std::chrono::nanoseconds now) override;
    QByteArrayList dueLines(std::chrono::nanoseconds now) override;
    QByteArray bannerText() const override;
    void onSessionReset() override;
    void onPowerDown() override;
    void onBoot() override;

private:
    std::chrono::nanoseconds modelTime(std::chrono::nanoseconds now) const { return now - bootTime(); }
    // A sample's readings as reported at device time `reportTime`, faults applied.
    QByteArray temperature(const EnvSample &sample, std::chrono::nanoseconds reportTime) const;
    QByteArray humidity(const EnvSample &sample, std::chrono::nanoseconds reportTime) const;

    EnvSensorConfig m_config;
    EnvSensorModel m_model;
    bool m_streaming = false;
    quint64 m_streamSeq = 0;       // seq of the last DATA line due
    quint64 m_streamNextIndex = 0; // model sample that the next DATA line carries
};

} // namespace hilsim
