#include "deviceprotocol.h"

#include "devicefaults.h"

namespace hilsim {

DeviceProtocol::DeviceProtocol(bool bannerEnabled, bool noReply)
    : m_bannerEnabled(bannerEnabled)
    , m_noReply(noReply) {}

DeviceProtocol::~DeviceProtocol() = default;

QByteArray DeviceProtocol::feed(QByteArrayView bytes, std::chrono::nanoseconds now) {
    m_counters.bytesReceived += static_cast<quint64>(bytes.size());
    QByteArray out;
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', pos);
        const qsizetype end = newline < 0 ? bytes.size() : newline;
        if (!m_discardingLine) {
            m_partialLine.append(bytes.sliced(pos, end - pos));
            // A "\r" may still turn out to be the tolerated one before "\n", so it does not count yet.
            const qsizetype limit = kMaxLineLength + (m_partialLine.endsWith('\r') ? 1 : 0);
            if (m_partialLine.size() > limit) {
                m_partialLine.clear();
                m_discardingLine = true;
                ++m_counters.overlongLines;
                if (!m_noReply) {
                    QByteArrayList lines = dueLines(now);
                    countUnsolicited(lines.size());
                    lines.append(error("line too long"));
                    ++m_counters.linesSent;
                    ++m_counters.answersSent;
                    out += terminate(lines);
                }
            }
        }
        if (newline < 0)
            break;
        if (m_discardingLine) {
            m_discardingLine = false;
            ++m_counters.linesReceived;
        } else {
            out += terminate(handleLine(m_partialLine, now));
            m_partialLine.clear();
        }
        pos = newline + 1;
    }
    return out;
}

QByteArrayList DeviceProtocol::handleLine(QByteArrayView line, std::chrono::nanoseconds now) {
    ++m_counters.linesReceived;
    if (m_noReply)
        return {};
    if (line.endsWith('\r'))
        line.chop(1);
    QByteArrayList out = dueLines(now);
    countUnsolicited(out.size());
    const QByteArray text = line.toByteArray().simplified();
    if (text.isEmpty())
        return out;
    // SCPI keywords are case-insensitive; the arguments of these models are keywords or numbers.
    const QByteArrayList answer = execute(text.toUpper().split(' '), now);
    if (answer.isEmpty() || !answer.first().startsWith("ERR "))
        ++m_counters.commandsHandled;
    m_counters.linesSent += static_cast<quint64>(answer.size());
    m_counters.answersSent += static_cast<quint64>(answer.size());
    out += answer;
    return out;
}

QByteArray DeviceProtocol::tick(std::chrono::nanoseconds now) {
    if (m_noReply)
        return {};
    const QByteArrayList lines = dueLines(now);
    countUnsolicited(lines.size());
    return terminate(lines);
}

QByteArray DeviceProtocol::banner() {
    return m_bannerEnabled ? bootBanner() : QByteArray();
}

QByteArray DeviceProtocol::bootBanner() {
    if (isBinary())
        return {};
    ++m_counters.linesSent;
    return bannerText() + '\n';
}

void DeviceProtocol::resetSession() {
    dropPartialLine();
    onSessionReset();
}

void DeviceProtocol::dropPartialLine() {
    m_partialLine.clear();
    m_discardingLine = false;
    onInputDropped();
}

void DeviceProtocol::powerDown() {
    dropPartialLine();
    onPowerDown();
}

void DeviceProtocol::boot(std::chrono::nanoseconds at) {
    dropPartialLine();
    m_bootTime = at;
    onBoot();
}

QByteArray DeviceProtocol::error(const char *what) {
    ++m_counters.errors;
    return QByteArray("ERR ") + what;
}

bool DeviceProtocol::withholdReading(std::chrono::nanoseconds time) {
    if (!m_faults)
        return false;
    if (m_faults->isHung(time)) {
        m_faults->countSuppressedLine();
        return true;
    }
    return m_faults->dropReading(time);
}

double DeviceProtocol::faulted(int channel, double value, quint64 index, std::chrono::nanoseconds sampleTime,
                               std::chrono::nanoseconds reportTime) const {
    return m_faults ? m_faults->apply(channel, value, index, sampleTime, reportTime) : value;
}

void DeviceProtocol::countUnsolicited(qsizetype lines) {
    m_counters.linesSent += static_cast<quint64>(lines);
    m_counters.dataLinesSent += static_cast<quint64>(lines);
}

QByteArray DeviceProtocol::terminate(const QByteArrayList &lines) {
    QByteArray out;
    for (const QByteArray &line : lines)
        out += line + '\n';
    return out;
}

} // namespace hilsim
