#pragma once

#include "core/config/binding.h"

#include <QByteArrayView>
#include <QString>

namespace hil {

// step_results.bindings (schema 5): the `for_each:` values of a step as a JSON object in the order the
// sweep bound them, each value keeping its type ({"V": 3.3, "on": true, "mode": "fast"}). Null for none.
QString bindingsToJson(const Bindings &bindings);

// The column read back; empty for NULL or text that is not a JSON object.
Bindings bindingsFromJson(QByteArrayView json);

} // namespace hil
