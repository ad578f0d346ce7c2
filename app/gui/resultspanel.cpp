#include "resultspanel.h"

#include "columnfilterproxy.h"
#include "resultmodel.h"
#include "runresultsmodel.h"
#include "tableviews.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

namespace hil::gui {

ResultsPanel::ResultsPanel(ResultModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_all(new RunResultsModel(model, this)) {
    setObjectName(QStringLiteral("resultsPanel"));
    m_proxy = new ColumnFilterProxy(this);
    m_proxy->setSourceModel(model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(4);
    auto *bar = new QHBoxLayout;
    m_failuresOnly = new QCheckBox(tr("&Failures only"), this);
    m_failuresOnly->setObjectName(QStringLiteral("failuresOnly"));
    m_failuresOnly->setToolTip(tr("Show only FAIL, ERROR and ABORT results"));
    connect(m_failuresOnly, &QCheckBox::toggled, this, [this](bool on) {
        m_proxy->setAllowed(
            ResultModel::ColVerdict,
            on ? QStringList{QStringLiteral("FAIL"), QStringLiteral("ERROR"), QStringLiteral("ABORT")}
               : QStringList{});
        // A proxy maps every row of its source: it filters the window only, not millions of stored rows.
        m_view->setModel(on ? static_cast<QAbstractItemModel *>(m_proxy) : m_all);
        if (m_atEnd)
            m_view->scrollToBottom();
        updateCount();
    });
    m_count = new QLabel(this);
    bar->addWidget(m_failuresOnly);
    bar->addStretch(1);
    bar->addWidget(m_count);
    layout->addLayout(bar);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("resultsView"));
    m_view->setModel(m_all);
    tableviews::setUp(m_view);
    QScrollBar *scroll = m_view->verticalScrollBar();
    connect(scroll, &QScrollBar::valueChanged, this,
            [this, scroll](int value) { m_atEnd = value >= scroll->maximum() - 2; });
    connect(m_all, &QAbstractItemModel::rowsInserted, this, &ResultsPanel::followTail);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &ResultsPanel::followTail);
    QHeaderView *h = m_view->horizontalHeader();
    const QFontMetrics fm(font());
    h->resizeSection(ResultModel::ColTime, fm.horizontalAdvance(QStringLiteral("00:00:00.0000")) + 12);
    h->resizeSection(ResultModel::ColPhase, fm.horizontalAdvance(QStringLiteral("teardown")) + 16);
    h->resizeSection(ResultModel::ColIteration, fm.horizontalAdvance(QStringLiteral("Iter.99")) + 8);
    h->resizeSection(ResultModel::ColStep, fm.horizontalAdvance(QStringLiteral("read temperature xx")));
    h->resizeSection(ResultModel::ColDevice, fm.horizontalAdvance(QStringLiteral("sensor xxx")));
    h->resizeSection(ResultModel::ColVerdict, fm.horizontalAdvance(QStringLiteral("PASS (marginal)")) + 16);
    h->resizeSection(ResultModel::ColLatency, fm.horizontalAdvance(QStringLiteral("123.4 ms")) + 16);
    h->resizeSection(ResultModel::ColValues, fm.horizontalAdvance(QStringLiteral("t=22.41 degC, xxxx")));
    layout->addWidget(m_view, 1);

    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &ResultsPanel::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &ResultsPanel::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ResultsPanel::updateCount);
    connect(m_all, &QAbstractItemModel::modelReset, this, &ResultsPanel::updateCount);
    connect(m_all, &QAbstractItemModel::rowsInserted, this, &ResultsPanel::updateCount);
    updateCount();
}

void ResultsPanel::setFailuresOnly(bool on) {
    m_failuresOnly->setChecked(on);
}

bool ResultsPanel::failuresOnly() const {
    return m_failuresOnly->isChecked();
}

void ResultsPanel::followTail() {
    if (m_atEnd)
        m_view->scrollToBottom();
}

void ResultsPanel::updateCount() {
    const QLocale l;
    if (m_failuresOnly->isChecked())
        m_count->setText(tr("%1 of the last %2 results")
                             .arg(l.toString(m_proxy->rowCount()), l.toString(m_model->rowCount())));
    else if (m_all->olderRows() > 0)
        m_count->setText(tr("%1 results (the oldest %2 from the database)")
                             .arg(l.toString(m_all->rowCount()), l.toString(m_all->olderRows())));
    else
        m_count->setText(tr("%1 results").arg(l.toString(m_all->rowCount())));
}

} // namespace hil::gui
