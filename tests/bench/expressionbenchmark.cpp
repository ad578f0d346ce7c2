#include "expressionbenchmark.h"

#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"
#include "core/run/stepresolver.h"
#include "stats.h"

#include <QElapsedTimer>
#include <algorithm>
#include <vector>

namespace hilbench {

namespace {

// The bench is only read, never connected: the loader needs its device names and timeouts.
constexpr const char *kFixture = "devices:\n"
                                 "  psu: {tcp: {host: 127.0.0.1, port: 1}, timeout: 500ms}\n";

// Step 0 captures n; step 1 is the step measured. Its plain twin has the values written out.
constexpr const char *kSendOnly = "steps:\n"
                                  "  - {send: 'N?', expect: '^(?<n>[0-9]+)$'}\n"
                                  "  - {send: \"SET ${n * 2}\", expect: '^(?<n>[0-9]+)$'}\n";
constexpr const char *kPlainSend = "steps:\n"
                                   "  - {send: 'N?', expect: '^(?<n>[0-9]+)$'}\n"
                                   "  - {send: 'SET 42', expect: '^(?<n>[0-9]+)$'}\n";
constexpr const char *kFmt = "steps:\n"
                             "  - {send: 'N?', expect: '^(?<n>[0-9]+)$'}\n"
                             "  - {send: \"SET ${fmt('%.3f', n * 0.1)}\", expect: '^(?<n>[0-9]+)$'}\n";
constexpr const char *kFull = "steps:\n"
                              "  - {send: 'N?', expect: '^(?<n>[0-9]+)$'}\n"
                              "  - send: \"SET ${fmt('%.3f', n * 0.1)}\"\n"
                              "    if: \"${n > 0 and n < 1000}\"\n"
                              "    expect: {match: '^OK ${n} (?<v>[0-9.]+)$', within: \"${n * 10}ms\"}\n"
                              "    measure:\n"
                              "      v: {limits: [\"${n * 0.1 - 0.05}\", \"${n * 0.1 + 0.05}\"]}\n";
constexpr const char *kPlainFull = "steps:\n"
                                   "  - {send: 'N?', expect: '^(?<n>[0-9]+)$'}\n"
                                   "  - send: 'SET 4.200'\n"
                                   "    expect: {match: '^OK 42 (?<v>[0-9.]+)$', within: 420ms}\n"
                                   "    measure:\n"
                                   "      v: {limits: [4.15, 4.25]}\n";

struct Variant {
    QString label;
    hil::Step step;
    QRegularExpressionMatch answer; // what the device answered, for learn()
    std::vector<double> nsPerStep;
};

std::optional<hil::Step> loadStep(const hil::Fixture &fixture, const char *text, const QString &name,
                                  QString *error) {
    hil::SourceErrors errors;
    const auto s = hil::loadScenarioText(QByteArray(text), name, fixture, &errors);
    if (!s) {
        *error = hil::formatErrors(errors);
        return std::nullopt;
    }
    return s->steps.at(1);
}

// What a lane does per exchange: resolve a templated step (a copy, as DeviceLane::start does), then learn
// the answer's captures. n takes 50 values in turn, as over the points of a sweep.
bool runRound(Variant &v, hil::StepResolver &resolver, int steps, QString *error) {
    const bool templated = v.step.templates.hasFields() || !v.step.templates.conditions.isEmpty();
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < steps; ++i) {
        resolver.variables().set(QStringLiteral("n"), QVariant(QString::number(1 + i % 50)));
        if (templated) {
            QString why;
            const auto holds = resolver.conditionsHold(v.step, &why);
            if (!holds || !*holds) {
                *error = QStringLiteral("%1: if: %2").arg(v.label, why);
                return false;
            }
            hil::Step resolved = v.step;
            if (!resolver.resolve(resolved, &why)) {
                *error = QStringLiteral("%1: %2").arg(v.label, why);
                return false;
            }
        }
        resolver.learn(v.step, hil::Captures{v.answer, {}}, {});
    }
    v.nsPerStep.push_back(static_cast<double>(timer.nsecsElapsed()) / steps);
    return true;
}

QString fixedText(double v, int decimals = 2) {
    return QString::number(v, 'f', decimals);
}

} // namespace

