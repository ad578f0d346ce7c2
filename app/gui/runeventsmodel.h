#pragma once

#include "eventmodel.h"

#include <QAbstractTableModel>
#include <memory>
#include <vector>

namespace hil {
class EventPages;
class RunQuery;
} // namespace hil

namespace hil::gui {

// Every event of the live run, as one table: the events the window (EventModel) no longer holds, read
// back from the run's database a page at a time, followed by the window's. As RunResultsModel: the count
// is the run's and only grows, the last kCachedPages pages read are kept, and at most kMaxRows rows are
// exposed (the run's newest; a QTableView keeps 8 bytes per row in its vertical header). Without a
// database it is the window alone. GUI thread only.
class RunEventsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr qint64 kMaxRows = 500'000;
    static constexpr int kPageRows = 256;
    static constexpr int kCachedPages = 16;

    explicit RunEventsModel(EventModel *window, QObject *parent = nullptr);
    ~RunEventsModel() override;

    // The events before the window come from run runId of the database at path. False with *error; the
    // table is then the window alone.
    bool attachDatabase(const QString &path, qint64 runId, QString *error);
    void detach();
    bool isAttached() const { return m_pages != nullptr; }
    // Rows before the window's, from the database, that the table shows.
    qint64 olderRows() const;
    qint64 pagesRead() const { return m_pagesRead; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Page {
        qint64 index = 0;
        qint64 lastUse = 0;
        std::vector<EventModel::Row> rows;
    };
    // Event k of the run, or nullptr when the file does not have it (yet) or cannot be read.
    const EventModel::Row *row(qint64 k) const;
    const Page *load(qint64 page) const;

    EventModel *m_window;
    std::unique_ptr<RunQuery> m_db;
    std::unique_ptr<EventPages> m_pages;
    qint64 m_base = 0;                    // the run's event shown first
    mutable std::vector<qint64> m_starts; // the id after which page p starts (m_starts[0]: 0)
    mutable std::vector<Page> m_cache;
    mutable Page m_short; // the last page read that was not full
    mutable qint64 m_clock = 0;
    mutable qint64 m_pagesRead = 0;
    mutable QString m_error;
};

} // namespace hil::gui
