#pragma once

#include "deviceprotocol.h"

#include <QByteArray>
#include <QByteArrayList>
#include <chrono>
#include <optional>

namespace hilsim {

// Everything that makes one simulated GPS-1 differ from another.
struct GpsConfig {
    QByteArray serial = QByteArrayLiteral("GP0001");
    QByteArray firmware = QByteArrayLiteral("3.0.1");
    double rateHz = 10.0; // fixes per second
    bool banner = false;
    bool noReply = false;
};

// The GPS-1, a receiver that talks without being asked: from boot it sends one NMEA 0183 fix per period,
// a $GPGGA sentence followed by a $GPRMC sentence, each with its XOR checksum, on absolute deadlines
// (fix n at boot + n / rate). Commands: *IDN?, STREAM ON|OFF (stop and restart the sentences), RATE <hz>
// and RATE?, CORRUPT <n> (the next n sentences carry a wrong checksum); each answered with a line (OK,
// or ERR ...) between sentences. A hang or dropout fault withholds sentences (the fix number still
// advances, so the harness sees the gap). No I/O and no clock (see DeviceProtocol).
//
// Not thread-safe; use it from one thread.
class GpsProtocol : public DeviceProtocol {
public:
    static constexpr double kMinRateHz = 0.1;
    static constexpr double kMaxRateHz = 1000.0;

    explicit GpsProtocol(GpsConfig config);

    std::optional<std::chrono::nanoseconds> nextDeadline() const override;
    double currentValue(int, std::chrono::nanoseconds) override { return 0.0; }

    bool isStreaming() const { return m_streaming; }
    quint64 fixesSent() const { return m_fixesSent; }
    quint64 corruptedSent() const { return m_corruptedSent; }

    // "$BODY*HH" with HH the XOR of BODY's bytes (upper-case hex).
    static QByteArray sentence(const QByteArray &body, bool corrupt = false);

protected:
    QByteArrayList execute(const QByteArrayList &words, std::chrono::nanoseconds now) override;
    QByteArrayList dueLines(std::chrono::nanoseconds now) override;
    QByteArray bannerText() const override;
    void onPowerDown() override;
    void onBoot() override;

private:
    std::chrono::nanoseconds fixTime(quint64 n) const;
    // Restarts the fix schedule at `now`: the next fix is one period later.
    void rebase(std::chrono::nanoseconds now);
    QByteArray nextSentence(const QByteArray &body);

    GpsConfig m_config;
    double m_rateHz;
    bool m_streaming = true;
    std::chrono::nanoseconds m_scheduleStart{};
    quint64 m_nextFix = 0;
    quint64 m_fixesSent = 0;
    quint64 m_corruptNext = 0;
    quint64 m_corruptedSent = 0;
};

} // namespace hilsim
