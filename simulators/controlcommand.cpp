#include "controlcommand.h"

#include <QLocale>
#include <cmath>
#include <limits>
#include <map>

namespace hilsim {

namespace {

using std::chrono::nanoseconds;

constexpr double kNanosPerSecond = 1e9;
// Long enough for any soak, short enough that nanoseconds never overflow.
constexpr double kMaxDurationSeconds = 30.0 * 24 * 3600;
constexpr double kMaxGarbageRate = 100000.0; // bytes per second
constexpr double kDefaultGarbageRate = 100.0;
constexpr nanoseconds kDefaultRebootDown = std::chrono::seconds(1);
constexpr double kMaxLongLineSize = 256.0 * 1024 * 1024; // bytes

struct KindName {
    FaultSpec::Kind kind;
    const char *name;
};

constexpr KindName kKindNames[] = {
    {FaultSpec::Kind::Drift, "drift"},         {FaultSpec::Kind::Offset, "offset"},
    {FaultSpec::Kind::Noise, "noise"},         {FaultSpec::Kind::Stuck, "stuck"},
    {FaultSpec::Kind::Spike, "spike"},         {FaultSpec::Kind::Dropout, "dropout"},
    {FaultSpec::Kind::Hang, "hang"},           {FaultSpec::Kind::Reboot, "reboot"},
    {FaultSpec::Kind::Garbage, "garbage"},     {FaultSpec::Kind::LongLine, "longline"},
    {FaultSpec::Kind::Duplicate, "duplicate"}, {FaultSpec::Kind::Late, "late"},
    {FaultSpec::Kind::Stale, "stale"},         {FaultSpec::Kind::Unplug, "unplug"},
};

// A byte count: a whole number with an optional k (x1000) or M (x10^6), e.g. "4096", "64k", "10M".
std::optional<qint64> parseSize(QByteArrayView text) {
    QByteArray number = text.toByteArray();
    double scale = 1.0;
    if (number.endsWith('k')) {
        scale = 1e3;
        number.chop(1);
    } else if (number.endsWith('M')) {
        scale = 1e6;
        number.chop(1);
    }
    bool ok = false;
    const double value = number.toDouble(&ok) * scale;
    if (!ok || !std::isfinite(value) || value < 1.0 || value > kMaxLongLineSize || value != std::floor(value))
        return std::nullopt;
    return static_cast<qint64>(value);
}

// The parameters each kind takes; everything else is an error, so a typo never passes silently.
QByteArrayList allowedParameters(FaultSpec::Kind kind) {
    switch (kind) {
    case FaultSpec::Kind::Drift:
        return {"channel", "rate", "for"};
    case FaultSpec::Kind::Offset:
        return {"channel", "value", "for"};
    case FaultSpec::Kind::Noise:
        return {"channel", "sigma", "for"};
    case FaultSpec::Kind::Stuck:
        return {"channel", "value", "for"};
    case FaultSpec::Kind::Spike:
        return {"channel", "p", "size", "for"};
    case FaultSpec::Kind::Dropout:
        return {"p", "for"};
    case FaultSpec::Kind::Hang:
        return {"for"};
    case FaultSpec::Kind::Reboot:
        return {"down"};
    case FaultSpec::Kind::Garbage:
        return {"rate", "bytes", "for"};
    case FaultSpec::Kind::LongLine:
        return {"size", "end", "for"};
    case FaultSpec::Kind::Duplicate:
    case FaultSpec::Kind::Stale:
        return {"for"};
    case FaultSpec::Kind::Late:
        return {"delay", "for"};
    case FaultSpec::Kind::Unplug:
        return {"down"};
    }
    return {};
}

std::optional<double> parseNumber(QByteArrayView text) {
    bool ok = false;
    const double value = text.toByteArray().toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

class Parameters {
public:
    // Splits "name=value" words; false (with *error set) on a malformed, unknown or repeated one.
    bool read(const QByteArrayList &words, const QByteArrayList &allowed, const QByteArray &kind,
              QByteArray *error) {
        for (const QByteArray &word : words) {
            const qsizetype equals = word.indexOf('=');
            if (equals <= 0 || equals == word.size() - 1) {
                *error = "expected name=value, got " + word;
                return false;
            }
            const QByteArray name = word.left(equals).toLower();
            if (!allowed.contains(name)) {
                *error = "unknown parameter " + name + " for " + kind;
                return false;
            }
            if (m_values.count(name) != 0) {
                *error = "parameter " + name + " given twice";
                return false;
            }
            m_values[name] = word.mid(equals + 1);
        }
        return true;
    }

    bool has(const char *name) const { return m_values.count(name) != 0; }
    QByteArray text(const char *name) const { return has(name) ? m_values.at(name) : QByteArray(); }

    // A number within [low, high]; `suffix` (e.g. "/s") may follow it.
    std::optional<double> number(const char *name, double low, double high, QByteArray *error,
                                 const char *suffix = nullptr) const {
        QByteArray value = text(name);
        if (suffix && value.toLower().endsWith(suffix))
            value.chop(qsizetype(qstrlen(suffix)));
        const auto number = parseNumber(value);
        if (!number || *number < low || *number > high) {
            *error = "bad value " + QByteArray(name) + '=' + text(name) + " (expected ";
            if (std::isfinite(low) && std::isfinite(high))
                *error += formatNumber(low) + ".." + formatNumber(high) + ')';
            else if (std::isfinite(low))
                *error += ">= " + formatNumber(low) + ')';
            else
                *error += "a number)";
            return std::nullopt;
        }
        return number;
    }

    std::optional<nanoseconds> duration(const char *name, QByteArray *error) const {
        const auto duration = parseDuration(text(name));
        if (!duration || duration->count() <= 0) {
            *error = "bad duration " + QByteArray(name) + '=' + text(name);
            return std::nullopt;
        }
        return duration;
    }

private:
    std::map<QByteArray, QByteArray> m_values;
};

bool require(const Parameters &parameters, const char *name, QByteArray *error) {
    if (parameters.has(name))
        return true;
    *error = "missing parameter " + QByteArray(name);
    return false;
}

std::optional<int> channelIndex(QByteArrayView name, const QByteArrayList &channels, QByteArray *error) {
    for (qsizetype i = 0; i < channels.size(); ++i) {
        if (name.compare(channels[i], Qt::CaseInsensitive) == 0)
            return static_cast<int>(i);
    }
    *error = "unknown channel " + name.toByteArray() + " (" + channels.join('|') + ')';
    return std::nullopt;
}

bool parseFault(const QByteArrayList &words, const QByteArrayList &channels, FaultSpec *spec,
                QByteArray *error) {
    const auto kind = FaultSpec::kindFromName(words[1]);
    if (!kind) {
        *error = "unknown fault kind " + words[1];
        return false;
    }
    spec->kind = *kind;
    const QByteArray kindName = FaultSpec::kindName(*kind);
    Parameters parameters;
    if (!parameters.read(words.mid(2), allowedParameters(*kind), kindName, error))
        return false;

    constexpr double inf = std::numeric_limits<double>::infinity();
    if (FaultSpec::isChannelKind(*kind)) {
        if (!require(parameters, "channel", error))
            return false;
        const auto channel = channelIndex(parameters.text("channel"), channels, error);
        if (!channel)
            return false;
        spec->channel = *channel;
    }
    if (parameters.has("for")) {
        spec->duration = parameters.duration("for", error);
        if (!spec->duration)
            return false;
    }

    switch (*kind) {
    case FaultSpec::Kind::Drift: {
        if (!require(parameters, "rate", error))
            return false;
        const auto rate = parameters.number("rate", -inf, inf, error, "/s");
        if (!rate)
            return false;
        spec->rate = *rate;
        break;
    }
    case FaultSpec::Kind::Offset:
        if (!require(parameters, "value", error))
            return false;
        spec->value = parameters.number("value", -inf, inf, error);
        if (!spec->value)
            return false;
        break;
    case FaultSpec::Kind::Noise: {
        if (!require(parameters, "sigma", error))
            return false;
        const auto sigma = parameters.number("sigma", 0.0, inf, error);
        if (!sigma)
            return false;
        spec->sigma = *sigma;
        break;
    }
    case FaultSpec::Kind::Stuck:
        if (parameters.has("value")) {
            spec->value = parameters.number("value", -inf, inf, error);
            if (!spec->value)
                return false;
        }
        break;
    case FaultSpec::Kind::Spike: {
        if (!require(parameters, "p", error) || !require(parameters, "size", error))
            return false;
        const auto p = parameters.number("p", 0.0, 1.0, error);
        if (!p)
            return false;
        const auto size = parameters.number("size", 0.0, inf, error);
        if (!size)
            return false;
        spec->probability = *p;
        spec->size = *size;
        break;
    }
    case FaultSpec::Kind::Dropout:
        if (parameters.has("p")) {
            const auto p = parameters.number("p", 0.0, 1.0, error);
            if (!p)
                return false;
            spec->probability = *p;
        }
        break;
    case FaultSpec::Kind::Hang:
        break;
    case FaultSpec::Kind::Reboot:
    case FaultSpec::Kind::Unplug:
        spec->down = kDefaultRebootDown;
        if (parameters.has("down")) {
            const auto down = parameters.duration("down", error);
            if (!down)
                return false;
            spec->down = *down;
        }
        break;
    case FaultSpec::Kind::Garbage:
        spec->rate = kDefaultGarbageRate;
        if (parameters.has("rate")) {
            // Strictly positive: a zero rate would never emit and never be worth a timer.
            const auto rate = parameters.number("rate", 0.0, kMaxGarbageRate, error, "/s");
            if (!rate || *rate <= 0.0) {
                *error = "bad value rate=" + parameters.text("rate") + " (expected above 0, at most "
                         + formatNumber(kMaxGarbageRate) + ')';
                return false;
            }
            spec->rate = *rate;
        }
        if (parameters.has("bytes")) {
            const QByteArray bytes = parameters.text("bytes").toLower();
            if (bytes == "random")
                spec->bytes = FaultSpec::Bytes::Random;
            else if (bytes == "nul")
                spec->bytes = FaultSpec::Bytes::Nul;
            else if (bytes == "invalid-utf8")
                spec->bytes = FaultSpec::Bytes::InvalidUtf8;
            else {
                *error =
                    "bad value bytes=" + parameters.text("bytes") + " (expected random, nul or invalid-utf8)";
                return false;
            }
        }
        break;
    case FaultSpec::Kind::LongLine: {
        spec->lineSize = 10'000'000;
        if (parameters.has("size")) {
            const auto size = parseSize(parameters.text("size"));
            if (!size) {
                *error = "bad value size=" + parameters.text("size") + " (expected 1..256M bytes)";
                return false;
            }
            spec->lineSize = *size;
        }
        if (parameters.has("end")) {
            const QByteArray end = parameters.text("end").toLower();
            if (end != "newline" && end != "none") {
                *error = "bad value end=" + parameters.text("end") + " (expected newline or none)";
                return false;
            }
            spec->terminated = end == "newline";
        }
        break;
    }
    case FaultSpec::Kind::Duplicate:
    case FaultSpec::Kind::Stale:
        break;
    case FaultSpec::Kind::Late: {
        if (!require(parameters, "delay", error))
            return false;
        const auto delay = parameters.duration("delay", error);
        if (!delay)
            return false;
        spec->delay = *delay;
        break;
    }
    }
    return true;
}

bool parseClear(const QByteArrayList &words, const QByteArrayList &channels, ControlCommand *command,
                QByteArray *error) {
    if (words[1].compare("all", Qt::CaseInsensitive) == 0) {
        if (words.size() != 2) {
            *error = "CLEAR all takes no parameters";
            return false;
        }
        command->verb = ControlCommand::Verb::ClearAll;
        return true;
    }
    const auto kind = FaultSpec::kindFromName(words[1]);
    if (!kind) {
        *error = "unknown fault kind " + words[1];
        return false;
    }
    if (*kind == FaultSpec::Kind::Reboot) {
        *error = "a reboot cannot be cleared";
        return false;
    }
    if (*kind == FaultSpec::Kind::Unplug) {
        *error = "an unplug cannot be cleared";
        return false;
    }
    command->verb = ControlCommand::Verb::Clear;
    command->fault.kind = *kind;
    command->fault.channel = -1;
    const QByteArrayList allowed =
        FaultSpec::isChannelKind(*kind) ? QByteArrayList{"channel"} : QByteArrayList{};
    Parameters parameters;
    if (!parameters.read(words.mid(2), allowed, FaultSpec::kindName(*kind), error))
        return false;
    if (parameters.has("channel")) {
        const auto channel = channelIndex(parameters.text("channel"), channels, error);
        if (!channel)
            return false;
        command->fault.channel = *channel;
    }
    return true;
}

} // namespace

QByteArray FaultSpec::kindName(Kind kind) {
    for (const KindName &entry : kKindNames) {
        if (entry.kind == kind)
            return entry.name;
    }
    return {};
}

std::optional<FaultSpec::Kind> FaultSpec::kindFromName(QByteArrayView name) {
    for (const KindName &entry : kKindNames) {
        if (name.compare(entry.name, Qt::CaseInsensitive) == 0)
            return entry.kind;
    }
    return std::nullopt;
}

bool FaultSpec::isChannelKind(Kind kind) {
    return kind == Kind::Drift || kind == Kind::Offset || kind == Kind::Noise || kind == Kind::Stuck
           || kind == Kind::Spike;
}

std::optional<ControlCommand> ControlCommand::parse(QByteArrayView line, const QByteArrayList &channels,
                                                    QByteArray *error) {
    const QByteArray text = line.toByteArray().simplified();
    if (text.isEmpty()) {
        *error = "empty command";
        return std::nullopt;
    }
    const QByteArrayList words = text.split(' ');
    const QByteArray verb = words.first().toUpper();
    ControlCommand command;
    if (verb == "FAULT" && words.size() >= 2) {
        command.verb = Verb::Fault;
        if (!parseFault(words, channels, &command.fault, error))
            return std::nullopt;
        return command;
    }
    if (verb == "CLEAR" && words.size() >= 2) {
        if (!parseClear(words, channels, &command, error))
            return std::nullopt;
        return command;
    }
    if (verb == "STATUS?" && words.size() == 1) {
        command.verb = Verb::Status;
        return command;
    }
    if (verb == "COUNTERS?" && words.size() == 1) {
        command.verb = Verb::Counters;
        return command;
    }
    if (verb == "POWER" && words.size() == 2) {
        const QByteArray state = words[1].toUpper();
        if (state == "ON" || state == "OFF") {
            command.verb = state == "ON" ? Verb::PowerOn : Verb::PowerOff;
            return command;
        }
    }
    *error = "unknown command";
    return std::nullopt;
}

std::optional<std::chrono::nanoseconds> parseDuration(QByteArrayView text) {
    static const std::pair<const char *, double> units[] = {
        {"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"m", 60.0}, {"h", 3600.0}, {"d", 86400.0}};
    QByteArray number = text.toByteArray().toLower();
    double scale = 1.0;
    // Two-letter units come first in the table, so "5ms" is never read as "5m" followed by an "s".
    for (const auto &[unit, factor] : units) {
        if (number.endsWith(unit)) {
            number.chop(qsizetype(qstrlen(unit)));
            scale = factor;
            break;
        }
    }
    const auto value = parseNumber(number);
    if (!value || *value < 0.0 || *value * scale > kMaxDurationSeconds)
        return std::nullopt;
    return nanoseconds(std::llround(*value * scale * kNanosPerSecond));
}

QByteArray formatDuration(std::chrono::nanoseconds duration) {
    return formatNumber(static_cast<double>(duration.count()) / kNanosPerSecond) + 's';
}

QByteArray formatNumber(double value) {
    // 'f' so that 100000 stays 100000 rather than 1e+05.
    return QByteArray::number(value, 'f', QLocale::FloatingPointShortest);
}

} // namespace hilsim
