#include "core/analysis/sweepstatistics.h"

#include <QMap>
#include <QSet>
#include <algorithm>

namespace hil {

namespace {

bool isNumber(const QVariant &v) {
    return v.typeId() == QMetaType::Double;
}

QVariant valueOf(const Bindings &b, const QString &name) {
    for (const Binding &x : b) {
        if (x.name == name)
            return x.value;
    }
    return {};
}

} // namespace

QString sweepValueText(const QVariant &v) {
    if (isNumber(v))
        return QString::number(v.toDouble(), 'g', 12);
    if (v.typeId() == QMetaType::Bool)
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toString();
}

QString SweepStatistics::curveOf(const SweepPoint &p) const {
    QStringList parts;
    for (const QString &name : curveVariables)
        parts.append(QStringLiteral("%1=%2").arg(name, sweepValueText(valueOf(p.values, name))));
    return parts.join(QStringLiteral(", "));
}

QVariant SweepStatistics::xOf(const SweepPoint &p) const {
    return valueOf(p.values, xVariable);
}

QList<SweepStatistics> groupSweeps(const QList<SweepPointInput> &points) {
    QList<SweepStatistics> sweeps;
    QMap<QString, qsizetype> index; // measurement and variable names
    for (const SweepPointInput &in : points) {
        QStringList names;
        for (const Binding &b : in.point.values)
            names.append(b.name);
        const QString key = in.measurement + QChar(0x1f) + names.join(QChar(0x1f));
        auto it = index.constFind(key);
        if (it == index.cend()) {
            SweepStatistics s;
            s.measurement = in.measurement;
            s.unit = in.unit;
            s.variables = names;
            it = index.insert(key, sweeps.size());
            sweeps.append(s);
        }
        SweepStatistics &s = sweeps[*it];
        if (s.points.isEmpty()) {
            s.low = in.point.low;
            s.high = in.point.high;
        } else if (s.low != in.point.low || s.high != in.point.high) {
            s.limitsVary = true;
        }
        s.points.append(in.point);
    }
    for (SweepStatistics &s : sweeps) {
        if (s.limitsVary) {
            s.low.reset();
            s.high.reset();
        }
        // The x axis: the numeric variable with the most distinct values (a voltage swept over ten
        // values against a load of two), else the variable with the most; the first on a tie.
        qsizetype best = -1;
        qsizetype bestCount = -1;
        bool bestNumeric = false;
        for (const QString &name : std::as_const(s.variables)) {
            QSet<QString> seen;
            bool numeric = true;
            for (const SweepPoint &p : std::as_const(s.points)) {
                const QVariant v = valueOf(p.values, name);
                numeric = numeric && isNumber(v);
                seen.insert(sweepValueText(v));
            }
            const bool better =
                best < 0 || (numeric && !bestNumeric) || (numeric == bestNumeric && seen.size() > bestCount);
            if (better) {
                best = s.variables.indexOf(name);
                bestCount = seen.size();
                bestNumeric = numeric;
            }
        }
        s.xVariable = s.variables.value(best);
        s.numericX = bestNumeric;
        for (const QString &name : std::as_const(s.variables)) {
            if (name != s.xVariable)
                s.curveVariables.append(name);
        }
        // Curves in order of first appearance; along a curve, x ascending (numbers) or as swept.
        QMap<QString, qsizetype> curveRank;
        QMap<QString, qsizetype> xRank;
        for (const SweepPoint &p : std::as_const(s.points)) {
            const QString c = s.curveOf(p);
            if (!curveRank.contains(c))
                curveRank.insert(c, curveRank.size());
            const QString x = sweepValueText(s.xOf(p));
            if (!xRank.contains(x))
                xRank.insert(x, xRank.size());
        }
        std::stable_sort(s.points.begin(), s.points.end(), [&](const SweepPoint &a, const SweepPoint &b) {
            const qsizetype ca = curveRank.value(s.curveOf(a)), cb = curveRank.value(s.curveOf(b));
            if (ca != cb)
                return ca < cb;
            if (s.numericX)
                return s.xOf(a).toDouble() < s.xOf(b).toDouble();
            return xRank.value(sweepValueText(s.xOf(a))) < xRank.value(sweepValueText(s.xOf(b)));
        });
    }
    return sweeps;
}

} // namespace hil
