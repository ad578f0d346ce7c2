#include "core/config/sweep.h"

#include "core/expr/expression.h"

#include <cmath>

namespace hil {

namespace {

std::optional<QList<QVariant>> readRangeValues(YamlReader &r, LoadScope &scope, const YAML::Node &n,
                                               const QString &name) {
    r.checkKeys(n, {"from", "to", "step"});
    if (!n["from"] || !n["to"]) {
        r.error(n, QStringLiteral("%1: a range needs from and to (and optionally step)").arg(name));
        return std::nullopt;
    }
    const auto from = r.number(n["from"], QStringLiteral("from"));
    const auto to = r.number(n["to"], QStringLiteral("to"));
    const auto step = n["step"] ? r.number(n["step"], QStringLiteral("step")) : std::optional<double>(1.0);
    (void)scope;
    if (!from || !to || !step)
        return std::nullopt;
    if (!std::isfinite(*from) || !std::isfinite(*to) || !std::isfinite(*step) || *step == 0
        || (*to - *from) / *step < 0) {
        r.error(n["step"] ? n["step"] : n,
                QStringLiteral("%1: step must be a number that goes from %2 towards %3")
                    .arg(name, valueText(*from), valueText(*to)));
        return std::nullopt;
    }
    // Counted, not accumulated: 0.1 steps do not drift, and the end is reached when it is on the grid.
    const double count = std::floor((*to - *from) / *step + 1e-9) + 1;
    if (count > kMaxSweepIterations) {
        r.error(n, QStringLiteral("%1: %2 values; a sweep takes at most %3")
                       .arg(name)
                       .arg(count)
                       .arg(kMaxSweepIterations));
        return std::nullopt;
    }
    QList<QVariant> values;
    for (qint64 i = 0; i < static_cast<qint64>(count); ++i) {
        double v = *from + static_cast<double>(i) * *step;
        // 0.1 + 2 * 0.1 is 0.30000000000000004: keep the digits the user wrote.
        v = std::round(v * 1e12) / 1e12;
        values.append(QVariant(v));
    }
    return values;
}

} // namespace

std::optional<QList<Bindings>> readSweep(YamlReader &r, LoadScope &scope, const YAML::Node &n) {
    if (!n.IsMap() || n.size() == 0) {
        r.error(n, QStringLiteral("for_each must map variables to their values, e.g. {N: [1, 2, 5]} or "
                                  "{V: {from: 3.0, to: 3.6, step: 0.1}}"));
        return std::nullopt;
    }
    r.checkDuplicateKeys(n);
    QList<Bindings> product{Bindings{}};
    bool ok = true;
    for (auto it = n.begin(); it != n.end(); ++it) {
        const QString name = toQString(it->first.Scalar());
        QString why;
        if (!isVariableName(name, &why)) {
            r.error(it->first, why);
            ok = false;
            continue;
        }
        if (scope.isRuntime(name)) {
            r.error(it->first, QStringLiteral("'%1' is already a value the run captures; name the sweep "
                                              "variable differently")
                                   .arg(name));
            ok = false;
            continue;
        }
        const YAML::Node values = it->second;
        QList<QVariant> list;
        if (values.IsSequence()) {
            if (values.size() == 0) {
                r.error(values, QStringLiteral("%1: the list of values is empty").arg(name));
                ok = false;
                continue;
            }
            for (const YAML::Node &v : values) {
                if (const auto value = scope.value(v, QStringLiteral("a value of %1").arg(name)))
                    list.append(*value);
                else
                    ok = false;
            }
        } else if (values.IsMap()) {
            if (const auto range = readRangeValues(r, scope, values, name))
                list = *range;
            else
                ok = false;
        } else {
            r.error(
                values,
                QStringLiteral("%1: give a list of values [1, 2, 5] or a range {from, to, step}").arg(name));
            ok = false;
            continue;
        }
        QList<Bindings> next;
        for (const Bindings &outer : std::as_const(product)) {
            for (const QVariant &v : std::as_const(list)) {
                Bindings b = outer;
                b.append({name, v});
                next.append(b);
            }
        }
        if (next.size() > kMaxSweepIterations) {
            r.error(n, QStringLiteral("for_each gives %1 iterations; a sweep takes at most %2")
                           .arg(next.size())
                           .arg(kMaxSweepIterations));
            return std::nullopt;
        }
        product = next;
    }
    if (!ok)
        return std::nullopt;
    return product;
}

} // namespace hil
