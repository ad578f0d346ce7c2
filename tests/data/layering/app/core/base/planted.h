#pragma once
// A planted violation for the layering check's own test: base may not include run.
#include "core/run/runner.h"
