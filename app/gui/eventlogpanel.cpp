#include "eventlogpanel.h"

#include "columnfilterproxy.h"
#include "eventmodel.h"
#include "runeventsmodel.h"
#include "tableviews.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QTableView>
#include <QVBoxLayout>

namespace hil::gui {

EventLogPanel::EventLogPanel(EventModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("eventLogPanel"));
    m_all = new RunEventsModel(model, this);
    m_proxy = new ColumnFilterProxy(this);
    m_proxy->setSourceModel(model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(4);
    auto *bar = new QHBoxLayout;
    auto *deviceLabel = new QLabel(tr("De&vice"), this);
    m_device = new QComboBox(this);
    m_device->setObjectName(QStringLiteral("eventDeviceFilter"));
    m_device->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    deviceLabel->setBuddy(m_device);
    auto *kindLabel = new QLabel(tr("&Kind"), this);
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("eventKindFilter"));
    m_kind->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    kindLabel->setBuddy(m_kind);
    bar->addWidget(deviceLabel);
    bar->addWidget(m_device);
    bar->addSpacing(12);
    bar->addWidget(kindLabel);
    bar->addWidget(m_kind);
    bar->addStretch(1);
    layout->addLayout(bar);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("eventView"));
    m_view->setModel(m_all);
    tableviews::setUp(m_view);
    tableviews::followTail(m_view);
    const QFontMetrics fm(font());
    m_view->horizontalHeader()->resizeSection(EventModel::ColTime,
                                              fm.horizontalAdvance(QStringLiteral("00:00:00.0000")) + 12);
    m_view->horizontalHeader()->resizeSection(EventModel::ColKind,
                                              fm.horizontalAdvance(QStringLiteral("schedule-overrun")) + 16);
    m_view->horizontalHeader()->resizeSection(EventModel::ColDevice,
                                              fm.horizontalAdvance(QStringLiteral("sensor xxx")));
    layout->addWidget(m_view, 1);

    connect(m_device, &QComboBox::currentIndexChanged, this, &EventLogPanel::applyFilters);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &EventLogPanel::applyFilters);
    connect(model, &EventModel::vocabularyChanged, this, &EventLogPanel::refillCombos);
    refillCombos();
}

void EventLogPanel::refillCombos() {
    const auto refill = [](QComboBox *box, const QStringList &values, const QString &all) {
        const QString current = box->currentData().toString();
        const QSignalBlocker block(box);
        box->clear();
        box->addItem(all, QString());
        for (const QString &v : values)
            box->addItem(v, v);
        const int i = box->findData(current);
        box->setCurrentIndex(i < 0 ? 0 : i);
    };
    refill(m_device, m_model->devices(), tr("All devices"));
    refill(m_kind, m_model->kinds(), tr("All kinds"));
    applyFilters();
}

void EventLogPanel::setDeviceFilter(const QString &device) {
    m_device->setCurrentIndex(std::max(0, m_device->findData(device)));
}

void EventLogPanel::setKindFilter(const QString &kind) {
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(kind)));
}

void EventLogPanel::applyFilters() {
    const QString device = m_device->currentData().toString();
    const QString kind = m_kind->currentData().toString();
    m_proxy->setAllowed(EventModel::ColDevice, device.isEmpty() ? QStringList{} : QStringList{device});
    m_proxy->setAllowed(EventModel::ColKind, kind.isEmpty() ? QStringList{} : QStringList{kind});
    QAbstractItemModel *shown = device.isEmpty() && kind.isEmpty()
                                    ? static_cast<QAbstractItemModel *>(m_all)
                                    : static_cast<QAbstractItemModel *>(m_proxy);
    if (m_view->model() != shown)
        m_view->setModel(shown);
}

} // namespace hil::gui
