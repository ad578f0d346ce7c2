// The scenario loader on arbitrary bytes, against a fixed bench: a scenario or file:line:col errors, never
// a crash, a hang or an exception; a scenario it accepts holds what the runner relies on.
#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"
#include "fuzzcheck.h"
#include "loaderchecks.h"

#include <cmath>

namespace hil::fuzz {

namespace {

// The shipped simulated bench (fixtures/sim-bench.yaml) plus a TCP device that keeps stale input, a udp
// device and proxies that serve no device, two devices and the udp one, so that the shipped scenarios
// seed the corpus as they are and the `serves:` and `stale:` seeds reach the rules about them.
const char kBench[] = R"(
devices:
  sensor:
    sim: {model: envsensor, transport: pty, seed: 7}
    power: {supply: psu}
    timeout: 500ms
  sensor-b:
    sim: {model: envsensor, transport: tcp, seed: 8, options: {serial: SN0002}}
  psu:
    sim: {model: psu, transport: tcp}
  meter:
    tcp: {host: 127.0.0.1, port: 5025}
    terminator: "\r\n"
    stale: keep
  gauge:
    udp: {host: 127.0.0.1, port: 5683}
proxies:
  broker: {listen: 127.0.0.1:18830, upstream: 127.0.0.1:1883}
  cloud: {listen: 127.0.0.1:18831, upstream: 127.0.0.1:1883, serves: [meter, sensor-b]}
  coap: {transport: udp, listen: 127.0.0.1:5684, upstream: 127.0.0.1:5683, idle_timeout: 30s, serves: [gauge]}
)";

const Fixture &bench() {
    static const Fixture fixture = [] {
        SourceErrors errors;
        const auto f = loadFixtureText(QByteArray(kBench), QStringLiteral("bench.yaml"), &errors);
        HIL_FUZZ_CHECK(f.has_value());
        return *f;
    }();
    return fixture;
}

bool finiteOrOpen(const std::optional<double> &b) {
    return !b || !std::isnan(*b);
}

void checkRepeat(const Repeat &r) {
    HIL_FUZZ_CHECK(!(r.count && r.forDuration));
    HIL_FUZZ_CHECK(!r.count || *r.count >= 1);
    HIL_FUZZ_CHECK(!r.forDuration || r.forDuration->count() > 0);
    HIL_FUZZ_CHECK(!r.every || r.every->count() > 0);
}

void checkStep(const Step &step, const Scenario &s, const Fixture &f) {
    HIL_FUZZ_CHECK(!step.name.isEmpty());
    HIL_FUZZ_CHECK(step.line >= 1);
    HIL_FUZZ_CHECK(step.send || step.expect || step.wait || step.fault || step.clear);
    if (step.send)
        HIL_FUZZ_CHECK(s.devices.contains(step.send->device));
    if (step.expect) {
        HIL_FUZZ_CHECK(s.devices.contains(step.expect->device));
        HIL_FUZZ_CHECK(step.expect->match.isValid());
        HIL_FUZZ_CHECK(step.expect->within.count() > 0);
    }
    const QStringList captures = step.expect ? step.expect->match.namedCaptureGroups() : QStringList();
    for (const MeasurementSpec &m : step.measure) {
        HIL_FUZZ_CHECK(captures.contains(m.name));
        for (const Range &r : {m.limits, m.marginal}) {
            HIL_FUZZ_CHECK(finiteOrOpen(r.low) && finiteOrOpen(r.high));
            HIL_FUZZ_CHECK(!(r.low && r.high && *r.low > *r.high));
        }
    }
    for (auto it = step.record.cbegin(); it != step.record.cend(); ++it)
        HIL_FUZZ_CHECK(captures.contains(it.value()));
    HIL_FUZZ_CHECK(!step.wait || step.wait->count() >= 0);
    if (step.clear)
        HIL_FUZZ_CHECK(*step.clear == u"all" || s.devices.contains(*step.clear) || f.proxy(*step.clear));
    checkRepeat(step.repeat);
}

} // namespace

void checkScenarioLoader(const std::uint8_t *data, std::size_t size) {
    const Fixture &f = bench();
    const QByteArray text(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QString fileName = QStringLiteral("fuzz/scenario.yaml");
    SourceErrors errors;
    const std::optional<Scenario> s = loadScenarioText(text, fileName, f, &errors);
    if (!s) {
        checkErrors(errors, fileName, text);
        return;
    }
    HIL_FUZZ_CHECK(errors.isEmpty());
    HIL_FUZZ_CHECK(s->path == fileName);
    for (const QString &d : s->devices)
        HIL_FUZZ_CHECK(f.device(d));
    checkRepeat(s->repeat);
    for (Phase p : {Phase::Setup, Phase::Steps, Phase::Teardown}) {
        for (const Step &step : s->phase(p))
            checkStep(step, *s, f);
    }
    for (const FaultEntry &e : s->faults) {
        HIL_FUZZ_CHECK(!e.text.isEmpty());
        HIL_FUZZ_CHECK(e.onProxy ? f.proxy(e.on) != nullptr : s->devices.contains(e.on));
        // A proxy fault acts on the devices the proxy serves, no others; a link fault fits its link.
        HIL_FUZZ_CHECK(e.onProxy ? e.serves == f.proxy(e.on)->serves : e.serves.isEmpty());
        if (e.target == FaultEntry::Target::Link)
            HIL_FUZZ_CHECK(LinkFaultSpec::inapplicableOn(e.link.kind, f.carriesDatagrams(e.on)).isEmpty());
        HIL_FUZZ_CHECK(!e.duration || e.duration->count() > 0);
        HIL_FUZZ_CHECK(!e.every || e.every->count() > 0);
    }
}

} // namespace hil::fuzz
