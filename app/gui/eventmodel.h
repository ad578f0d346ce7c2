#pragma once

#include "core/run/results.h"

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

namespace hil::gui {

// The events of the run (connects, disconnects, faults, errors, operator actions), appended in batches,
// bounded like ResultModel. Knows which devices and kinds it has seen, for the log's filters.
class EventModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ColTime, ColKind, ColDevice, ColDetail, ColumnCount };
    static constexpr int kMaxRows = 50'000;

    explicit EventModel(QObject *parent = nullptr);

    struct Row {
        qint64 timeNs = 0;
        QString kind;
        QString device;
        QString detail; // printable
    };

    void clear();
    // skippedBefore: events of the run that came before these and never reached the window (LiveBuffer
    // dropped them while nobody drained); the database has them.
    void append(const QList<Event> &events, qint64 skippedBefore = 0);
    // How many of the run's events came before the window's first row (they are in the database only).
    qint64 firstSequence() const { return m_dropped; }
    const QStringList &devices() const { return m_devices; }
    const QStringList &kinds() const { return m_kinds; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // The colour of an event kind: errors red, faults violet, losses orange, connects green.
    static QColor kindColor(const QString &kind);
    // What the log shows of an event in a column for a role (the filter role included), for the rows held
    // and those read back from the database alike.
    static QVariant cell(const Row &row, int column, int role);

signals:
    // A device or kind seen for the first time (the filters offer it).
    void vocabularyChanged();

private:
    QList<Row> m_rows;
    qint64 m_dropped = 0;
    QStringList m_devices;
    QStringList m_kinds;
};

} // namespace hil::gui
