#pragma once

#include "core/fixture.h"
#include "core/runner.h"
#include "core/scenario.h"

#include <QString>

namespace hil::gui {

// What a run needs, validated before it is handed to the runner thread.
struct RunRequest {
    Fixture fixture;
    Scenario scenario;
    RunOptions options;
    QString databasePath;
};

} // namespace hil::gui
