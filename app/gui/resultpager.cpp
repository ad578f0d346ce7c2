#include "resultpager.h"

#include "core/store/runquery.h"
#include "core/store/steppages.h"

#include <limits>

namespace hil::gui {

ResultPager::ResultPager() = default;
ResultPager::~ResultPager() = default;

bool ResultPager::open(const QString &path, qint64 runId, QString *error) {
    close();
    m_db = RunQuery::open(path, error);
    if (!m_db)
        return false;
    m_runId = runId;
    m_path = path;
    m_pages = std::make_unique<StepPages>(*m_db, runId);
    return true;
}

void ResultPager::close() {
    m_pages.reset();
    m_db.reset();
    m_runId = 0;
    m_path.clear();
    m_firstId.reset();
    m_denseRows = 0;
    m_dense = true;
    m_walked.clear();
    m_cache.clear();
    m_error.clear();
}

std::optional<qint64> ResultPager::rowCount(QString *error) const {
    if (!m_pages)
        return std::nullopt;
    const auto [first, last] = m_db->idRange(RunQuery::Table::StepResults, m_runId);
    if (last < first)
        return 0;
    return m_pages->countInRange(first, last, error);
}

qsizetype ResultPager::cachedRows() const {
    qsizetype n = 0;
    for (const Page &p : m_cache)
        n += p.rows.size();
    return n;
}

std::optional<qint64> ResultPager::startOf(qint64 page) {
    if (!m_firstId) {
        const auto [first, last] = m_db->idRange(RunQuery::Table::StepResults, m_runId);
        if (last < first)
            return std::nullopt; // no rows recorded yet
        m_firstId = first;
    }
    const qint64 before = page * kPageRows; // rows of the run before the page
    if (before <= m_denseRows)
        return *m_firstId + before - 1;
    if (m_dense) {
        // Consecutive ids so far: are the rows up to this page too? One count over the ids not yet checked.
        const std::optional<qint64> n =
            m_pages->countInRange(*m_firstId + m_denseRows, *m_firstId + before - 1, &m_error);
        if (!n)
            return std::nullopt;
        if (*n == before - m_denseRows) {
            m_denseRows = before;
            return *m_firstId + before - 1;
        }
        m_dense = false;
    }
    // Not consecutive: walk the pages after the last start known, remembering each start.
    const qint64 known = m_denseRows / kPageRows;
    if (m_walked.isEmpty())
        m_walked.append(*m_firstId + known * kPageRows - 1);
    QList<ListedStep> rows;
    while (known + m_walked.size() - 1 < page) {
        if (!m_pages->page(m_walked.last(), std::numeric_limits<qint64>::max(), kPageRows, &rows, &m_error))
            return std::nullopt;
        ++m_pagesRead;
        if (rows.size() < kPageRows)
            return std::nullopt; // the run ends before the page
        m_walked.append(rows.last().id);
    }
    return m_walked[page - known];
}

const ResultPager::Page *ResultPager::load(qint64 page) {
    for (Page &p : m_cache) {
        if (p.index == page) {
            p.lastUse = ++m_clock;
            return &p;
        }
    }
    const std::optional<qint64> after = startOf(page);
    if (!after)
        return nullptr;
    QList<ListedStep> listed;
    // In the consecutive case the page's ids are about known, which bounds the walk of a short last page
    // (a run followed by others in the file); the walk of a file with gaps is bounded by LIMIT alone.
    const qint64 last = m_dense ? *after + kPageRows * 64 : std::numeric_limits<qint64>::max();
    if (!m_pages->page(*after, last, kPageRows, &listed, &m_error))
        return nullptr;
    ++m_pagesRead;
    Page fresh;
    fresh.index = page;
    fresh.lastUse = ++m_clock;
    fresh.rows.reserve(listed.size());
    for (const ListedStep &s : listed)
        fresh.rows.append(ResultRow::from(s));
    if (fresh.rows.size() < kPageRows) {
        // The run's end as it is now (a run still recording has more to come): read again next time.
        m_short = std::move(fresh);
        return &m_short;
    }
    if (qsizetype(m_cache.size()) < kCachedPages) {
        m_cache.push_back(std::move(fresh));
        return &m_cache.back();
    }
    auto oldest = std::min_element(m_cache.begin(), m_cache.end(),
                                   [](const Page &a, const Page &b) { return a.lastUse < b.lastUse; });
    *oldest = std::move(fresh);
    return &*oldest;
}

const ResultRow *ResultPager::row(qint64 k) {
    if (!m_pages || k < 0)
        return nullptr;
    const Page *p = load(k / kPageRows);
    if (!p)
        return nullptr;
    const qint64 i = k % kPageRows;
    return i < p->rows.size() ? &p->rows[i] : nullptr;
}

} // namespace hil::gui
