#pragma once

#include "resultrow.h"

#include <QList>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

namespace hil {
class RunQuery;
class StepPages;
} // namespace hil

namespace hil::gui {

// The step results of one run read back from its database a page at a time, for the rows a table shows
// but does not hold: row k of the run (in row order, which for a recorded run is the order the results
// came) is in page k / kPageRows, and the last kCachedPages pages used are kept (least recently used goes
// first), so memory is a few thousand rows however long the run.
//
// Pages are found by keyset on the row id (StepPages): when the run's rows have consecutive ids (one run
// recorded at a time into the file: checked once over the rows asked for, then known), page p starts
// right after id first + p * kPageRows - 1; otherwise the start of each page is found by walking the pages
// before it once and remembered (8 bytes a page). GUI thread only (it owns a read-only connection).
class ResultPager {
public:
    static constexpr int kPageRows = 256;
    static constexpr int kCachedPages = 16;

    ResultPager();
    ~ResultPager();
    ResultPager(const ResultPager &) = delete;
    ResultPager &operator=(const ResultPager &) = delete;

    // Reads run runId of the results database at path, read-only. False with *error naming the file.
    bool open(const QString &path, qint64 runId, QString *error);
    void close();
    bool isOpen() const { return m_pages != nullptr; }
    qint64 runId() const { return m_runId; }
    const QString &path() const { return m_path; }

    // Row k of the run, or nullptr when the file has no such row (yet) or cannot be read (error()).
    // Valid until the next call.
    const ResultRow *row(qint64 k);
    // How many step results the run has in the file now (a walk of its rows in the index).
    std::optional<qint64> rowCount(QString *error) const;

    qint64 pagesRead() const { return m_pagesRead; }
    qsizetype cachedRows() const;
    const QString &error() const { return m_error; }

private:
    struct Page {
        qint64 index = 0;
        qint64 lastUse = 0;
        QList<ResultRow> rows;
    };
    // The id after which page p starts; nullopt past the run's end or on an error.
    std::optional<qint64> startOf(qint64 page);
    const Page *load(qint64 page);

    std::unique_ptr<RunQuery> m_db;
    std::unique_ptr<StepPages> m_pages;
    qint64 m_runId = 0;
    QString m_path;
    std::optional<qint64> m_firstId;
    qint64 m_denseRows = 0; // the first rows known to have consecutive ids
    bool m_dense = true;    // false once a gap was seen: pages are then walked
    QList<qint64> m_walked; // when not dense: the start of page m_denseRows / kPageRows + i
    std::vector<Page> m_cache;
    Page m_short; // the last page read when it was not full: not cached
    qint64 m_clock = 0;
    qint64 m_pagesRead = 0;
    QString m_error;
};

} // namespace hil::gui
