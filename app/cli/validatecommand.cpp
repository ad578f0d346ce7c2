#include "commandline.h"
#include "commands.h"
#include "core/base/verdict.h"
#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"
#include "core/expr/expression.h"

#include <QCommandLineParser>
#include <QTextStream>

bool readVarOptions(const QStringList &values, hil::ScenarioOptions *options, QString *error) {
    for (const QString &v : values) {
        const qsizetype eq = v.indexOf(u'=');
        const QString name = v.left(eq);
        QString why;
        if (eq <= 0 || !hil::isVariableName(name, &why)) {
            *error = QStringLiteral("--var %1: write NAME=VALUE%2")
                         .arg(v, why.isEmpty() ? QString() : QStringLiteral(" (") + why + u')');
            return false;
        }
        if (options->vars.contains(name)) {
            *error = QStringLiteral("--var %1 is given twice").arg(name);
            return false;
        }
        options->vars.insert(name, v.mid(eq + 1));
    }
    return true;
}

bool loadInputs(const QString &fixturePath, const QString &scenarioPath, std::optional<hil::Fixture> *fixture,
                std::optional<hil::Scenario> *scenario, const hil::ScenarioOptions &options) {
    QTextStream err(stderr);
    hil::SourceErrors errors;
    *fixture = hil::loadFixture(fixturePath, &errors);
    if (!*fixture) {
        err << hil::formatErrors(errors);
        return false;
    }
    if (scenarioPath.isEmpty())
        return true;
    *scenario = hil::loadScenario(scenarioPath, **fixture, &errors, options);
    if (!*scenario) {
        err << hil::formatErrors(errors);
        return false;
    }
    return true;
}

int validateCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Check a fixture, and a scenario on it, without running anything. "
                       "Problems are printed as file:line:col: message."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("scenario"), QStringLiteral("Scenario file (YAML); optional."),
                            QStringLiteral("[SCENARIO]"));
    p.addOption({{QStringLiteral("f"), QStringLiteral("fixture")},
                 QStringLiteral("Fixture file (YAML)."),
                 QStringLiteral("F")});
    p.addOption({QStringLiteral("var"),
                 QStringLiteral("Value of a variable the scenario or fixture declares (repeatable)."),
                 QStringLiteral("NAME=VALUE")});
    if (const auto code = parseCommandLine(p, args))
        return *code;
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!p.isSet(QStringLiteral("fixture")) || p.positionalArguments().size() > 1) {
        err << commandHelp(p, args.value(0));
        return hil::ExitBadInput;
    }
    const QString scenarioPath = p.positionalArguments().value(0);
    std::optional<hil::Fixture> fixture;
    std::optional<hil::Scenario> scenario;
    hil::ScenarioOptions options;
    if (QString why; !readVarOptions(p.values(QStringLiteral("var")), &options, &why)) {
        err << "hil validate: " << why << '\n';
        return hil::ExitBadInput;
    }
    if (!loadInputs(p.value(QStringLiteral("fixture")), scenarioPath, &fixture, &scenario, options))
        return hil::ExitBadInput;
    out << "fixture " << fixture->path << ": OK (" << fixture->devices.size() << " devices)\n";
    if (scenario) {
        const qsizetype steps = scenario->setup.size() + scenario->steps.size() + scenario->teardown.size();
        out << "scenario " << scenario->path << ": OK (" << steps << " steps on "
            << scenario->devices.join(u", ") << ")\n";
    }
    return hil::ExitPass;
}
