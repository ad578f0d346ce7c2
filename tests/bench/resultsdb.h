#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <optional>

struct sqlite3;

namespace hilbench {

// A read-only connection to a results database, for the benchmarks that check what a run recorded.
// Every query is a constant without parameters.
class ResultsDb {
public:
    ResultsDb() = default;
    ~ResultsDb();
    ResultsDb(const ResultsDb &) = delete;
    ResultsDb &operator=(const ResultsDb &) = delete;

    // False with *error if the file cannot be opened (it may not exist yet).
    bool open(const QString &path, QString *error = nullptr);
    bool isOpen() const { return m_db != nullptr; }
    sqlite3 *handle() const { return m_db; }

    // The first column of the first row; nullopt on an error or no row (NULL reads as 0).
    std::optional<qint64> scalar(const char *sql) const;
    // (text, count) pairs of a two-column query such as "SELECT kind, count(*) ... GROUP BY kind".
    QList<QPair<QString, qint64>> grouped(const char *sql) const;

private:
    sqlite3 *m_db = nullptr;
};

} // namespace hilbench