bool runExpressionBenchmark(const ExpressionOptions &options, QTextStream &out, QString *error) {
    hil::SourceErrors errors;
    const auto fixture = hil::loadFixtureText(QByteArray(kFixture), QStringLiteral("bench.yaml"), &errors);
    if (!fixture) {
        *error = hil::formatErrors(errors);
        return false;
    }
    std::vector<Variant> variants;
    const QRegularExpression number(QStringLiteral("^(?<n>[0-9]+)$"));
    const QRegularExpression okLine(QStringLiteral("^OK 42 (?<v>[0-9.]+)$"));
    const struct {
        const char *label;
        const char *text;
        QRegularExpressionMatch answer;
    } sources[] = {
        {"plain send (\"SET 42\")", kPlainSend, number.match(QStringLiteral("42"))},
        {"send \"SET ${n * 2}\"", kSendOnly, number.match(QStringLiteral("42"))},
        {"plain send (\"SET 4.200\")", kPlainSend, number.match(QStringLiteral("42"))},
        {"send \"SET ${fmt('%.3f', n * 0.1)}\"", kFmt, number.match(QStringLiteral("42"))},
        {"plain send, match, within, limits", kPlainFull, okLine.match(QStringLiteral("OK 42 4.2"))},
        {"if, send, match, within, 2 limits from ${n}", kFull, okLine.match(QStringLiteral("OK 42 4.2"))},
    };
    for (const auto &s : sources) {
        const auto step = loadStep(*fixture, s.text, QStringLiteral("expressions.yaml"), error);
        if (!step)
            return false;
        variants.push_back({QString::fromUtf8(s.label), *step, s.answer, {}});
    }
    hil::StepResolver resolver;
    // Warm-up: the engine, its compiled functions and the pattern cache, as after a run's first steps.
    for (Variant &v : variants) {
        if (!runRound(v, resolver, 1000, error))
            return false;
        v.nsPerStep.clear();
    }
    for (int round = 0; round < options.rounds; ++round) {
        for (std::size_t k = 0; k < variants.size(); ++k) {
            Variant &v = variants[round % 2 == 0 ? k : variants.size() - 1 - k];
            if (!runRound(v, resolver, options.steps, error))
                return false;
        }
    }

    out << "Scenario language at run time: StepResolver on the lane's path (resolve a copy of the step, then "
           "learn the answer's capture), "
        << options.steps << " steps per round, " << options.rounds
        << " rounds alternating, n = 1..50 in turn\n\n";
    QList<QStringList> rows{{QStringLiteral("microseconds per step"), QStringLiteral("median"),
                             QStringLiteral("min"), QStringLiteral("max"), QStringLiteral("added"),
                             QStringLiteral("ratio")}};
    for (std::size_t k = 0; k < variants.size(); ++k) {
        const Variant &v = variants[k];
        const auto [lo, hi] = std::minmax_element(v.nsPerStep.cbegin(), v.nsPerStep.cend());
        const double med = median(v.nsPerStep) / 1000.0;
        QStringList row{v.label, fixedText(med), fixedText(*lo / 1000.0), fixedText(*hi / 1000.0)};
        if (k % 2 == 1) {
            const double plain = median(variants[k - 1].nsPerStep) / 1000.0;
            row << (med >= plain ? QStringLiteral("+") : QString()) + fixedText(med - plain)
                << (plain > 0 ? fixedText(med / plain) + u'x' : QStringLiteral("n/a"));
        } else {
            row << QString() << QString();
        }
        rows.append(row);
    }
    // Column widths as printTable in main.cpp does them.
    QList<qsizetype> widths;
    for (const QStringList &row : rows)
        for (qsizetype c = 0; c < row.size(); ++c) {
            if (widths.size() <= c)
                widths.append(0);
            widths[c] = std::max(widths[c], row[c].size());
        }
    for (const QStringList &row : rows) {
        QString line = QStringLiteral("    ");
        for (qsizetype c = 0; c < row.size(); ++c)
            line += c == 0 ? row[c].leftJustified(widths[c])
                           : QStringLiteral("  ") + row[c].rightJustified(widths[c]);
        out << line.trimmed().prepend(QStringLiteral("  ")) << '\n';
    }
    out << "\n  added: the templated step minus its plain twin (both learn the capture); goal: under 2 "
           "us\n\n";
    return true;
}

} // namespace hilbench
