#include "resultspanel.h"

#include "columnfilterproxy.h"
#include "resultmodel.h"
#include "tableviews.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

namespace hil::gui {

ResultsPanel::ResultsPanel(ResultModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model) {
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
        updateCount();
    });
    m_count = new QLabel(this);
    bar->addWidget(m_failuresOnly);
    bar->addStretch(1);
    bar->addWidget(m_count);
    layout->addLayout(bar);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("resultsView"));
    m_view->setModel(m_proxy);
    tableviews::setUp(m_view);
    tableviews::followTail(m_view);
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
    updateCount();
}

void ResultsPanel::setFailuresOnly(bool on) {
    m_failuresOnly->setChecked(on);
}

bool ResultsPanel::failuresOnly() const {
    return m_failuresOnly->isChecked();
}

void ResultsPanel::updateCount() {
    const QLocale l;
    if (m_failuresOnly->isChecked())
        m_count->setText(
            tr("%1 of %2 results").arg(l.toString(m_proxy->rowCount()), l.toString(m_model->rowCount())));
    else
        m_count->setText(tr("%1 results").arg(l.toString(m_model->rowCount())));
}

} // namespace hil::gui
