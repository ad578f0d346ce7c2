#pragma once

#include "core/base/sourceerror.h"
#include "core/config/fixture.h"
#include "core/config/scenario.h"

#include <QMap>
#include <QString>
#include <optional>

namespace hil {

// What the person running a scenario sets when loading it.
struct ScenarioOptions {
    // `--var NAME=VALUE`: values of variables the scenario or the fixture declares; they win over both.
    QMap<QString, QString> vars;
};

// Reads a scenario and validates it against the fixture it will run on: unknown keys, wrong types,
// unknown devices, bad regular expressions, captures that the pattern does not define, limits with
// low > high. Returns nullopt and fills *errors (each with file:line:col) if anything is wrong.
std::optional<Scenario> loadScenario(const QString &path, const Fixture &fixture, SourceErrors *errors,
                                     const ScenarioOptions &options = {});
// The same from the text of a scenario; `fileName` names it in errors and in Scenario::path. Never throws:
// any input gives a scenario or errors.
std::optional<Scenario> loadScenarioText(const QByteArray &text, const QString &fileName,
                                         const Fixture &fixture, SourceErrors *errors,
                                         const ScenarioOptions &options = {});

} // namespace hil
