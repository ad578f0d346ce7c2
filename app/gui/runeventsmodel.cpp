#include "runeventsmodel.h"

#include "core/base/printable.h"
#include "core/store/eventpages.h"
#include "core/store/runquery.h"

#include <QCoreApplication>
#include <algorithm>
#include <limits>

namespace hil::gui {

RunEventsModel::RunEventsModel(EventModel *window, QObject *parent)
    : QAbstractTableModel(parent)
    , m_window(window) {
    // Rows come at the window's end, which is the table's end; past the bound the oldest tenth leaves.
    connect(window, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [this](const QModelIndex &, int first, int last) {
                const qint64 total = olderRows() + m_window->rowCount() + (last - first + 1);
                if (m_pages && total > kMaxRows) {
                    const qint64 drop = std::min(olderRows(), std::max(total - kMaxRows, kMaxRows / 10));
                    if (drop > 0) {
                        beginRemoveRows({}, 0, static_cast<int>(drop - 1));
                        m_base += drop;
                        endRemoveRows();
                    }
                }
                const int older = static_cast<int>(olderRows());
                beginInsertRows({}, older + first, older + last);
            });
    connect(window, &QAbstractItemModel::rowsInserted, this, [this] { endInsertRows(); });
    // The window's oldest rows leave it; with a database they stay in the table (read from the file now).
    connect(window, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex &, int first, int last) {
                if (!m_pages)
                    beginRemoveRows({}, first, last);
            });
    connect(window, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (!m_pages)
            endRemoveRows();
    });
    connect(window, &QAbstractItemModel::modelAboutToBeReset, this, [this] { beginResetModel(); });
    connect(window, &QAbstractItemModel::modelReset, this, [this] {
        m_base = 0;
        endResetModel();
    });
}

RunEventsModel::~RunEventsModel() = default;

bool RunEventsModel::attachDatabase(const QString &path, qint64 runId, QString *error) {
    beginResetModel();
    m_pages.reset();
    m_db = RunQuery::open(path, error);
    if (m_db)
        m_pages = std::make_unique<EventPages>(*m_db, runId);
    m_base = std::max<qint64>(0, m_window->firstSequence() - (kMaxRows - EventModel::kMaxRows));
    m_starts.assign(1, 0);
    m_cache.clear();
    m_error.clear();
    endResetModel();
    return m_pages != nullptr;
}

void RunEventsModel::detach() {
    beginResetModel();
    m_pages.reset();
    m_db.reset();
    m_base = 0;
    m_cache.clear();
    endResetModel();
}

qint64 RunEventsModel::olderRows() const {
    return m_pages ? m_window->firstSequence() - m_base : 0;
}

const RunEventsModel::Page *RunEventsModel::load(qint64 page) const {
    for (Page &p : m_cache) {
        if (p.index == page) {
            p.lastUse = ++m_clock;
            return &p;
        }
    }
    // Where the page starts: hop a page at a time from the last start known (each hop reads one page's
    // index entries), remembering every start (8 bytes a page).
    while (static_cast<qint64>(m_starts.size()) <= page) {
        const std::optional<qint64> next = m_pages->idAfter(m_starts.back(), kPageRows, &m_error);
        if (!next)
            return nullptr;
        m_starts.push_back(*next);
    }
    QList<ListedEvent> listed;
    if (!m_pages->page(m_starts[static_cast<size_t>(page)], kPageRows, &listed, &m_error))
        return nullptr;
    ++m_pagesRead;
    Page p;
    p.index = page;
    p.lastUse = ++m_clock;
    for (ListedEvent &e : listed)
        p.rows.push_back({e.timeNs, std::move(e.kind), std::move(e.device), printableText(e.detail)});
    // A page not full yet (its events are still being recorded) is read again next time, not cached.
    if (static_cast<int>(p.rows.size()) < kPageRows) {
        m_short = std::move(p);
        return &m_short;
    }
    if (static_cast<int>(m_cache.size()) < kCachedPages) {
        m_cache.push_back(std::move(p));
        return &m_cache.back();
    }
    auto oldest = std::min_element(m_cache.begin(), m_cache.end(),
                                   [](const Page &a, const Page &b) { return a.lastUse < b.lastUse; });
    *oldest = std::move(p);
    return &*oldest;
}

const EventModel::Row *RunEventsModel::row(qint64 k) const {
    const Page *p = load(k / kPageRows);
    const auto i = static_cast<size_t>(k % kPageRows);
    return p && i < p->rows.size() ? &p->rows[i] : nullptr;
}

int RunEventsModel::rowCount(const QModelIndex &parent) const {
    if (parent.isValid())
        return 0;
    const qint64 n = olderRows() + m_window->rowCount();
    return static_cast<int>(std::min<qint64>(n, std::numeric_limits<int>::max()));
}

int RunEventsModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : EventModel::ColumnCount;
}

QVariant RunEventsModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid())
        return {};
    const qint64 older = olderRows();
    if (index.row() >= older)
        return m_window->data(m_window->index(static_cast<int>(index.row() - older), index.column()), role);
    if (const EventModel::Row *r = row(m_base + index.row()))
        return EventModel::cell(*r, index.column(), role);
    if (role == Qt::DisplayRole && index.column() == EventModel::ColDetail)
        return m_error.isEmpty()
                   ? QCoreApplication::translate("hil::gui::EventModel", "(not in the database yet)")
                   : QCoreApplication::translate("hil::gui::EventModel", "(the database cannot be read: %1)")
                         .arg(m_error);
    return {};
}

QVariant RunEventsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    return m_window->headerData(section, orientation, role);
}

} // namespace hil::gui
