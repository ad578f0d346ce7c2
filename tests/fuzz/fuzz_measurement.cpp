// A device's line, as DeviceSession matches it, through a scenario's named captures to numbers and their
// verdicts against limits and marginal bands (extractMeasurements, what Runner records for a step).
//
// Input: [pattern][specs: count, then per spec flags + up to 4 doubles] then the line.
// Checks: one result per spec; a value that is not a number, not finite or outside the limits FAILs;
// marginal only on a PASS outside the band; the step verdict is the worst; a message names every problem.
#include "core/run/measurementextraction.h"
#include "fuzzcheck.h"
#include "fuzzinput.h"

#include <QRegularExpression>
#include <cmath>
#include <cstdlib>

namespace hil::fuzz {

namespace {

// Patterns of the kind scenarios use (docs/scenarios.md), each with named captures.
const char *const kPatterns[] = {
    R"(^TEMP (?<t>-?[0-9.]+)$)",
    R"(^(?<v>.*)$)",
    R"(^(?<a>[^,]*),(?<b>[^,]*)(?:,(?<c>.*))?$)",
    R"((?<v>\S+)\s*(?<unit>[a-zA-Z%]*))",
    R"(^V(?<v>[^;]*);I(?<i>.*)$)",
    R"(^ACME,ENV-1,(?<serial>\S+),(?<fw>\S+)$)",
};

std::optional<double> bound(FuzzInput &in, bool present) {
    if (!present)
        return std::nullopt;
    const double d = in.f64();
    if (std::isnan(d))
        return std::nullopt; // the scenario loader refuses NaN limits
    return d;
}

Range range(FuzzInput &in, std::uint8_t flags) {
    Range r{bound(in, flags & 1), bound(in, flags & 2)};
    if (r.low && r.high && *r.low > *r.high)
        std::swap(r.low, r.high);
    return r;
}

// A plain decimal that every reader of numbers agrees on.
bool isPlainDecimal(const QString &s) {
    static const QRegularExpression plain(QStringLiteral(R"(^-?[0-9]{1,12}(\.[0-9]{1,6})?$)"));
    return plain.match(s).hasMatch();
}

} // namespace

void checkMeasurementExtraction(const std::uint8_t *data, std::size_t size) {
    FuzzInput in(data, size);
    static QList<QRegularExpression> patterns = [] {
        QList<QRegularExpression> list;
        for (const char *p : kPatterns) {
            list.append(QRegularExpression(QString::fromUtf8(p)));
            list.last().optimize();
        }
        return list;
    }();
    const QRegularExpression &pattern = patterns[in.byte() % patterns.size()];
    QStringList names = pattern.namedCaptureGroups().mid(1);
    names.append(QStringLiteral("missing")); // a capture the pattern does not have

    QList<MeasurementSpec> specs;
    const int count = in.byte() % 5;
    for (int i = 0; i < count; ++i) {
        const std::uint8_t flags = in.byte();
        MeasurementSpec spec;
        spec.name = names[(flags >> 4) % names.size()];
        spec.unit = (flags & 0x80) ? QStringLiteral("degC") : QString();
        spec.limits = range(in, flags);
        spec.marginal = range(in, flags >> 2);
        specs.append(spec);
    }
    const QByteArray line = in.rest();
    const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(line));
    const MeasurementExtraction e = extractMeasurements(specs, Captures{match, {}});

    HIL_FUZZ_CHECK(e.measurements.size() == specs.size());
    Verdict worst = Verdict::Pass;
    bool anyMarginal = false;
    int problems = 0;
    for (qsizetype i = 0; i < specs.size(); ++i) {
        const MeasurementSpec &spec = specs[i];
        const MeasurementResult &m = e.measurements[i];
        HIL_FUZZ_CHECK(m.name == spec.name && m.unit == spec.unit);
        const QString text = match.captured(spec.name).trimmed();
        bool ok = false;
        const double parsed = text.toDouble(&ok);
        if (isPlainDecimal(text)) {
            HIL_FUZZ_CHECK(ok);
            HIL_FUZZ_CHECK(parsed == std::strtod(text.toLatin1().constData(), nullptr));
        }
        const bool inside = ok && std::isfinite(parsed) && spec.limits.contains(parsed);
        HIL_FUZZ_CHECK(ok ? (m.value == parsed || (std::isnan(m.value) && std::isnan(parsed)))
                          : std::isnan(m.value));
        HIL_FUZZ_CHECK(m.verdict == (inside ? Verdict::Pass : Verdict::Fail));
        HIL_FUZZ_CHECK(m.marginal == (inside && spec.marginal.isSet() && !spec.marginal.contains(parsed)));
        HIL_FUZZ_CHECK(!(m.marginal && m.verdict != Verdict::Pass));
        worst = combine(worst, m.verdict);
        anyMarginal = anyMarginal || m.marginal;
        problems += (m.verdict != Verdict::Pass || m.marginal) ? 1 : 0;
    }
    HIL_FUZZ_CHECK(e.verdict == worst);
    HIL_FUZZ_CHECK(e.marginal == (anyMarginal && worst == Verdict::Pass));
    HIL_FUZZ_CHECK(e.message.isEmpty() == (problems == 0));
    if (problems > 0)
        HIL_FUZZ_CHECK(e.message.count(QStringLiteral("; ")) >= problems - 1);
    for (const MeasurementSpec &spec : specs) {
        const MeasurementResult *m = nullptr;
        for (const MeasurementResult &r : e.measurements)
            m = r.name == spec.name ? &r : m;
        if (m && (m->verdict != Verdict::Pass || m->marginal))
            HIL_FUZZ_CHECK(e.message.contains(spec.name));
    }
}

} // namespace hil::fuzz
