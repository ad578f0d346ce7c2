#include "core/run/measurementextraction.h"

#include "core/base/reportformat.h"

#include <QStringList>
#include <cmath>

namespace hil {

namespace {

QString formatRange(const Range &r) {
    const auto bound = [](const std::optional<double> &b) {
        return b ? formatLimit(*b) : QStringLiteral("~");
    };
    return QStringLiteral("[%1, %2]").arg(bound(r.low), bound(r.high));
}

} // namespace

MeasurementExtraction extractMeasurements(const QList<MeasurementSpec> &specs, const Captures &captures) {
    MeasurementExtraction out;
    QStringList problems;
    for (const MeasurementSpec &spec : specs) {
        MeasurementResult m;
        m.name = spec.name;
        m.unit = spec.unit;
        m.limits = spec.limits;
        m.marginalBand = spec.marginal;
        const QString text = captures.value(spec.name);
        bool ok = false;
        const double value = text.trimmed().toDouble(&ok);
        if (!ok) {
            m.value = std::nan("");
            m.verdict = Verdict::Fail;
            problems.append(QStringLiteral("%1: '%2' is not a number").arg(spec.name, text));
        } else {
            m.value = value;
            const MeasurementOutcome o = evaluateMeasurement(spec, value);
            m.verdict = o.verdict;
            m.marginal = o.marginal;
            if (o.verdict == Verdict::Fail)
                problems.append(QStringLiteral("%1 = %2 %3 outside limits %4")
                                    .arg(spec.name, text.trimmed(), spec.unit, formatRange(spec.limits))
                                    .simplified());
            else if (o.marginal)
                problems.append(QStringLiteral("%1 = %2 %3 marginal (band %4)")
                                    .arg(spec.name, text.trimmed(), spec.unit, formatRange(spec.marginal))
                                    .simplified());
        }
        out.verdict = combine(out.verdict, m.verdict);
        out.marginal = out.marginal || m.marginal;
        out.measurements.append(m);
    }
    if (out.verdict != Verdict::Pass)
        out.marginal = false;
    out.message = problems.join(QStringLiteral("; "));
    return out;
}

} // namespace hil
