// The fixture loader on arbitrary bytes: a fixture or file:line:col errors, never a crash, a hang or an
// exception; a fixture it accepts holds what the loader promises.
#include "core/config/fixtureloader.h"
#include "core/session/lineframer.h"
#include "fuzzcheck.h"
#include "loaderchecks.h"

#include <QRegularExpression>
#include <QSet>

namespace hil::fuzz {

void checkFixtureLoader(const std::uint8_t *data, std::size_t size) {
    const QByteArray text(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QString fileName = QStringLiteral("fuzz/fixture.yaml");
    SourceErrors errors;
    const std::optional<Fixture> f = loadFixtureText(text, fileName, &errors);
    if (!f) {
        checkErrors(errors, fileName, text);
        return;
    }
    HIL_FUZZ_CHECK(errors.isEmpty());
    HIL_FUZZ_CHECK(f->path == fileName);
    HIL_FUZZ_CHECK(!f->devices.isEmpty());
    static const QRegularExpression deviceName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]*$"));
    QSet<QString> names;
    for (const DeviceConfig &d : f->devices) {
        HIL_FUZZ_CHECK(deviceName.match(d.name).hasMatch());
        HIL_FUZZ_CHECK(!names.contains(d.name));
        names.insert(d.name);
        HIL_FUZZ_CHECK(f->device(d.name) == &d);
        HIL_FUZZ_CHECK(!d.terminator.isEmpty());
        HIL_FUZZ_CHECK(d.maxLineLength >= 1);
        HIL_FUZZ_CHECK(d.timeout.count() > 0);
        HIL_FUZZ_CHECK(d.reconnectTimeout.count() >= 0);
        // stale: flush unless written keep (or MQTT, whose default is keep).
        HIL_FUZZ_CHECK(d.stale == DeviceConfig::Stale::Flush || d.stale == DeviceConfig::Stale::Keep);
        if (d.stale == DeviceConfig::Stale::Keep && d.kind != DeviceConfig::Kind::Mqtt)
            HIL_FUZZ_CHECK(text.contains("keep"));
        if (!d.powerSupply.isEmpty()) {
            const DeviceConfig *supply = f->device(d.powerSupply);
            HIL_FUZZ_CHECK(supply && supply != &d);
        }
        // What a session builds from it.
        LineFramer framer(d.terminator, d.maxLineLength);
        framer.push(d.terminator, [](LineFramer::Frame &&) {});
    }
    for (const ProxyConfig &p : f->proxies) {
        HIL_FUZZ_CHECK(!f->device(p.name));
        HIL_FUZZ_CHECK(p.upstreamPort != 0);
        // serves: devices of this fixture, each once; idle_timeout only on a udp proxy, never below the
        // floor.
        HIL_FUZZ_CHECK(QSet<QString>(p.serves.cbegin(), p.serves.cend()).size() == p.serves.size());
        for (const QString &served : p.serves)
            HIL_FUZZ_CHECK(f->device(served));
        HIL_FUZZ_CHECK(!p.idleTimeout || (p.udp && *p.idleTimeout >= kMinUdpIdleTimeout));
        HIL_FUZZ_CHECK(f->carriesDatagrams(p.name) == p.udp);
    }
}

} // namespace hil::fuzz
