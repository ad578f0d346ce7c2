#include "core/config/faultloader.h"

#include "core/config/faultspecparser.h"
#include "core/config/yamlreader.h"

#include <QRegularExpression>
#include <algorithm>
#include <limits>

namespace hil {

namespace {

const QStringList kChannels = {QStringLiteral("temp"), QStringLiteral("hum")};

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
            r.error(n, QStringLiteral("a link fault is one kind (%1) with its parameters")
                           .arg(LinkFaultSpec::kindNames().join(QStringLiteral(", "))));
            return false;
        }
        if (const YAML::Node dir = n["direction"]) {
            const QString d = scalarText(dir);
            if (const auto direction = linkDirectionFromName(d))
                spec.direction = *direction;
            else
                r.error(dir,
                        QStringLiteral("direction must be to-device, from-device or both, not '%1'").arg(d));
        }
    } else {
        r.error(n, QStringLiteral("link must be a fault kind or {kind: {parameters}, direction: ...}"));
        return false;
    }
    // Read-only from here: operator[] on a non-const null node would turn it into a map.
    const YAML::Node params = paramsFound ? *paramsFound : YAML::Node();
    const auto kind = LinkFaultSpec::kindFromName(kindName);
    if (!kind) {
        r.error(kindNode, LinkFaultSpec::unknownKindMessage(kindName));
        return false;
    }
    spec.kind = *kind;
    const bool hasParams = params.IsDefined() && !params.IsNull();
    if (hasParams && !r.requireMap(params, kindName))
        return false;
    // The names and the rules are the text form's (linkfault.cpp): only the syntax differs.
    const YAML::Node where = hasParams ? params : kindNode;
    QStringList given;
    if (hasParams) {
        const QStringList allowed = LinkFaultSpec::parameterNames(spec.kind);
        for (auto it = params.begin(); it != params.end(); ++it) {
            const QString key = toQString(it->first.Scalar());
            if (allowed.contains(key))
                given << key;
            else
                r.error(it->first,
                        QStringLiteral("%1: unknown parameter '%2'%3")
                            .arg(kindName, key,
                                 allowed.isEmpty()
                                     ? QStringLiteral(" (it takes none)")
                                     : QStringLiteral(" (use %1)").arg(allowed.join(QStringLiteral(", ")))));
        }
        r.checkDuplicateKeys(params);
    }
    if (const QString missing = LinkFaultSpec::missingParameters(spec.kind, given); !missing.isEmpty()) {
        r.error(where, kindName + QStringLiteral(": ") + missing);
        return false;
    }
    const auto number = [&](const char *key) { return r.number(params[key], QString::fromLatin1(key)); };
    const auto duration = [&](const char *key) { return r.duration(params[key], QString::fromLatin1(key)); };
    bool ok = true;
    const auto set = [&ok](auto &out, const auto &value) {
        if (value)
            out = *value;
        else
            ok = false;
    };
    using K = LinkFaultSpec::Kind;
    switch (spec.kind) {
    case K::Blackout:
        if (given.contains(QStringLiteral("user_timeout")))
            set(spec.userTimeout, duration("user_timeout"));
        break;
    case K::Disconnect:
        break;
    case K::Loss:
    case K::DropBytes:
        if (spec.kind == K::Loss && given.contains(QStringLiteral("rto")))
            set(spec.rto, duration("rto"));
        if (spec.kind == K::Loss && given.contains(QStringLiteral("rto_max")))
            set(spec.rtoMax, duration("rto_max"));
        if (given.contains(QStringLiteral("burst"))) {
            const YAML::Node b = params["burst"];
            if (!r.requireMap(b, QStringLiteral("burst")))
                return false;
            r.checkKeys(b, {"p_good_bad", "p_bad_good", "loss_good", "loss_bad"});
            LinkFaultSpec::GilbertElliott ge;
            const std::pair<const char *, double *> parts[] = {{"p_good_bad", &ge.pGoodToBad},
                                                               {"p_bad_good", &ge.pBadToGood},
                                                               {"loss_good", &ge.lossInGood},
                                                               {"loss_bad", &ge.lossInBad}};
            for (const auto &[key, out] : parts)
                if (b[key])
                    set(*out, r.number(b[key], QString::fromLatin1(key)));
            spec.burst = ge;
        } else {
            set(spec.probability, number("p"));
        }
        break;
    case K::Latency:
        set(spec.delay, duration("delay"));
        if (given.contains(QStringLiteral("jitter")))
            set(spec.jitter, duration("jitter"));
        break;
    case K::Bandwidth:
        set(spec.bytesPerSecond, number("rate"));
        break;
    case K::Corrupt:
    case K::Duplicate:
        set(spec.probability, number("p"));
        break;
    case K::Reorder:
        set(spec.probability, number("p"));
        if (given.contains(QStringLiteral("delay")))
            set(spec.delay, duration("delay"));
        break;
    case K::Slice:
        if (given.contains(QStringLiteral("bytes"))) {
            // Out of int's range is out of the allowed range too: validateLinkFault() says so.
            if (const auto bytes =
                    r.integer(params["bytes"], QStringLiteral("bytes"), std::numeric_limits<qint64>::min(),
                              std::numeric_limits<qint64>::max()))
                spec.sliceBytes = static_cast<int>(std::clamp<qint64>(*bytes, 0, kMaxSliceBytes + 1));
            else
                ok = false;
        }
        if (given.contains(QStringLiteral("delay")))
            set(spec.sliceDelay, duration("delay"));
        break;
    case K::DropFirst:
        set(spec.lines, r.integer(params["lines"], QStringLiteral("lines"),
                                  std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max()));
        break;
    case K::CloseAfter:
        set(spec.after, duration("after"));
        break;
    }
    // Values that could not be read were reported already; judging the defaults would add noise.
    if (ok) {
        if (const QString problem = validateLinkFault(spec); !problem.isEmpty())
            r.error(where, kindName + QStringLiteral(": ") + problem);
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
    const QString kindName = toQString(key.Scalar());
    const auto found = deviceFaultKindFromName(kindName);
    if (!found) {
        r.error(key, QStringLiteral("unknown device fault '%1' (known: %2)")
                         .arg(kindName, deviceFaultKindNames().join(QStringLiteral(", "))));
        return false;
    }
    spec.kind = *found;
    const DeviceFaultKindInfo &kind = deviceFaultKindInfo(*found);
    if (params && !params.IsNull()) {
        if (!r.requireMap(params, kindName))
            return false;
        r.checkKeys(params, kind.parameters);
        for (auto it = params.begin(); it != params.end(); ++it) {
            const QString name = toQString(it->first.Scalar());
            // Parameters may be computed (${...}) from the scenario's variables and sweep values.
            QString value =
                it->second.IsScalar() ? r.scalarText(it->second, name).value_or(QString()) : QString();
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
                else if ((name == u"sigma" || (name == u"rate" && spec.kind == DeviceFaultKind::Garbage))
                         && v < 0)
                    r.error(it->second, QStringLiteral("%1 must not be negative").arg(name));
            }
            spec.params.insert(name, value);
        }
    }
    if (kind.needsChannel && !spec.params.contains(QStringLiteral("channel")))
        r.error(key, QStringLiteral("%1 needs a channel (temp or hum)").arg(kindName));
    QStringList missing;
    for (const char *required : kind.required)
        if (!spec.params.contains(QString::fromLatin1(required)))
            missing << QString::fromLatin1(required);
    if (!missing.isEmpty())
        r.error(key, QStringLiteral("%1 needs %2").arg(kindName, missing.join(QStringLiteral(" and "))));
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
    if (const ProxyConfig *proxy = fixture.proxy(e.on)) {
        e.onProxy = true;
        e.serves = proxy->serves;
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
        const auto before = r.errors().size();
        ok = readLink(r, n["link"], e.link);
        // Datagram kinds on datagram links only, stream kinds on stream links only.
        if (const QString wrong = LinkFaultSpec::inapplicableOn(e.link.kind, fixture.carriesDatagrams(e.on));
            ok && r.errors().size() == before && !wrong.isEmpty())
            r.error(n["link"], QStringLiteral("'%1': %2").arg(e.on, wrong));
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
    const bool instant =
        (e.target == FaultEntry::Target::Device && e.device.isInstant())
        || (e.target == FaultEntry::Target::Power && e.power.action != PowerFaultSpec::Action::Off);
    if (n["for"]) {
        e.duration = r.duration(n["for"], QStringLiteral("for"));
        if (instant)
            r.error(n["for"], QStringLiteral("this fault happens at once and takes no `for`"));
    }
    if (n["every"])
        e.every = r.duration(n["every"], QStringLiteral("every"));
    if (const FaultWindowProblem window = validateFaultWindow(e.duration, e.every, instant);
        !window.message.isEmpty())
        r.error(n[window.key], window.message);
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
                if (random.meanBetween < kMinFaultTime)
                    r.error(rnd["mtbf"], QStringLiteral("mtbf must be at least 1ms"));
                if (random.meanDuration < kMinFaultTime)
                    r.error(rnd["duration"], QStringLiteral("duration must be at least 1ms"));
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
        if (e.onProxy && e.serves.isEmpty())
            r.error(rec, QStringLiteral("recover needs devices to watch: proxy '%1' serves none; name the "
                                        "devices whose traffic crosses it in the fixture (serves: [...])")
                             .arg(e.on));
    }
    if (n["count_failures"])
        e.countFailures = r.boolean(n["count_failures"], QStringLiteral("count_failures")).value_or(false);
    if (e.onProxy && e.target != FaultEntry::Target::Link)
        r.error(n, QStringLiteral("a proxy takes link faults only"));
    return e;
}

} // namespace hil
