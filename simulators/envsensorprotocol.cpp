#include "envsensorprotocol.h"

#include <QLocale>
#include <cmath>
#include <utility>

namespace hilsim {

namespace {

QByteArray formatTemperature(const EnvSample &sample) {
    return QByteArray::number(sample.temperature, 'f', 3);
}

QByteArray formatHumidity(const EnvSample &sample) {
    return QByteArray::number(sample.humidity, 'f', 2);
}

// "10", "0.1", "2.5": the shortest text that reads back as the same double.
QByteArray formatRate(double hz) {
    return QByteArray::number(hz, 'g', QLocale::FloatingPointShortest);
}

} // namespace

EnvSensorProtocol::EnvSensorProtocol(EnvSensorConfig config)
    : m_config(std::move(config))
    , m_model(m_config.seed, m_config.rateHz) {}

QByteArray EnvSensorProtocol::feed(QByteArrayView bytes, std::chrono::nanoseconds now) {
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
                if (!m_config.noReply) {
                    QByteArrayList lines = dueDataLines(now);
                    lines.append(error("line too long"));
                    ++m_counters.linesSent;
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

QByteArrayList EnvSensorProtocol::handleLine(QByteArrayView line, std::chrono::nanoseconds now) {
    ++m_counters.linesReceived;
    if (m_config.noReply)
        return {};
    if (line.endsWith('\r'))
        line.chop(1);
    QByteArrayList out = dueDataLines(now);
    const QByteArrayList answer = execute(line, now);
    m_counters.linesSent += static_cast<quint64>(answer.size());
    out += answer;
    return out;
}

QByteArray EnvSensorProtocol::tick(std::chrono::nanoseconds now) {
    return terminate(dueDataLines(now));
}

std::optional<std::chrono::nanoseconds> EnvSensorProtocol::nextDeadline() const {
    if (!m_streaming)
        return std::nullopt;
    return m_model.sampleTime(m_streamNextIndex);
}

QByteArray EnvSensorProtocol::banner() {
    if (!m_config.banner)
        return {};
    ++m_counters.linesSent;
    return "ENV-1 " + m_config.serial + " ready\n";
}

void EnvSensorProtocol::resetSession() {
    m_partialLine.clear();
    m_discardingLine = false;
    m_streaming = false;
}

QByteArrayList EnvSensorProtocol::dueDataLines(std::chrono::nanoseconds now) {
    QByteArrayList lines;
    if (!m_streaming)
        return lines;
    // A late caller gets every missed line at once rather than a gap in seq: the harness checks seq.
    while (m_model.sampleTime(m_streamNextIndex) <= now) {
        const EnvSample &sample = m_model.advanceToIndex(m_streamNextIndex);
        ++m_streamNextIndex;
        ++m_streamSeq;
        lines.append("DATA " + QByteArray::number(m_streamSeq) + ' ' + formatTemperature(sample) + ' '
                     + formatHumidity(sample));
    }
    m_counters.linesSent += static_cast<quint64>(lines.size());
    m_counters.dataLinesSent += static_cast<quint64>(lines.size());
    return lines;
}

QByteArrayList EnvSensorProtocol::execute(QByteArrayView line, std::chrono::nanoseconds now) {
    const QByteArray text = line.toByteArray().simplified();
    if (text.isEmpty())
        return {};
    // SCPI keywords are case-insensitive; the serial number and firmware in answers are not touched.
    const QByteArrayList words = text.toUpper().split(' ');
    const QByteArray &command = words.first();

    QByteArray answer;
    if (command == "*IDN?" && words.size() == 1) {
        answer = "ACME,ENV-1," + m_config.serial + ',' + m_config.firmware;
    } else if (command == "READ?" && words.size() == 2) {
        const EnvSample &sample = m_model.advanceTo(now);
        if (words[1] == "TEMP")
            answer = "TEMP " + formatTemperature(sample);
        else if (words[1] == "HUM")
            answer = "HUM " + formatHumidity(sample);
        else if (words[1] == "ALL")
            answer = "ALL " + formatTemperature(sample) + ' ' + formatHumidity(sample);
    } else if (command == "RATE?" && words.size() == 1) {
        answer = "RATE " + formatRate(m_model.rateHz());
    } else if (command == "RATE" && words.size() == 2) {
        bool ok = false;
        const double hz = words[1].toDouble(&ok);
        if (!ok)
            return {error("unknown command")};
        if (!std::isfinite(hz) || hz < kMinRateHz || hz > kMaxRateHz)
            return {error("range")};
        // Rebase on the latest sample taken by now, so the new spacing starts from the present.
        m_model.advanceTo(now);
        m_model.setRateHz(hz);
        if (m_streaming)
            m_streamNextIndex = m_model.latest().index + 1;
        answer = "OK";
    } else if (command == "STREAM" && words.size() == 2 && (words[1] == "ON" || words[1] == "OFF")) {
        m_streaming = words[1] == "ON";
        if (m_streaming) {
            m_streamNextIndex = m_model.advanceTo(now).index + 1;
            m_streamSeq = 0;
        }
        answer = "OK";
    }
    if (answer.isEmpty())
        return {error("unknown command")};
    ++m_counters.commandsHandled;
    return {answer};
}

QByteArray EnvSensorProtocol::error(const char *what) {
    ++m_counters.errors;
    return QByteArray("ERR ") + what;
}

QByteArray EnvSensorProtocol::terminate(const QByteArrayList &lines) {
    QByteArray out;
    for (const QByteArray &line : lines)
        out += line + '\n';
    return out;
}

} // namespace hilsim
