#include "manualfault.h"

#include "core/config/devicefaultkind.h"
#include "core/config/faultloader.h"
#include "core/config/faultspecparser.h"
#include "core/config/yamlreader.h"

#include <QRegularExpression>

namespace hil::gui {

namespace {

std::string utf8(const QString &s) {
    return s.toStdString();
}

// Reads a fault node the way a scenario's `fault:` step is read, so that the operator gets the same
// checks and messages as a scenario author.
std::optional<FaultEntry> readAsStep(const YAML::Node &node, const Fixture &fixture,
                                     const QStringList &devices, QString *error) {
    YamlReader reader(QStringLiteral("fault"));
    std::optional<FaultEntry> entry = readFaultEntry(reader, node, fixture, devices, true);
    if (!reader.ok()) {
        QStringList messages;
        for (const SourceError &e : reader.errors())
            messages << e.message;
        *error = messages.join(QStringLiteral("; "));
        return std::nullopt;
    }
    if (!entry)
        *error = QStringLiteral("the fault could not be read");
    return entry;
}

} // namespace

std::optional<FaultEntry> manualLinkFault(const Fixture &fixture, const QStringList &devices,
                                          const QString &target, const QString &text, QString *error) {
    const bool proxy = fixture.proxy(target) != nullptr;
    if (!proxy && !devices.contains(target)) {
        *error = QStringLiteral("'%1' is neither a device of the run nor a proxy of the fixture").arg(target);
        return std::nullopt;
    }
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        *error = QStringLiteral("type a link fault, e.g. latency:delay=50ms,for=10s");
        return std::nullopt;
    }
    QString why;
    const std::optional<TimedLinkFault> parsed = parseLinkFault(trimmed, &why);
    if (!parsed) {
        *error = why;
        return std::nullopt;
    }
    if (const QString wrong =
            LinkFaultSpec::inapplicableOn(parsed->spec.kind, fixture.carriesDatagrams(target));
        !wrong.isEmpty()) {
        *error = QStringLiteral("'%1': %2").arg(target, wrong);
        return std::nullopt;
    }
    if (parsed->at || parsed->every) {
        *error =
            QStringLiteral("a fault by hand starts now: leave out at= and every= (for= sets its length)");
        return std::nullopt;
    }
    FaultEntry e;
    e.on = target;
    e.onProxy = proxy;
    if (proxy)
        e.serves = fixture.proxy(target)->serves;
    e.target = FaultEntry::Target::Link;
    e.link = parsed->spec;
    e.duration = parsed->duration;
    e.text = QStringLiteral("{on: %1, link: %2}").arg(target, formatLinkFault(*parsed));
    return e;
}

std::optional<FaultEntry> manualDeviceFault(const Fixture &fixture, const QStringList &devices,
                                            const QString &device, const QString &kind, const QString &params,
                                            const QString &duration, QString *error) {
    if (kind.trimmed().isEmpty()) {
        *error = QStringLiteral("choose a device fault");
        return std::nullopt;
    }
    YAML::Node node;
    node["on"] = utf8(device);
    YAML::Node kindParams;
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    for (const QString &part : params.split(separators, Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(u'=');
        if (eq <= 0 || eq == part.size() - 1) {
            *error = QStringLiteral("'%1': parameters are key=value, e.g. channel=temp rate=0.1").arg(part);
            return std::nullopt;
        }
        kindParams[utf8(part.left(eq))] = utf8(part.mid(eq + 1));
    }
    if (kindParams.size() > 0)
        node["device"][utf8(kind.trimmed())] = kindParams;
    else
        node["device"] = utf8(kind.trimmed());
    if (!duration.trimmed().isEmpty())
        node["for"] = utf8(duration.trimmed());
    return readAsStep(node, fixture, devices, error);
}

std::optional<FaultEntry> manualPowerFault(const Fixture &fixture, const QStringList &devices,
                                           const QString &device, PowerFaultSpec::Action action,
                                           const QString &offTime, QString *error) {
    YAML::Node node;
    node["on"] = utf8(device);
    switch (action) {
    case PowerFaultSpec::Action::Off:
        node["power"] = "off";
        break;
    case PowerFaultSpec::Action::On:
        node["power"] = "on";
        break;
    case PowerFaultSpec::Action::Cycle:
        if (offTime.trimmed().isEmpty())
            node["power"] = "cycle";
        else
            node["power"]["cycle"]["off"] = utf8(offTime.trimmed());
        break;
    }
    return readAsStep(node, fixture, devices, error);
}

QList<DeviceFaultPreset> deviceFaultPresets() {
    QList<DeviceFaultPreset> presets;
    for (const DeviceFaultKindInfo &k : deviceFaultKinds())
        presets.append(
            {QString::fromLatin1(k.name), QString::fromLatin1(k.example), QString::fromLatin1(k.help)});
    return presets;
}

} // namespace hil::gui
