#pragma once

#include "core/config/fixture.h"
#include "core/config/scenario.h"
#include "core/run/runner.h"

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
