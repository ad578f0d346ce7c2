#include "gpsprotocol.h"

#include <cmath>

namespace hilsim {

namespace {

// "hhmmss.ss" of a UTC clock that reads 12:00:00 at device boot.
QByteArray utc(std::chrono::nanoseconds sinceBoot) {
    const qint64 centis = 12LL * 3600 * 100 + sinceBoot.count() / 10'000'000;
    const qint64 h = (centis / 360'000) % 24;
    const qint64 m = (centis / 6'000) % 60;
    const qint64 s = (centis / 100) % 60;
    const qint64 c = centis % 100;
    return QByteArray::number(h).rightJustified(2, '0') + QByteArray::number(m).rightJustified(2, '0')
           + QByteArray::number(s).rightJustified(2, '0') + '.'
           + QByteArray::number(c).rightJustified(2, '0');
}

} // namespace

GpsProtocol::GpsProtocol(GpsConfig config)
    : DeviceProtocol(config.banner, config.noReply)
    , m_config(std::move(config))
    , m_rateHz(m_config.rateHz) {}

QByteArray GpsProtocol::sentence(const QByteArray &body, bool corrupt) {
    quint8 x = 0;
    for (const char c : body)
        x ^= static_cast<quint8>(c);
    if (corrupt)
        x ^= 0x5A;
    return '$' + body + '*' + QByteArray::number(x, 16).toUpper().rightJustified(2, '0');
}

std::chrono::nanoseconds GpsProtocol::fixTime(quint64 n) const {
    return m_scheduleStart
           + std::chrono::nanoseconds(
               static_cast<qint64>(std::llround(static_cast<double>(n) * 1e9 / m_rateHz)));
}

std::optional<std::chrono::nanoseconds> GpsProtocol::nextDeadline() const {
    if (!m_streaming)
        return std::nullopt;
    return fixTime(m_nextFix);
}

void GpsProtocol::rebase(std::chrono::nanoseconds now) {
    m_scheduleStart = now;
    m_nextFix = 1;
}

QByteArray GpsProtocol::nextSentence(const QByteArray &body) {
    const bool corrupt = m_corruptNext > 0;
    if (corrupt) {
        --m_corruptNext;
        ++m_corruptedSent;
    }
    return sentence(body, corrupt);
}

QByteArrayList GpsProtocol::dueLines(std::chrono::nanoseconds now) {
    QByteArrayList lines;
    if (!m_streaming)
        return lines;
    // A late caller gets every missed fix at once, in order, each stamped with its own time.
    while (fixTime(m_nextFix) <= now) {
        const auto at = fixTime(m_nextFix);
        ++m_nextFix;
        if (withholdReading(at))
            continue;
        const QByteArray time = utc(at - bootTime());
        lines.append(nextSentence("GPGGA," + time + ",4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"));
        lines.append(nextSentence("GPRMC," + time + ",A,4807.038,N,01131.000,E,000.0,000.0,040126,003.1,W"));
        ++m_fixesSent;
    }
    return lines;
}

QByteArrayList GpsProtocol::execute(const QByteArrayList &words, std::chrono::nanoseconds now) {
    const QByteArray &command = words.first();
    QByteArray answer;
    if (command == "*IDN?" && words.size() == 1) {
        answer = "ACME,GPS-1," + m_config.serial + ',' + m_config.firmware;
    } else if (command == "STREAM" && words.size() == 2 && (words[1] == "ON" || words[1] == "OFF")) {
        const bool on = words[1] == "ON";
        if (on && !m_streaming)
            rebase(now);
        m_streaming = on;
        answer = "OK";
    } else if (command == "RATE?" && words.size() == 1) {
        answer = "RATE " + QByteArray::number(m_rateHz);
    } else if (command == "RATE" && words.size() == 2) {
        bool ok = false;
        const double hz = words[1].toDouble(&ok);
        if (!ok || !std::isfinite(hz) || hz < kMinRateHz || hz > kMaxRateHz)
            return {error("range")};
        m_rateHz = hz;
        rebase(now);
        answer = "OK";
    } else if (command == "CORRUPT" && words.size() == 2) {
        bool ok = false;
        const uint n = words[1].toUInt(&ok);
        if (!ok)
            return {error("range")};
        m_corruptNext = n;
        answer = "OK";
    }
    if (answer.isEmpty())
        return {error("unknown command")};
    return {answer};
}

QByteArray GpsProtocol::bannerText() const {
    return "GPS-1 " + m_config.serial + " ready";
}

void GpsProtocol::onPowerDown() {
    m_streaming = false;
}

void GpsProtocol::onBoot() {
    // As at start: the configured rate, streaming from the boot on.
    m_rateHz = m_config.rateHz;
    m_streaming = true;
    m_scheduleStart = bootTime();
    m_nextFix = 1;
    m_corruptNext = 0;
}

} // namespace hilsim
