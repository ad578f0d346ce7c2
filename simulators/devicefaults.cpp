#include "devicefaults.h"

#include "faultrandom.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace hilsim {

namespace {

using std::chrono::nanoseconds;

constexpr double kNanosPerSecond = 1e9;

double seconds(nanoseconds duration) {
    return static_cast<double>(duration.count()) / kNanosPerSecond;
}

// Bytes of a garbage fault due `elapsed` after its start: byte j (from 1) is due at start + j/rate.
quint64 garbageDue(double rate, nanoseconds elapsed) {
    if (elapsed.count() <= 0)
        return 0;
    return static_cast<quint64>(std::floor(seconds(elapsed) * rate));
}

nanoseconds garbageTime(nanoseconds start, double rate, quint64 byte) {
    return start + nanoseconds(std::llround(static_cast<double>(byte) * kNanosPerSecond / rate));
}

} // namespace

DeviceFaults::DeviceFaults(quint64 seed, QByteArrayList channels)
    : m_seed(seed)
    , m_channels(std::move(channels)) {}

void DeviceFaults::start(const FaultSpec &spec, nanoseconds now) {
    if (FaultSpec::isInstantKind(spec.kind))
        return;
    Active fault;
    fault.spec = spec;
    fault.start = now;
    if (spec.duration)
        fault.end = now + *spec.duration;
    const int channel = FaultSpec::isChannelKind(spec.kind) ? spec.channel : -1;
    m_faults[{spec.kind, channel}] = fault;
    ++m_counters.faultsStarted;
}

void DeviceFaults::clear(FaultSpec::Kind kind, int channel, nanoseconds now) {
    for (auto &[key, fault] : m_faults) {
        if (key.first != kind || (channel >= 0 && key.second != channel))
            continue;
        if (!fault.end || *fault.end > now)
            fault.end = std::max(now, fault.start);
    }
}

void DeviceFaults::clearAll(nanoseconds now) {
    for (auto &[key, fault] : m_faults) {
        if (!fault.end || *fault.end > now)
            fault.end = std::max(now, fault.start);
    }
}

void DeviceFaults::powerLost(nanoseconds now) {
    clear(FaultSpec::Kind::Hang, -1, now);
    ++m_boot;
}

double DeviceFaults::apply(int channel, double value, quint64 sampleIndex, nanoseconds sampleTime,
                           nanoseconds reportTime) const {
    using Kind = FaultSpec::Kind;
    if (const Active *stuck = find(Kind::Stuck, channel, reportTime))
        return stuck->spec.value.value_or(value);
    const auto key = static_cast<quint64>(channel);
    const quint64 sample = (m_boot << 40) ^ sampleIndex;
    if (const Active *drift = find(Kind::Drift, channel, reportTime))
        value += drift->spec.rate * seconds(std::max(sampleTime - drift->start, nanoseconds(0)));
    if (const Active *offset = find(Kind::Offset, channel, reportTime))
        value += offset->spec.value.value_or(0.0);
    if (const Active *noise = find(Kind::Noise, channel, reportTime))
        value +=
            noise->spec.sigma * faultrandom::normal(m_seed, faultrandom::NoiseStream + (key << 8), sample);
    if (const Active *spike = find(Kind::Spike, channel, reportTime)) {
        const quint64 draw = faultrandom::bits(m_seed, faultrandom::SpikeStream + (key << 8), sample);
        const double u = static_cast<double>(draw >> 11) / 9007199254740992.0;
        // The lowest bit is not part of u, so the sign is independent of whether the spike happens.
        if (u < spike->spec.probability)
            value += (draw & 1) ? spike->spec.size : -spike->spec.size;
    }
    return value;
}

bool DeviceFaults::isHung(nanoseconds time) const {
    return find(FaultSpec::Kind::Hang, -1, time) != nullptr;
}

const FaultSpec *DeviceFaults::active(FaultSpec::Kind kind, nanoseconds time) const {
    const Active *fault = find(kind, -1, time);
    return fault ? &fault->spec : nullptr;
}

bool DeviceFaults::dropReading(nanoseconds time) {
    Active *dropout = findMutable(FaultSpec::Kind::Dropout, -1, time);
    if (!dropout)
        return false;
    // Keyed by the fault's start too, so a dropout started again does not replay the same pattern
    // from the same draw count; the same seed and commands still give the same pattern.
    const quint64 n = dropout->draws++;
    const bool drop = faultrandom::uniform(m_seed, faultrandom::DropoutStream,
                                           static_cast<quint64>(dropout->start.count()), n)
                      < dropout->spec.probability;
    if (drop)
        ++m_counters.droppedReadings;
    return drop;
}

