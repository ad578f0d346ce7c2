#pragma once

#include "core/store/runfetch.h"

#include <QString>
#include <QStringList>
#include <memory>

class QTemporaryDir;

using hil::FetchRequest;

// The --db of a reading command: a SQLite results file, read in place, or a central store
// (`postgresql://...`) whose requested runs are fetched into a temporary SQLite file of the same schema,
// so that every report, comparison and trend is computed by one code path over one schema.
class DatabaseSource {
public:
    static bool isUrl(const QString &spec);
    // nullptr with *error (naming the database) and *exitCode (2 bad input: a malformed URL or a file
    // that is not a results database; 3: a server that cannot be reached or refuses) on failure.
    static std::unique_ptr<DatabaseSource> open(const QString &spec, const FetchRequest &request,
                                                QString *error, int *exitCode);
    ~DatabaseSource();

    // The SQLite file to read.
    const QString &path() const { return m_path; }
    // The --db as given, with any password removed, for messages.
    const QString &display() const { return m_display; }
    bool remote() const { return m_tmp != nullptr; }

private:
    DatabaseSource() = default;
    QString m_path;
    QString m_display;
    std::unique_ptr<QTemporaryDir> m_tmp;
};
