#include "devicecore.h"

#include "controlcommand.h"

#include <algorithm>
#include <utility>

namespace hilsim {

using std::chrono::nanoseconds;

DeviceCore::DeviceCore(std::unique_ptr<DeviceProtocol> protocol, quint64 seed)
    : m_protocol(std::move(protocol))
    , m_faults(seed, m_protocol->channels()) {
    m_protocol->setFaults(&m_faults);
}

QByteArray DeviceCore::receive(QByteArrayView bytes, nanoseconds now) {
    advance(now);
    if (!isResponsive(now)) {
        m_counters.discardedBytes += static_cast<quint64>(bytes.size());
        m_protocol->dropPartialLine();
        return takePending();
    }
    m_pending += shapeAnswers(m_protocol->feed(bytes, now), now);
    return takePending();
}

QByteArray DeviceCore::shapeAnswers(const QByteArray &out, nanoseconds now) {
    using Kind = FaultSpec::Kind;
    if (out.isEmpty())
        return out;
    if (m_protocol->isBinary())
        return shapeFrames(out, now);
    QByteArrayList lines = out.split('\n');
    lines.removeLast(); // everything feed() returns ends with "\n"
    if (m_faults.active(Kind::Stale, now)) {
        QByteArrayList previous;
        for (QByteArray &line : lines) {
            std::swap(line, m_lastAnswer);
            if (!line.isEmpty())
                previous.append(line);
            ++m_counters.staleAnswers;
        }
        lines = previous;
    } else if (!lines.isEmpty()) {
        m_lastAnswer = lines.last();
    }
    if (m_faults.active(Kind::Duplicate, now)) {
        QByteArrayList twice;
        for (const QByteArray &line : std::as_const(lines))
            twice << line << line;
        m_counters.duplicatedLines += static_cast<quint64>(lines.size());
        lines = twice;
    }
    if (const FaultSpec *longLine = m_faults.active(Kind::LongLine, now)) {
        for (qsizetype i = 0; i < lines.size(); ++i)
            m_longLines.append({longLine->lineSize, longLine->terminated});
        m_counters.longLines += static_cast<quint64>(lines.size());
        return {};
    }
    QByteArray shaped;
    for (const QByteArray &line : std::as_const(lines))
        shaped += line + '\n';
    if (const FaultSpec *late = m_faults.active(Kind::Late, now)) {
        m_late.push_back({now + late->delay, shaped});
        m_counters.lateAnswers += static_cast<quint64>(lines.size());
        return {};
    }
    return shaped;
}

QByteArray DeviceCore::shapeFrames(const QByteArray &out, nanoseconds now) {
    // Binary answers (Modbus) come whole from one request: stale, duplicate and late act on them as a
    // unit; a long line has no meaning for frames and leaves them alone.
    using Kind = FaultSpec::Kind;
    QByteArray shaped = out;
    if (m_faults.active(Kind::Stale, now)) {
        std::swap(shaped, m_lastAnswer);
        ++m_counters.staleAnswers;
    } else {
        m_lastAnswer = out;
    }
    if (m_faults.active(Kind::Duplicate, now)) {
        shaped += shaped;
        ++m_counters.duplicatedLines;
    }
    if (const FaultSpec *late = m_faults.active(Kind::Late, now); late && !shaped.isEmpty()) {
        m_late.push_back({now + late->delay, shaped});
        ++m_counters.lateAnswers;
        return {};
    }
    return shaped;
}

QList<DeviceCore::LongLine> DeviceCore::takeLongLines() {
    return std::exchange(m_longLines, {});
}

std::optional<nanoseconds> DeviceCore::takeUnplug() {
    return std::exchange(m_unplugNow, std::nullopt);
}

QByteArray DeviceCore::tick(nanoseconds now) {
    advance(now);
    while (!m_late.empty() && m_late.front().due <= now) {
        if (m_power == Power::On)
            m_pending += m_late.front().bytes;
        m_late.pop_front();
    }
    if (m_power == Power::On)
        m_pending += m_protocol->tick(now);
    // Garbage after the lines due by now, so it lands between lines, never inside one.
    m_pending += m_faults.takeGarbage(now, m_power != Power::On);
    return takePending();
}

std::optional<nanoseconds> DeviceCore::nextDeadline() const {
    std::optional<nanoseconds> next;
    const auto consider = [&next](std::optional<nanoseconds> candidate) {
        if (candidate && (!next || *candidate < *next))
            next = candidate;
    };
    if (m_power == Power::Booting)
        consider(m_bootAt);
    if (m_power == Power::On)
        consider(m_protocol->nextDeadline());
    if (!m_late.empty())
        consider(m_late.front().due);
    // While off or booting the garbage due is only swallowed, which the next call does anyway.
    if (m_power == Power::On)
        consider(m_faults.nextGarbageTime());
    return next;
}

QByteArray DeviceCore::startSession(nanoseconds now) {
    advance(now);
    if (isResponsive(now))
        m_pending += m_protocol->banner();
    return takePending();
}

void DeviceCore::endSession(nanoseconds now) {
    advance(now);
    m_late.clear(); // answers for a client that is gone
    m_protocol->resetSession();
}

bool DeviceCore::isResponsive(nanoseconds now) const {
    return m_power == Power::On && !m_faults.isHung(now);
}

QByteArrayList DeviceCore::control(QByteArrayView line, nanoseconds now) {
    advance(now);
    QByteArray error;
    const auto command = ControlCommand::parse(line, m_faults.channels(), &error);
    if (!command) {
        ++m_counters.controlErrors;
        return {"ERR " + error};
    }
    ++m_counters.controlCommands;
    using Verb = ControlCommand::Verb;
    switch (command->verb) {
    case Verb::Fault: {
        FaultSpec spec = command->fault;
        if (spec.kind == FaultSpec::Kind::Reboot) {
            if (m_power == Power::Off) {
                --m_counters.controlCommands;
                ++m_counters.controlErrors;
                return {"ERR powered off"};
            }
            ++m_counters.reboots;
            powerDown(now);
            m_power = Power::Booting;
            m_bootAt = now + spec.down;
            return {"OK"};
        }
        if (spec.kind == FaultSpec::Kind::Unplug) {
            // Cut in the middle of a line: the first half of the latest answer (or one byte), never its
            // terminator; then the link goes (see takeUnplug()).
            if (isResponsive(now))
                m_pending += m_lastAnswer.isEmpty()
                                 ? QByteArray("?")
                                 : m_lastAnswer.left(std::max<qsizetype>(1, m_lastAnswer.size() / 2));
            m_unplugNow = spec.down;
            ++m_counters.unplugs;
            return {"OK"};
        }
        if (spec.kind == FaultSpec::Kind::Stuck && !spec.value)
            spec.value = m_protocol->currentValue(spec.channel, now);
        m_faults.start(spec, now);
        return {"OK"};
    }
    case Verb::Clear:
        m_faults.clear(command->fault.kind, command->fault.channel, now);
        return {"OK"};
    case Verb::ClearAll:
        m_faults.clearAll(now);
        return {"OK"};
    case Verb::Status: {
        QByteArrayList lines = m_faults.status(now);
        if (m_power == Power::Off)
            lines.append("power off");
        else if (m_power == Power::Booting)
            lines.append("power booting for="
                         + formatDuration(std::chrono::round<std::chrono::milliseconds>(m_bootAt - now)));
        lines.append("OK");
        return lines;
    }
    case Verb::Counters: {
        QByteArrayList lines = counterLines();
        lines.append("OK");
        return lines;
    }
    case Verb::PowerOff:
        if (m_power != Power::Off) {
            ++m_counters.powerOffs;
            powerDown(now);
            m_power = Power::Off;
        }
        return {"OK"};
    case Verb::PowerOn:
        if (m_power == Power::Off) {
            m_power = Power::Booting;
            m_bootAt = now + kBootTime;
        }
        return {"OK"};
    }
    return {"ERR unknown command"};
}

void DeviceCore::advance(nanoseconds now) {
    if (m_power != Power::Booting || now < m_bootAt)
        return;
    // Garbage due while it was down is swallowed, not sent late.
    m_faults.takeGarbage(m_bootAt, true);
    m_power = Power::On;
    ++m_counters.boots;
    m_protocol->boot(m_bootAt);
    m_pending += m_protocol->bootBanner();
}

void DeviceCore::powerDown(nanoseconds now) {
    // Whatever was due before the power went is sent; nothing after it.
    if (m_power == Power::On) {
        m_pending += m_protocol->tick(now);
        m_pending += m_faults.takeGarbage(now, false);
    }
    m_faults.powerLost(now);
    m_protocol->powerDown();
    m_late.clear();
}

QByteArray DeviceCore::takePending() {
    return std::exchange(m_pending, QByteArray());
}

QByteArrayList DeviceCore::counterLines() const {
    const DeviceProtocol::Counters &protocol = m_protocol->counters();
    const DeviceFaults::Counters &faults = m_faults.counters();
    // An explicit QByteArray: with QT_USE_QSTRINGBUILDER a deduced type would refer to temporaries.
    const auto line = [](const char *name, quint64 value) -> QByteArray {
        return QByteArray(name) + ' ' + QByteArray::number(value);
    };
    return {
        line("commands", protocol.commandsHandled + protocol.errors),
        line("answers", protocol.answersSent),
        line("data_lines", protocol.dataLinesSent),
        line("dropped_answers", faults.droppedReadings),
        line("suppressed_lines", faults.suppressedLines),
        line("discarded_bytes", m_counters.discardedBytes),
        line("garbage_bytes", faults.garbageBytes),
        line("long_lines", m_counters.longLines),
        line("duplicated_lines", m_counters.duplicatedLines),
        line("late_answers", m_counters.lateAnswers),
        line("stale_answers", m_counters.staleAnswers),
        line("unplugs", m_counters.unplugs),
        line("reboots", m_counters.reboots),
        line("power_offs", m_counters.powerOffs),
        line("boots", m_counters.boots),
        line("faults_started", faults.faultsStarted),
        line("control_commands", m_counters.controlCommands),
        line("control_errors", m_counters.controlErrors),
    };
}

} // namespace hilsim
