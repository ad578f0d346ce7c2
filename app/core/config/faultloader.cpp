#include "core/config/faultloader.h"

#include "core/config/yamlreader.h"

#include <QRegularExpression>

namespace hil {

namespace {

const QStringList kChannels = {QStringLiteral("temp"), QStringLiteral("hum")};

struct DeviceFaultKind {
    const char *name;
    bool needsChannel;
    std::initializer_list<const char *> keys;
};

const DeviceFaultKind kDeviceFaults[] = {
    {"drift", true, {"channel", "rate"}},
    {"offset", true, {"channel", "value"}},
    {"noise", true, {"channel", "sigma"}},
    {"stuck", true, {"channel", "value"}},
    {"spike", true, {"channel", "p", "size"}},
    {"dropout", false, {"p"}},
    {"hang", false, {}},
    {"reboot", false, {"down"}},
    {"garbage", false, {"rate", "bytes"}},
    {"longline", false, {"size", "end"}},
    {"duplicate", false, {}},
    {"late", false, {"delay"}},
    {"stale", false, {}},
    {"unplug", false, {"down"}},
};

QString scalarText(const YAML::Node &n) {
    return n.IsScalar() ? toQString(n.Scalar()) : QString();
}

std::optional<double> probability(YamlReader &r, const YAML::Node &n, const QString &what) {
    const auto p = r.number(n, what);
    if (p && (*p < 0 || *p > 1)) {
        r.error(n, QStringLiteral("%1 must be a probability between 0 and 1, not %2").arg(what).arg(*p));
        return std::nullopt;
    }
    return p;
}

std::optional<Nanoseconds> nonNegative(YamlReader &r, const YAML::Node &n, const QString &what) {
    return r.duration(n, what); // parseDuration already refuses negative durations
}

bool readLink(YamlReader &r, const YAML::Node &n, LinkFaultSpec &spec) {
    std::optional<YAML::Node> paramsFound;
    QString kindName;
    YAML::Node kindNode = n;
    if (n.IsScalar()) {
        kindName = toQString(n.Scalar());
    } else if (n.IsMap()) {
        int kinds = 0;
        for (auto it = n.begin(); it != n.end(); ++it) {
            const QString key = toQString(it->first.Scalar());
            if (key == u"direction")
                continue;
            ++kinds;
            kindName = key;
            kindNode.reset(it->first); // rebinds; operator= would overwrite the node it refers to
            paramsFound = it->second;
        }
        r.checkDuplicateKeys(n);
        if (kinds != 1) {
            r.error(n, QStringLiteral(
                           "a link fault is one kind (blackout, loss, latency, bandwidth, corrupt, slice, "
                           "disconnect, drop_first, close_after) with its parameters"));
            return false;
        }
        if (const YAML::Node dir = n["direction"]) {
            const QString d = scalarText(dir);
            if (d == u"to-device")
                spec.direction = LinkFaultSpec::Direction::ToDevice;
            else if (d == u"from-device")
                spec.direction = LinkFaultSpec::Direction::FromDevice;
            else if (d == u"both")
                spec.direction = LinkFaultSpec::Direction::Both;
            else
                r.error(dir, QStringLiteral("direction must be to-device, from-device or both"));
        }
    } else {
        r.error(n, QStringLiteral("link must be a fault kind or {kind: {parameters}, direction: ...}"));
        return false;
    }
    // Read-only from here: operator[] on a non-const null node would turn it into a map.
    const YAML::Node params = paramsFound ? *paramsFound : YAML::Node();
    const auto kind = LinkFaultSpec::kindFromName(kindName);
    if (!kind) {
        r.error(kindNode,
                QStringLiteral("unknown link fault '%1' (known: blackout, loss, latency, bandwidth, corrupt, "
                               "slice, disconnect, drop_first, close_after)")
                    .arg(kindName));
        return false;
    }
    spec.kind = *kind;
    using K = LinkFaultSpec::Kind;
    const auto need = [&](const char *key) {
        if (params.IsMap() && params[key])
            return params[key];
        r.error(params.IsMap() ? params : kindNode,
                QStringLiteral("%1 needs %2").arg(kindName, QString::fromLatin1(key)));
        return YAML::Node();
    };
    const bool hasParams = params.IsDefined() && !params.IsNull();
    if (hasParams && !r.requireMap(params, kindName))
        return false;
    switch (spec.kind) {
    case K::Blackout:
    case K::Disconnect:
        if (hasParams)
            r.checkKeys(params, {});
        break;
    case K::Loss:
        r.checkKeys(params, {"p", "burst"});
        if (params.IsMap() && params["burst"]) {
            const YAML::Node b = params["burst"];
            if (r.requireMap(b, QStringLiteral("burst"))) {
                r.checkKeys(b, {"p_good_bad", "p_bad_good", "loss_good", "loss_bad"});
                LinkFaultSpec::GilbertElliott ge;
                if (b["p_good_bad"])
                    ge.pGoodToBad = probability(r, b["p_good_bad"], QStringLiteral("p_good_bad")).value_or(0);
                if (b["p_bad_good"])
                    ge.pBadToGood = probability(r, b["p_bad_good"], QStringLiteral("p_bad_good")).value_or(0);
                if (b["loss_good"])
                    ge.lossInGood = probability(r, b["loss_good"], QStringLiteral("loss_good")).value_or(0);
                if (b["loss_bad"])
                    ge.lossInBad = probability(r, b["loss_bad"], QStringLiteral("loss_bad")).value_or(0);
                spec.burst = ge;
            }
        } else if (const YAML::Node p = need("p")) {
            spec.probability = probability(r, p, QStringLiteral("p")).value_or(0);
        }
        break;
    case K::Latency:
        r.checkKeys(params, {"delay", "jitter"});
        if (const YAML::Node d = need("delay"))
            spec.delay = nonNegative(r, d, QStringLiteral("delay")).value_or(Nanoseconds(0));
        if (hasParams && params["jitter"])
            spec.jitter = nonNegative(r, params["jitter"], QStringLiteral("jitter")).value_or(Nanoseconds(0));
        if (spec.jitter > spec.delay)
            r.error(params, QStringLiteral(
                                "jitter must not exceed delay (a packet cannot arrive before it is sent)"));
        break;
    case K::Bandwidth:
        r.checkKeys(params, {"rate"});
        if (const YAML::Node rate = need("rate")) {
            spec.bytesPerSecond = r.number(rate, QStringLiteral("rate")).value_or(0);
            if (spec.bytesPerSecond <= 0)
                r.error(rate, QStringLiteral("rate must be more than 0 bytes/s"));
        }
        break;
    case K::Corrupt:
        r.checkKeys(params, {"p"});
        if (const YAML::Node p = need("p"))
            spec.probability = probability(r, p, QStringLiteral("p")).value_or(0);
        break;
    case K::Slice:
        r.checkKeys(params, {"bytes", "delay"});
        if (hasParams && params["bytes"])
            spec.sliceBytes =
                static_cast<int>(r.integer(params["bytes"], QStringLiteral("bytes"), 1, 1 << 20).value_or(1));
        if (hasParams && params["delay"])
            spec.sliceDelay =
                nonNegative(r, params["delay"], QStringLiteral("delay")).value_or(Nanoseconds(0));
        break;
    case K::DropFirst:
        r.checkKeys(params, {"lines"});
        if (const YAML::Node l = need("lines"))
            spec.lines =
                r.integer(l, QStringLiteral("lines"), 1, std::numeric_limits<int>::max()).value_or(1);
        break;
    case K::CloseAfter:
        r.checkKeys(params, {"after"});
        if (const YAML::Node a = need("after"))
            spec.after = nonNegative(r, a, QStringLiteral("after")).value_or(Nanoseconds(0));
        break;
    }
    return true;
}

bool readDeviceFault(YamlReader &r, const YAML::Node &n, DeviceFaultSpec &spec) {
    // `device: hang` for a kind without parameters, else `device: {kind: {parameters}}`.
    const bool bare = n.IsScalar();
    if (!bare && (!n.IsMap() || n.size() != 1)) {
        r.error(
            n,
            QStringLiteral(
                "a device fault is one kind with its parameters, e.g. {drift: {channel: temp, rate: 0.1}}"));
        return false;
    }
    const YAML::Node key = bare ? n : n.begin()->first;
    const YAML::Node params = bare ? YAML::Node() : n.begin()->second;
    spec.kind = toQString(key.Scalar());
    const DeviceFaultKind *kind = nullptr;
    for (const DeviceFaultKind &k : kDeviceFaults) {
        if (spec.kind == QLatin1StringView(k.name))
            kind = &k;
    }
    if (!kind) {
        r.error(key,
                QStringLiteral(
                    "unknown device fault '%1' (known: drift, offset, noise, stuck, spike, dropout, hang, "
                    "reboot, garbage, longline, duplicate, late, stale, unplug)")
                    .arg(spec.kind));
        return false;
    }
    if (params && !params.IsNull()) {
        if (!r.requireMap(params, spec.kind))
            return false;
        r.checkKeys(params, kind->keys);
        for (auto it = params.begin(); it != params.end(); ++it) {
            const QString name = toQString(it->first.Scalar());
            QString value = scalarText(it->second);
            if (name == u"channel") {
                if (!kChannels.contains(value))
                    r.error(it->second,
                            QStringLiteral("channel must be %1").arg(kChannels.join(QStringLiteral(" or "))));
            } else if (name == u"p") {
                probability(r, it->second, name);
            } else if (name == u"down" || name == u"delay") {
                r.duration(it->second, name);
            } else if (name == u"bytes") {
                if (value != u"random" && value != u"nul" && value != u"invalid-utf8")
                    r.error(it->second, QStringLiteral("bytes must be random, nul or invalid-utf8"));
            } else if (name == u"end") {
                if (value != u"newline" && value != u"none")
                    r.error(it->second, QStringLiteral("end must be newline or none"));
            } else if (name == u"size") {
                static const QRegularExpression sizeForm(QStringLiteral("^[1-9][0-9]*[kM]?$"));
                if (!sizeForm.match(value).hasMatch())
                    r.error(
                        it->second,
                        QStringLiteral("size must be a whole number of bytes, optionally with k or M (10M)"));
            } else {
                if (name == u"rate" && value.endsWith(QStringLiteral("/s")))
                    value.chop(2); // "0.05/s" reads as written in DESIGN.md
                bool ok = false;
                const double v = value.toDouble(&ok);
                if (!ok)
                    r.error(it->second, QStringLiteral("%1 must be a number").arg(name));
                else if ((name == u"sigma" || (name == u"rate" && spec.kind == u"garbage")) && v < 0)
                    r.error(it->second, QStringLiteral("%1 must not be negative").arg(name));
            }
            spec.params.insert(name, value);
        }
    }
    if (kind->needsChannel && !spec.params.contains(QStringLiteral("channel")))
        r.error(key, QStringLiteral("%1 needs a channel (temp or hum)").arg(spec.kind));
    if (spec.kind == u"drift" && !spec.params.contains(QStringLiteral("rate")))
        r.error(key, QStringLiteral("drift needs a rate (units per second)"));
    if (spec.kind == u"offset" && !spec.params.contains(QStringLiteral("value")))
        r.error(key, QStringLiteral("offset needs a value"));
    if (spec.kind == u"late" && !spec.params.contains(QStringLiteral("delay")))
        r.error(key, QStringLiteral("late needs a delay"));
    if (spec.kind == u"noise" && !spec.params.contains(QStringLiteral("sigma")))
        r.error(key, QStringLiteral("noise needs a sigma"));
    if (spec.kind == u"spike"
        && (!spec.params.contains(QStringLiteral("p")) || !spec.params.contains(QStringLiteral("size"))))
        r.error(key, QStringLiteral("spike needs p and size"));
    return true;
}

bool readPower(YamlReader &r, const YAML::Node &n, PowerFaultSpec &spec) {
    QString action;
    if (n.IsScalar()) {
        action = toQString(n.Scalar());
    } else if (n.IsMap() && n.size() == 1 && n["cycle"]) {
        action = QStringLiteral("cycle");
        const YAML::Node c = n["cycle"];
        if (r.requireMap(c, QStringLiteral("cycle"))) {
            r.checkKeys(c, {"off"});
            if (c["off"])
                spec.offTime = r.duration(c["off"], QStringLiteral("off")).value_or(spec.offTime);
        }
    } else {
        r.error(n, QStringLiteral("power must be off, on, cycle or {cycle: {off: DURATION}}"));
        return false;
    }
    if (action == u"off")
        spec.action = PowerFaultSpec::Action::Off;
    else if (action == u"on")
        spec.action = PowerFaultSpec::Action::On;
    else if (action == u"cycle")
        spec.action = PowerFaultSpec::Action::Cycle;
    else {
        r.error(n, QStringLiteral("power must be off, on or cycle, not '%1'").arg(action));
        return false;
    }
    return true;
}

} // namespace

std::optional<FaultEntry> readFaultEntry(YamlReader &r, const YAML::Node &n, const Fixture &fixture,
                                         const QStringList &devices, bool inStep) {
    FaultEntry e;
    e.line = YamlReader::line(n);
    if (!r.requireMap(n, QStringLiteral("a fault")))
        return std::nullopt;
    if (inStep)
        r.checkKeys(n, {"on", "link", "device", "power", "for", "recover", "count_failures"});
    else
        r.checkKeys(n, {"on", "link", "device", "power", "at", "for", "every", "random", "recover",
                        "count_failures"});
    YAML::Emitter out;
    out << YAML::Flow << n;
    e.text = QString::fromUtf8(out.c_str());

    const int targets = (n["link"] ? 1 : 0) + (n["device"] ? 1 : 0) + (n["power"] ? 1 : 0);
    if (targets != 1) {
        r.error(n, QStringLiteral("a fault needs exactly one of link, device or power"));
        return std::nullopt;
    }
    const DeviceConfig *device = nullptr;
    if (!n["on"]) {
        r.error(n, QStringLiteral("a fault needs `on:` (a device, or a proxy of the fixture)"));
        return std::nullopt;
    }
    e.on = r.string(n["on"], QStringLiteral("on")).value_or(QString());
    if (fixture.proxy(e.on)) {
        e.onProxy = true;
    } else if (!devices.contains(e.on)) {
        r.error(n["on"], QStringLiteral("unknown device or proxy '%1' (the scenario uses %2)")
                             .arg(e.on, devices.join(u", ")));
        return std::nullopt;
    } else {
        device = fixture.device(e.on);
    }

    bool ok = true;
    if (n["link"]) {
        e.target = FaultEntry::Target::Link;
        ok = readLink(r, n["link"], e.link);
    } else if (n["device"]) {
        e.target = FaultEntry::Target::Device;
        ok = readDeviceFault(r, n["device"], e.device);
        if (ok && (!device || device->kind != DeviceConfig::Kind::Sim))
            r.error(n["device"],
                    QStringLiteral("device faults need a simulated device; '%1' is %2")
                        .arg(e.on, e.onProxy ? QStringLiteral("a proxy") : QStringLiteral("a real device")));
    } else {
        e.target = FaultEntry::Target::Power;
        ok = readPower(r, n["power"], e.power);
        if (ok && (!device || (device->kind != DeviceConfig::Kind::Sim && device->powerSupply.isEmpty())))
            r.error(n["power"],
                    QStringLiteral("power faults need a simulated device or one with a power supply in the "
                                   "fixture; '%1' has neither")
                        .arg(e.on));
    }
    if (!ok)
        return std::nullopt;

    if (n["at"]) {
        e.at = r.duration(n["at"], QStringLiteral("at"));
    }
    if (n["for"]) {
        e.duration = r.duration(n["for"], QStringLiteral("for"));
        if (e.duration && e.duration->count() <= 0)
            r.error(n["for"], QStringLiteral("for must be longer than zero"));
        const bool instant =
            (e.target == FaultEntry::Target::Device && e.device.isInstant())
            || (e.target == FaultEntry::Target::Power && e.power.action != PowerFaultSpec::Action::Off);
        if (instant)
            r.error(n["for"], QStringLiteral("this fault happens at once and takes no `for`"));
    }
    if (n["every"]) {
        e.every = r.duration(n["every"], QStringLiteral("every"));
        if (e.every && e.every->count() <= 0)
            r.error(n["every"], QStringLiteral("every must be longer than zero"));
        else if (e.every && e.duration && *e.duration >= *e.every)
            r.error(n["every"],
                    QStringLiteral("every must be longer than for (the fault ends before it starts again)"));
    }
    if (const YAML::Node rnd = n["random"]) {
        if (n["at"] || n["every"] || n["for"])
            r.error(rnd,
                    QStringLiteral("random sets its own starts and durations: no at, every or for with it"));
        if (r.requireMap(rnd, QStringLiteral("random"))) {
            r.checkKeys(rnd, {"mtbf", "duration"});
            FaultEntry::Random random;
            if (!rnd["mtbf"] || !rnd["duration"])
                r.error(rnd,
                        QStringLiteral("random needs mtbf (mean time between faults) and duration (mean)"));
            else {
                random.meanBetween = r.duration(rnd["mtbf"], QStringLiteral("mtbf")).value_or(Nanoseconds(0));
                random.meanDuration =
                    r.duration(rnd["duration"], QStringLiteral("duration")).value_or(Nanoseconds(0));
                if (random.meanBetween.count() <= 0 || random.meanDuration.count() <= 0)
                    r.error(rnd, QStringLiteral("mtbf and duration must be longer than zero"));
            }
            e.random = random;
        }
    }
    if (const YAML::Node rec = n["recover"]) {
        if (r.requireMap(rec, QStringLiteral("recover"))) {
            r.checkKeys(rec, {"within"});
            if (rec["within"])
                e.recoverWithin = r.duration(rec["within"], QStringLiteral("within"));
            else
                r.error(rec, QStringLiteral("recover needs within"));
        }
        if (e.onProxy)
            r.error(rec, QStringLiteral("recover needs a device; '%1' is a proxy").arg(e.on));
    }
    if (n["count_failures"])
        e.countFailures = r.boolean(n["count_failures"], QStringLiteral("count_failures")).value_or(false);
    if (e.onProxy && e.target != FaultEntry::Target::Link)
        r.error(n, QStringLiteral("a proxy takes link faults only"));
    return e;
}

} // namespace hil
