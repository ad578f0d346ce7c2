#pragma once

#include <QList>
#include <QString>

namespace hil {

// A problem in an input file, at a 1-based line and column ("file:line:col: message").
struct SourceError {
    QString file;
    int line = 0;
    int column = 0;
    QString message;

    QString toString() const;
};

using SourceErrors = QList<SourceError>;

// Sorted by file, line and column; one error per line.
QString formatErrors(SourceErrors errors);

} // namespace hil
