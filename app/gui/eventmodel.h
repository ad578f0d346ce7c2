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

    void clear();
    void append(const QList<Event> &events);
    const QStringList &devices() const { return m_devices; }
    const QStringList &kinds() const { return m_kinds; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // The colour of an event kind: errors red, faults violet, losses orange, connects green.
    static QColor kindColor(const QString &kind);

signals:
    // A device or kind seen for the first time (the filters offer it).
    void vocabularyChanged();

private:
    struct Row {
        qint64 timeNs = 0;
        QString kind;
        QString device;
        QString detail;
    };
    QList<Row> m_rows;
    QStringList m_devices;
    QStringList m_kinds;
};

} // namespace hil::gui