QByteArray DeviceFaults::takeGarbage(nanoseconds now, bool silent) {
    const auto it = m_faults.find({FaultSpec::Kind::Garbage, -1});
    if (it == m_faults.end())
        return {};
    Active &fault = it->second;
    const double rate = fault.spec.rate;
    const nanoseconds until = fault.end ? std::min(now, *fault.end - nanoseconds(1)) : now;
    const quint64 due = garbageDue(rate, until - fault.start);
    if (due <= fault.emitted)
        return {};
    if (silent) {
        m_garbageIndex += due - fault.emitted;
        fault.emitted = due;
        return {};
    }
    QByteArray bytes;
    bytes.reserve(static_cast<qsizetype>(due - fault.emitted));
    for (quint64 byte = fault.emitted + 1; byte <= due; ++byte) {
        const quint64 draw = faultrandom::bits(m_seed, faultrandom::GarbageStream, m_garbageIndex++);
        if (isHung(garbageTime(fault.start, rate, byte)))
            continue;
        switch (fault.spec.bytes) {
        case FaultSpec::Bytes::Random:
            bytes.append(static_cast<char>(draw & 0xff));
            break;
        case FaultSpec::Bytes::Nul:
            bytes.append('\0');
            break;
        case FaultSpec::Bytes::InvalidUtf8:
            // 0xff never occurs in UTF-8 and 0x80..0xbf cannot start a sequence: invalid wherever it lands.
            bytes.append(static_cast<char>((draw & 0x40) ? 0xff : 0x80 | (draw & 0x3f)));
            break;
        }
    }
    fault.emitted = due;
    m_counters.garbageBytes += static_cast<quint64>(bytes.size());
    return bytes;
}

std::optional<nanoseconds> DeviceFaults::nextGarbageTime() const {
    const auto it = m_faults.find({FaultSpec::Kind::Garbage, -1});
    if (it == m_faults.end())
        return std::nullopt;
    const Active &fault = it->second;
    const nanoseconds next = garbageTime(fault.start, fault.spec.rate, fault.emitted + 1);
    if (fault.end && next >= *fault.end)
        return std::nullopt;
    return next;
}

QByteArrayList DeviceFaults::status(nanoseconds now) const {
    QByteArrayList lines;
    for (const auto &[key, fault] : m_faults) {
        if (fault.contains(now))
            lines.append(describe(fault, now));
    }
    return lines;
}

const DeviceFaults::Active *DeviceFaults::find(FaultSpec::Kind kind, int channel, nanoseconds time) const {
    const auto it = m_faults.find({kind, channel});
    if (it == m_faults.end() || !it->second.contains(time))
        return nullptr;
    return &it->second;
}

DeviceFaults::Active *DeviceFaults::findMutable(FaultSpec::Kind kind, int channel, nanoseconds time) {
    return const_cast<Active *>(std::as_const(*this).find(kind, channel, time));
}

QByteArray DeviceFaults::describe(const Active &fault, nanoseconds now) const {
    using Kind = FaultSpec::Kind;
    const FaultSpec &spec = fault.spec;
    QByteArray line = FaultSpec::kindName(spec.kind);
    if (FaultSpec::isChannelKind(spec.kind))
        line += " channel=" + m_channels.value(spec.channel);
    switch (spec.kind) {
    case Kind::Drift:
        line += " rate=" + formatNumber(spec.rate);
        break;
    case Kind::Offset:
    case Kind::Stuck:
        line += " value=" + formatNumber(spec.value.value_or(0.0));
        break;
    case Kind::Noise:
        line += " sigma=" + formatNumber(spec.sigma);
        break;
    case Kind::Spike:
        line += " p=" + formatNumber(spec.probability) + " size=" + formatNumber(spec.size);
        break;
    case Kind::Dropout:
        line += " p=" + formatNumber(spec.probability);
        break;
    case Kind::Garbage:
        line += " rate=" + formatNumber(spec.rate);
        if (spec.bytes == FaultSpec::Bytes::Nul)
            line += " bytes=nul";
        else if (spec.bytes == FaultSpec::Bytes::InvalidUtf8)
            line += " bytes=invalid-utf8";
        break;
    case Kind::LongLine:
        line +=
            " size=" + QByteArray::number(spec.lineSize) + (spec.terminated ? " end=newline" : " end=none");
        break;
    case Kind::Late:
        line += " delay=" + formatDuration(spec.delay);
        break;
    case Kind::Hang:
    case Kind::Reboot:
    case Kind::Duplicate:
    case Kind::Stale:
    case Kind::Unplug:
        break;
    }
    if (fault.end)
        line += " for=" + formatDuration(std::chrono::round<std::chrono::milliseconds>(*fault.end - now));
    return line;
}

} // namespace hilsim
