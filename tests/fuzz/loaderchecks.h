#pragma once

#include "core/base/sourceerror.h"

#include <QByteArray>
#include <QString>

namespace hil::fuzz {

// What every loader error must be: in the named file, at a line:col inside the text (or just past its
// end), with a message, and never the loader's own last-resort "internal error".
void checkErrors(const SourceErrors &errors, const QString &fileName, const QByteArray &text);

} // namespace hil::fuzz
