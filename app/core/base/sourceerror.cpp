#include "core/base/sourceerror.h"

#include "core/base/printable.h"

#include <algorithm>

namespace hil {

QString SourceError::toString() const {
    return QStringLiteral("%1:%2:%3: %4").arg(file).arg(line).arg(column).arg(message);
}

QString formatErrors(SourceErrors errors) {
    std::stable_sort(errors.begin(), errors.end(), [](const SourceError &a, const SourceError &b) {
        return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    QString out;
    for (const SourceError &e : errors)
        out += printableText(e.toString()) + u'\n';
    return out;
}

} // namespace hil
