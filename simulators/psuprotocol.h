#pragma once

#include "deviceprotocol.h"
#include "psuconfig.h"

#include <chrono>
#include <functional>

namespace hilsim {

// The PSU-2, a SCPI bench power supply: output on/off, a voltage set point, and measured voltage and
// current from a resistive load (0.12 A at 5 V). It "feeds" a device: whenever its output switches (by
// OUTP, by losing its own power, by booting with the output on) it calls the output-switched handler,
// through which the runtime switches the fed device. No I/O and no clock (see DeviceProtocol).
//
// Measurements carry small seeded noise, keyed by the measurement's number, so a seed repeats them.
// Channels for faults: 0 = "volt" (MEAS:VOLT?), 1 = "curr" (MEAS:CURR?).
//
// Not thread-safe; use it from one thread.
class PsuProtocol : public DeviceProtocol {
public:
    static constexpr double kMaxVolts = 30.0;
    static constexpr double kLoadOhms = 5.0 / 0.12;
    static constexpr double kVoltageNoise = 0.002;      // V, output on
    static constexpr double kCurrentNoise = 0.0005;     // A, output on
    static constexpr double kOffVoltageNoise = 0.0005;  // V, output off: readings near 0
    static constexpr double kOffCurrentNoise = 0.00005; // A
    enum Channel { Voltage = 0, Current = 1 };

    explicit PsuProtocol(PsuConfig config);

    QByteArrayList channels() const override { return {"volt", "curr"}; }
    double currentValue(int channel, std::chrono::nanoseconds now) override;

    // Called with the new state whenever the output actually switches; not for the state at start.
    void setOutputSwitchedHandler(std::function<void(bool on)> handler) {
        m_onOutputSwitched = std::move(handler);
    }
    // Whether the output has a load to drive: false while the fed device cannot be reached, so the
    // measured current drops to about 0. True by default (a supply with its own dummy load).
    void setLoadConnected(bool connected) { m_loadConnected = connected; }

    bool isOutputOn() const { return m_outputOn; }
    double voltageSetting() const { return m_volts; }
    const PsuConfig &config() const { return m_config; }

protected:
    QByteArrayList execute(const QByteArrayList &words, std::chrono::nanoseconds now) override;
    QByteArray bannerText() const override;
    void onPowerDown() override;
    void onBoot() override;

private:
    void switchOutput(bool on);
    double measure(int channel, std::chrono::nanoseconds now);

    PsuConfig m_config;
    std::function<void(bool)> m_onOutputSwitched;
    double m_volts;
    bool m_outputOn;
    bool m_loadConnected = true;
    quint64 m_measurements = 0; // measurements taken over the supply's life; keys their noise
};

} // namespace hilsim
