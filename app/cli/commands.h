#pragma once

#include "core/config/scenarioloader.h"

#include <QStringList>

// Each `hil` subcommand: parses its own arguments (args[0] is "hil <command>"), returns the exit code.
int runCommand(const QStringList &args);
int validateCommand(const QStringList &args);
int runsCommand(const QStringList &args);
int portsCommand(const QStringList &args);

#include "core/config/fixture.h"
#include "core/config/scenario.h"

#include <optional>

// Loads and validates a fixture and, if scenarioPath is not empty, a scenario on it. Prints every
// problem as file:line:col: message to stderr. Returns false on any problem.
bool loadInputs(const QString &fixturePath, const QString &scenarioPath, std::optional<hil::Fixture> *fixture,
                std::optional<hil::Scenario> *scenario, const hil::ScenarioOptions &options = {});
// `--var NAME=VALUE` (repeatable) into ScenarioOptions::vars; false and *error on a malformed one.
bool readVarOptions(const QStringList &values, hil::ScenarioOptions *options, QString *error);
