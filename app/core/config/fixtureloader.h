#pragma once

#include "core/base/sourceerror.h"
#include "core/config/fixture.h"

#include <optional>

namespace hil {

// Reads and validates a fixture file. Returns nullopt and fills *errors (every problem found, each with
// file:line:col) if anything is wrong; nothing is started or opened here.
std::optional<Fixture> loadFixture(const QString &path, SourceErrors *errors);
// The same from the text of a fixture; `fileName` names it in errors and in Fixture::path. Never throws:
// any input gives a fixture or errors.
std::optional<Fixture> loadFixtureText(const QByteArray &text, const QString &fileName, SourceErrors *errors);

} // namespace hil
