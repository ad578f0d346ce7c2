#include "core/config/streamspec.h"

#include "core/config/yamlreader.h"

#include <cmath>
#include <limits>

namespace hil {

namespace {

std::optional<QString> streamDevice(YamlReader &r, const YAML::Node &n, const StreamDevices &devices) {
    if (const YAML::Node from = n["from"]) {
        if (!devices.step.isEmpty()) {
            r.error(from, QStringLiteral(
                              "a step with devices: runs on each of them; it names no device of its own"));
            return std::nullopt;
        }
        const auto name = r.string(from, QStringLiteral("from"));
        if (!name)
            return std::nullopt;
        if (!devices.scenario.contains(*name)) {
            r.error(from, QStringLiteral("unknown device '%1' (the scenario uses %2)")
                              .arg(*name, devices.scenario.join(u", ")));
            return std::nullopt;
        }
        if (!devices.sent.isEmpty() && *name != devices.sent) {
            r.error(from, QStringLiteral("the stream is watched on the device the step sends to ('%1'), "
                                         "not '%2'")
                              .arg(devices.sent, *name));
            return std::nullopt;
        }
        return name;
    }
    if (!devices.step.isEmpty())
        return devices.step.first(); // each lane watches its own device
    if (!devices.sent.isEmpty())
        return devices.sent;
    if (devices.scenario.size() == 1)
        return devices.scenario.first();
    r.error(
        n,
        QStringLiteral("say which device (from:): the scenario uses %1").arg(devices.scenario.join(u", ")));
    return std::nullopt;
}

std::optional<double> rateBound(YamlReader &r, const YAML::Node &n, const QString &what) {
    const auto v = r.number(n, what);
    if (v && (*v < 0 || !std::isfinite(*v))) {
        r.error(n, QStringLiteral("%1 must be a finite number of lines per second, not negative").arg(what));
        return std::nullopt;
    }
    return v;
}

void readRate(YamlReader &r, const YAML::Node &n, StreamSpec &spec) {
    if (!r.requireMap(n, QStringLiteral("rate (lines per second: {min: x, max: y})")))
        return;
    r.checkKeys(n, {"min", "max"});
    if (!n["min"] && !n["max"])
        r.error(n, QStringLiteral("rate needs min, max or both (lines per second)"));
    if (n["min"])
        spec.rateMin = rateBound(r, n["min"], QStringLiteral("rate min"));
    if (n["max"])
        spec.rateMax = rateBound(r, n["max"], QStringLiteral("rate max"));
    if (spec.rateMin && spec.rateMax && *spec.rateMin > *spec.rateMax)
        r.error(
            n,
            QStringLiteral("rate: min (%1) is greater than max (%2)").arg(*spec.rateMin).arg(*spec.rateMax));
}

void readPattern(YamlReader &r, const YAML::Node &pattern, StreamSpec &spec) {
    const auto text = r.string(pattern, QStringLiteral("match"));
    if (!text)
        return;
    spec.match = QRegularExpression(*text);
    if (!spec.match.isValid()) {
        // A quoted scalar's mark is its opening quote; the pattern starts one column later.
        const int quote = pattern.Tag() == "!" ? 1 : 0;
        r.errorAt(YamlReader::line(pattern),
                  YamlReader::column(pattern) + quote + static_cast<int>(spec.match.patternErrorOffset()),
                  QStringLiteral("bad regular expression: %1").arg(spec.match.errorString()));
        return;
    }
    spec.match.optimize();
}

void readSequence(YamlReader &r, const YAML::Node &n, StreamSpec &spec) {
    StreamSpec::Sequence seq;
    std::optional<YAML::Node> capture;
    if (n.IsScalar()) {
        capture.emplace(n);
    } else if (r.requireMap(n, QStringLiteral("sequence (a capture name, or {capture, max_lost, "
                                              "max_duplicates, max_reordered})"))) {
        r.checkKeys(n, {"capture", "max_lost", "max_duplicates", "max_reordered"});
        if (n["capture"])
            capture.emplace(n["capture"]);
        else
            r.error(n,
                    QStringLiteral("sequence needs capture (the capture of match that numbers the lines)"));
        constexpr qint64 kMax = std::numeric_limits<qint32>::max();
        if (n["max_lost"])
            seq.maxLost = r.integer(n["max_lost"], QStringLiteral("max_lost"), 0, kMax).value_or(0);
        if (n["max_duplicates"])
            seq.maxDuplicates =
                r.integer(n["max_duplicates"], QStringLiteral("max_duplicates"), 0, kMax).value_or(0);
        if (n["max_reordered"])
            seq.maxReordered =
                r.integer(n["max_reordered"], QStringLiteral("max_reordered"), 0, kMax).value_or(0);
    }
    if (!capture)
        return;
    const auto name = r.string(*capture, QStringLiteral("sequence capture"));
    if (!name)
        return;
    if (spec.match.isValid() && !spec.match.namedCaptureGroups().contains(*name)) {
        r.error(*capture,
                QStringLiteral("sequence: match has no capture named '%1' (write (?<%1>\\d+))").arg(*name));
        return;
    }
    seq.capture = *name;
    spec.sequence = seq;
}

} // namespace

std::optional<StreamSpec> readStreamSpec(YamlReader &r, const YAML::Node &n, const StreamDevices &devices) {
    if (!r.requireMap(n, QStringLiteral("stream (a mapping: {from, for, match, rate, max_gap, checksum})")))
        return std::nullopt;
    r.checkKeys(
        n, {"from", "topic", "for", "match", "skip_unmatched", "rate", "max_gap", "checksum", "sequence"});
    StreamSpec spec;
    const auto device = streamDevice(r, n, devices);
    if (!device)
        return std::nullopt;
    spec.device = *device;
    if (const YAML::Node window = n["for"]) {
        const auto d = r.duration(window, QStringLiteral("for"));
        if (d && d->count() <= 0)
            r.error(window, QStringLiteral("for must be longer than zero"));
        spec.window = d.value_or(Nanoseconds(0));
    } else {
        r.error(n, QStringLiteral("stream needs for (how long to watch, such as 10s)"));
    }
    if (const YAML::Node match = n["match"])
        readPattern(r, match, spec);
    if (const YAML::Node skip = n["skip_unmatched"]) {
        spec.skipUnmatched = r.boolean(skip, QStringLiteral("skip_unmatched")).value_or(false);
        if (!n["match"])
            r.error(skip,
                    QStringLiteral("skip_unmatched needs match: without it every line is the stream's"));
    }
    if (const YAML::Node rate = n["rate"])
        readRate(r, rate, spec);
    if (const YAML::Node gap = n["max_gap"]) {
        spec.maxGap = r.duration(gap, QStringLiteral("max_gap"));
        if (spec.maxGap && spec.maxGap->count() <= 0)
            r.error(gap, QStringLiteral("max_gap must be longer than zero"));
    }
    if (const YAML::Node checksum = n["checksum"]) {
        if (const auto name = r.string(checksum, QStringLiteral("checksum"))) {
            spec.checksum = lineChecksumFromName(*name);
            if (!spec.checksum)
                r.error(checksum, QStringLiteral("unknown checksum '%1' (known: %2)")
                                      .arg(*name, lineChecksumNames().join(u", ")));
        }
    }
    if (const YAML::Node sequence = n["sequence"])
        readSequence(r, sequence, spec);
    return spec;
}

} // namespace hil
