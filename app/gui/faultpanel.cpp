#include "faultpanel.h"

#include "appstyle.h"
#include "core/base/reportformat.h"
#include "core/config/faultspecparser.h"
#include "manualfault.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QCompleter>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QStringListModel>
#include <QTabWidget>
#include <QVBoxLayout>

namespace hil::gui {

FaultPanel::FaultPanel(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("faultPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 8);
    layout->setSpacing(6);

    auto *targetRow = new QFormLayout;
    m_target = new QComboBox(this);
    m_target->setObjectName(QStringLiteral("faultTarget"));
    targetRow->addRow(tr("&On"), m_target);
    layout->addLayout(targetRow);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("faultKind"));
    m_tabs->setDocumentMode(true);

    auto *linkPage = new QWidget(m_tabs);
    auto *linkLayout = new QVBoxLayout(linkPage);
    linkLayout->setContentsMargins(0, 6, 0, 0);
    m_linkText = new QLineEdit(linkPage);
    m_linkText->setObjectName(QStringLiteral("linkFaultText"));
    m_linkText->setPlaceholderText(QStringLiteral("latency:delay=50ms,jitter=5ms,for=10s"));
    m_linkText->setClearButtonEnabled(true);
    // The presets and the kinds named below follow the target's link: datagram kinds for a udp device
    // or proxy, stream kinds for every other (updateLinkKinds()).
    m_linkPresets = new QStringListModel(this);
    auto *examples = new QCompleter(m_linkPresets, m_linkText);
    examples->setFilterMode(Qt::MatchContains);
    m_linkText->setCompleter(examples);
    m_linkHelp = new QLabel(linkPage);
    m_linkHelp->setObjectName(QStringLiteral("linkFaultHelp"));
    m_linkHelp->setWordWrap(true);
    QPalette hp = m_linkHelp->palette();
    hp.setColor(QPalette::WindowText, appstyle::subtle());
    m_linkHelp->setPalette(hp);
    linkLayout->addWidget(m_linkText);
    linkLayout->addWidget(m_linkHelp);
    linkLayout->addStretch(1);
    m_tabs->addTab(linkPage, tr("&Link"));

    auto *devicePage = new QWidget(m_tabs);
    auto *deviceLayout = new QFormLayout(devicePage);
    deviceLayout->setContentsMargins(0, 6, 0, 0);
    m_deviceKind = new QComboBox(devicePage);
    m_deviceKind->setObjectName(QStringLiteral("deviceFaultKind"));
    for (const DeviceFaultPreset &p : deviceFaultPresets())
        m_deviceKind->addItem(QStringLiteral("%1 — %2").arg(p.kind, p.help), p.kind);
    m_deviceParams = new QLineEdit(devicePage);
    m_deviceParams->setObjectName(QStringLiteral("deviceFaultParams"));
    m_deviceFor = new QLineEdit(devicePage);
    m_deviceFor->setObjectName(QStringLiteral("deviceFaultFor"));
    m_deviceFor->setPlaceholderText(tr("until cleared"));
    connect(m_deviceKind, &QComboBox::currentIndexChanged, this,
            [this](int i) { m_deviceParams->setText(deviceFaultPresets().value(i).params); });
    m_deviceParams->setText(deviceFaultPresets().value(0).params);
    deviceLayout->addRow(tr("Fault"), m_deviceKind);
    deviceLayout->addRow(tr("Parameters"), m_deviceParams);
    deviceLayout->addRow(tr("For"), m_deviceFor);
    m_tabs->addTab(devicePage, tr("De&vice"));

    auto *powerPage = new QWidget(m_tabs);
    auto *powerLayout = new QFormLayout(powerPage);
    powerLayout->setContentsMargins(0, 6, 0, 0);
    auto *powerRow = new QHBoxLayout;
    m_power = new QButtonGroup(powerPage);
    const auto addPower = [&](const QString &text, PowerFaultSpec::Action a) {
        auto *b = new QRadioButton(text, powerPage);
        m_power->addButton(b, static_cast<int>(a));
        powerRow->addWidget(b);
    };
    addPower(tr("Cycle"), PowerFaultSpec::Action::Cycle);
    addPower(tr("Off"), PowerFaultSpec::Action::Off);
    addPower(tr("On"), PowerFaultSpec::Action::On);
    m_power->button(static_cast<int>(PowerFaultSpec::Action::Cycle))->setChecked(true);
    powerRow->addStretch(1);
    m_powerOff = new QLineEdit(powerPage);
    m_powerOff->setPlaceholderText(QStringLiteral("1s"));
    powerLayout->addRow(tr("Power"), powerRow);
    powerLayout->addRow(tr("Off for"), m_powerOff);
    m_tabs->addTab(powerPage, tr("&Power"));
    layout->addWidget(m_tabs);

    m_feedback = new QLabel(this);
    m_feedback->setObjectName(QStringLiteral("faultFeedback"));
    m_feedback->setWordWrap(true);
    layout->addWidget(m_feedback);

    auto *buttons = new QHBoxLayout;
    m_inject = new QPushButton(tr("&Inject"), this);
    m_inject->setObjectName(QStringLiteral("injectFault"));
    m_inject->setToolTip(tr("Start this fault now (Ctrl+I)"));
    m_clear = new QPushButton(tr("&Clear"), this);
    m_clear->setToolTip(tr("End the faults on this device or proxy"));
    m_clearAll = new QPushButton(tr("Clear &all"), this);
    m_clearAll->setToolTip(tr("End every active fault (Ctrl+Shift+I)"));
    connect(m_inject, &QPushButton::clicked, this, &FaultPanel::inject);
    connect(m_clear, &QPushButton::clicked, this, [this] { emit clearRequested(target()); });
    connect(m_clearAll, &QPushButton::clicked, this, [this] { emit clearRequested(QStringLiteral("all")); });
    buttons->addWidget(m_inject);
    buttons->addStretch(1);
    buttons->addWidget(m_clear);
    buttons->addWidget(m_clearAll);
    layout->addLayout(buttons);

    auto *activeLabel = new QLabel(tr("Active faults"), this);
    QFont bold = activeLabel->font();
    bold.setBold(true);
    activeLabel->setFont(bold);
    layout->addWidget(activeLabel);
    m_active = new QListWidget(this);
    m_active->setObjectName(QStringLiteral("activeFaults"));
    layout->addWidget(m_active, 1);

    connect(m_linkText, &QLineEdit::textChanged, this, &FaultPanel::preview);
    connect(m_linkText, &QLineEdit::returnPressed, this, &FaultPanel::inject);
    connect(m_deviceParams, &QLineEdit::textChanged, this, &FaultPanel::preview);
    connect(m_tabs, &QTabWidget::currentChanged, this, &FaultPanel::preview);
    connect(m_target, &QComboBox::currentIndexChanged, this, &FaultPanel::updateLinkKinds);
    connect(m_target, &QComboBox::currentIndexChanged, this, &FaultPanel::preview);
    updateLinkKinds();
    updateEnabled();
}

void FaultPanel::setBench(const Fixture &fixture, const QStringList &devices) {
    m_fixture = fixture;
    m_devices = devices;
    const QString current = m_target->currentText();
    m_target->clear();
    m_target->addItems(devices);
    for (const ProxyConfig &p : fixture.proxies)
        m_target->addItem(p.name);
    const int i = m_target->findText(current);
    m_target->setCurrentIndex(i < 0 ? 0 : i);
    updateLinkKinds();
}

QStringList FaultPanel::linkKinds() const {
    return LinkFaultSpec::kindNamesOn(m_fixture.carriesDatagrams(target()));
}

QStringList FaultPanel::linkPresets() const {
    return m_linkPresets->stringList();
}

void FaultPanel::updateLinkKinds() {
    const QStringList kinds = linkKinds();
    QStringList presets;
    for (const QString &kind : kinds)
        if (const auto k = LinkFaultSpec::kindFromName(kind))
            presets << LinkFaultSpec::example(*k);
    m_linkPresets->setStringList(presets);
    m_linkHelp->setText(
        tr("kind[:key=value,…] — %1; dir=, for= (docs/faults.md)").arg(kinds.join(QStringLiteral(", "))));
}

void FaultPanel::setRunning(bool running) {
    m_running = running;
    if (!running) {
        m_active->clear();
        m_activeText.clear();
    }
    updateEnabled();
}

void FaultPanel::updateEnabled() {
    m_inject->setEnabled(m_running);
    m_clear->setEnabled(m_running);
    m_clearAll->setEnabled(m_running);
    if (!m_running && m_feedback->text().isEmpty())
        showFeedback(true, tr("Faults can be injected while a run is going."));
}

void FaultPanel::setTarget(const QString &target) {
    m_target->setCurrentIndex(std::max(0, m_target->findText(target)));
}

QString FaultPanel::target() const {
    return m_target->currentText();
}

void FaultPanel::setKind(Kind kind) {
    m_tabs->setCurrentIndex(static_cast<int>(kind));
}

void FaultPanel::setLinkText(const QString &text) {
    setKind(Kind::Link);
    m_linkText->setText(text);
}

void FaultPanel::setDeviceFault(const QString &kind, const QString &params, const QString &duration) {
    setKind(Kind::Device);
    m_deviceKind->setCurrentIndex(std::max(0, m_deviceKind->findData(kind)));
    m_deviceParams->setText(params);
    m_deviceFor->setText(duration);
}

void FaultPanel::setPower(PowerFaultSpec::Action action, const QString &offTime) {
    setKind(Kind::Power);
    m_power->button(static_cast<int>(action))->setChecked(true);
    m_powerOff->setText(offTime);
}

QString FaultPanel::feedback() const {
    return m_feedback->text();
}

void FaultPanel::showFeedback(bool ok, const QString &text) {
    m_feedback->setText(text);
    QPalette p = m_feedback->palette();
    p.setColor(QPalette::WindowText, ok ? appstyle::subtle() : appstyle::fail());
    m_feedback->setPalette(p);
}

std::optional<FaultEntry> FaultPanel::currentFault() {
    QString error;
    std::optional<FaultEntry> fault;
    switch (static_cast<Kind>(m_tabs->currentIndex())) {
    case Kind::Link:
        fault = manualLinkFault(m_fixture, m_devices, target(), m_linkText->text(), &error);
        break;
    case Kind::Device:
        fault = manualDeviceFault(m_fixture, m_devices, target(), m_deviceKind->currentData().toString(),
                                  m_deviceParams->text(), m_deviceFor->text(), &error);
        break;
    case Kind::Power:
        fault = manualPowerFault(m_fixture, m_devices, target(),
                                 static_cast<PowerFaultSpec::Action>(m_power->checkedId()),
                                 m_powerOff->text(), &error);
        break;
    }
    if (!fault)
        showFeedback(false, error);
    return fault;
}

void FaultPanel::preview() {
    if (static_cast<Kind>(m_tabs->currentIndex()) != Kind::Link || m_linkText->text().trimmed().isEmpty()) {
        showFeedback(true, m_running ? QString() : tr("Faults can be injected while a run is going."));
        return;
    }
    QString error;
    const std::optional<TimedLinkFault> parsed = parseLinkFault(m_linkText->text().trimmed(), &error);
    const QString wrongLink =
        parsed ? LinkFaultSpec::inapplicableOn(parsed->spec.kind, m_fixture.carriesDatagrams(target()))
               : QString();
    if (!parsed)
        showFeedback(false, error);
    else if (!wrongLink.isEmpty())
        showFeedback(false, QStringLiteral("'%1': %2").arg(target(), wrongLink));
    else
        showFeedback(true, tr("✓ %1%2").arg(parsed->spec.describe(), parsed->duration ? tr(" for %1").arg(
                                                                         formatDuration(*parsed->duration))
                                                                                      : QString()));
}

bool FaultPanel::inject() {
    if (!m_running) {
        showFeedback(false, tr("No run is going: start one first (F5)."));
        return false;
    }
    const std::optional<FaultEntry> fault = currentFault();
    if (!fault)
        return false;
    showFeedback(true, tr("Requested: %1").arg(fault->text));
    emit injectRequested(*fault);
    return true;
}

void FaultPanel::applyFaults(const QList<FaultUpdate> &updates) {
    for (const FaultUpdate &u : updates) {
        if (u.kind == FaultUpdate::Kind::Started) {
            m_activeText.insert(u.fault.id,
                                tr("%1  %2 %3%4%5 · since %6")
                                    .arg(u.fault.device, u.fault.target, u.fault.kind,
                                         u.fault.direction.isEmpty() ? QString() : u' ' + u.fault.direction,
                                         u.fault.manual ? tr(" (manual)") : QString(),
                                         formatOffset(u.fault.startNs)));
        } else if (u.kind == FaultUpdate::Kind::Ended) {
            m_activeText.remove(u.fault.id);
        }
    }
    if (updates.isEmpty())
        return;
    m_active->clear();
    for (auto it = m_activeText.cbegin(); it != m_activeText.cend(); ++it) {
        auto *item = new QListWidgetItem(it.value(), m_active);
        item->setData(Qt::UserRole, it.key());
        item->setForeground(appstyle::faultColor(QStringLiteral("device")));
    }
}

} // namespace hil::gui
