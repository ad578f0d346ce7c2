#include "runstatuspanel.h"

#include "appstyle.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"
#include "verdictbadge.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QVBoxLayout>

namespace hil::gui {

namespace {

QLabel *caption(const QString &text, QWidget *parent) {
    auto *l = new QLabel(text, parent);
    QPalette p = l->palette();
    p.setColor(QPalette::WindowText, appstyle::subtle());
    l->setPalette(p);
    QFont f = l->font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    l->setFont(f);
    return l;
}

QString clock(qint64 ns) {
    const qint64 s = std::max<qint64>(0, ns / 1'000'000'000);
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600, 2, 10, QLatin1Char('0'))
        .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

RunStatusPanel::RunStatusPanel(QWidget *parent)
    : QFrame(parent) {
    setObjectName(QStringLiteral("runStatus"));
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, Qt::white);
    setPalette(pal);
    setFrameShape(QFrame::NoFrame);

    auto *layout = new QHBoxLayout(this);
    const int m = fontMetrics().height();
    layout->setContentsMargins(m, m * 2 / 3, m, m * 2 / 3);
    layout->setSpacing(m);

    m_badge = new VerdictBadge(this);
    m_badge->setObjectName(QStringLiteral("verdictBadge"));
    layout->addWidget(m_badge, 0, Qt::AlignVCenter);

    auto *titles = new QVBoxLayout;
    titles->setSpacing(2);
    m_title = new QLabel(tr("No scenario"), this);
    m_title->setObjectName(QStringLiteral("runTitle"));
    QFont tf = m_title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.35);
    tf.setBold(true);
    m_title->setFont(tf);
    m_subtitle = caption(QString(), this);
    m_step = new QLabel(this);
    m_step->setObjectName(QStringLiteral("lastStep"));
    m_step->setTextFormat(Qt::RichText);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("runProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setFixedHeight(std::max(4, m / 3));
    m_progress->setStyleSheet(
        QStringLiteral("QProgressBar { border: none; background: #eaeef2; border-radius: 2px; }"
                       "QProgressBar::chunk { background: #0969da; border-radius: 2px; }"));
    titles->addWidget(m_title);
    titles->addWidget(m_subtitle);
    titles->addSpacing(4);
    titles->addWidget(m_step);
    titles->addWidget(m_progress);
    layout->addLayout(titles, 1);

    m_tileBox = new QWidget(this);
    auto *tiles = new QHBoxLayout(m_tileBox);
    tiles->setContentsMargins(0, 0, 0, 0);
    tiles->setSpacing(m / 2);
    layout->addWidget(m_tileBox);
    addTile(QStringLiteral("pass"), tr("PASS"), appstyle::pass());
    addTile(QStringLiteral("fail"), tr("FAIL"), appstyle::fail());
    addTile(QStringLiteral("error"), tr("ERROR"), appstyle::error());
    addTile(QStringLiteral("marginal"), tr("MARGINAL"), appstyle::marginal());
    addTile(QStringLiteral("expected"), tr("IN FAULTS"), appstyle::subtle());
    m_tiles[QStringLiteral("expected")]->parentWidget()->setToolTip(
        tr("Failures while a fault acted on the device: expected, not counted against it"));

    auto *times = new QGridLayout;
    times->setHorizontalSpacing(m / 2);
    times->setVerticalSpacing(2);
    const auto timeRow = [&](int row, const QString &name, QLabel **value) {
        times->addWidget(caption(name, this), row, 0, Qt::AlignRight);
        *value = new QLabel(QStringLiteral("—"), this);
        QFont f = (*value)->font();
        f.setBold(true);
        (*value)->setFont(f);
        times->addWidget(*value, row, 1);
    };
    timeRow(0, tr("Elapsed"), &m_elapsed);
    timeRow(1, tr("Iterations"), &m_iterations);
    timeRow(2, tr("Remaining"), &m_eta);
    m_elapsed->setObjectName(QStringLiteral("elapsed"));
    m_iterations->setObjectName(QStringLiteral("iterations"));
    m_eta->setObjectName(QStringLiteral("eta"));
    layout->addLayout(times);
    showIdle(QString(), QString());
}

QLabel *RunStatusPanel::addTile(const QString &name, const QString &text, const QColor &color) {
    auto *tile = new QFrame(m_tileBox);
    tile->setObjectName(QStringLiteral("tile_") + name);
    tile->setStyleSheet(
        QStringLiteral(
            "QFrame#tile_%1 { background: #f6f8fa; border: 1px solid #eaeef2; border-radius: 6px; }")
            .arg(name));
    auto *l = new QVBoxLayout(tile);
    const int m = fontMetrics().height() / 2;
    l->setContentsMargins(m * 2, m, m * 2, m);
    l->setSpacing(0);
    auto *value = new QLabel(QStringLiteral("0"), tile);
    value->setObjectName(QStringLiteral("count_") + name);
    value->setAlignment(Qt::AlignCenter);
    QFont f = value->font();
    f.setPointSizeF(f.pointSizeF() * 1.6);
    f.setBold(true);
    value->setFont(f);
    QPalette p = value->palette();
    p.setColor(QPalette::WindowText, color);
    value->setPalette(p);
    auto *cap = caption(text, tile);
    cap->setAlignment(Qt::AlignCenter);
    l->addWidget(value);
    l->addWidget(cap);
    tile->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("IN FAULTS")) + m * 4);
    m_tileBox->layout()->addWidget(tile);
    m_tiles.insert(name, value);
    return value;
}

RunStatusPanel::Glance RunStatusPanel::glance() const {
    Glance g;
    g.verdict = m_badge->text();
    g.color = m_badge->color();
    g.final = m_final;
    g.title = m_title->text();
    g.subtitle = m_subtitle->text();
    g.elapsed = m_elapsed->text();
    g.iterations = m_iterations->text();
    g.remaining = m_eta->text();
    g.progress = m_progress->value() / 1000.0;
    g.pass = counter(QStringLiteral("pass"));
    g.fail = counter(QStringLiteral("fail"));
    g.error = counter(QStringLiteral("error"));
    g.expected = counter(QStringLiteral("expected"));
    return g;
}

QString RunStatusPanel::counter(const QString &name) const {
    const QLabel *l = m_tiles.value(name);
    return l ? l->text() : QString();
}

void RunStatusPanel::showIdle(const QString &scenario, const QString &fixture) {
    m_final = false;
    m_badge->setVerdict(tr("READY"), appstyle::idle(), VerdictBadge::Style::Outline);
    m_title->setText(scenario.isEmpty() ? tr("No scenario open") : printableText(scenario));
    m_subtitle->setText(fixture.isEmpty()
                            ? tr("Open a fixture (Ctrl+Shift+O) and a scenario (Ctrl+O), then Start (F5)")
                            : tr("on %1 · press F5 to start").arg(printableText(fixture)));
    m_step->clear();
    m_progress->setValue(0);
    emit changed();
}

void RunStatusPanel::beginRun(const QString &scenario, const QString &fixture, qint64 plannedIterations) {
    m_final = false;
    m_plannedIterations = plannedIterations;
    m_failing = false;
    m_paused = false;
    m_badge->setVerdict(tr("RUNNING"), appstyle::running(), VerdictBadge::Style::Outline);
    m_title->setText(printableText(scenario));
    m_subtitle->setText(tr("on %1 · connecting…").arg(printableText(fixture)));
    m_step->setText(tr("Connecting to the bench…"));
    m_progress->setValue(0);
    update(RunCounts{}, 0, 0, -1, 0);
    emit changed();
}

void RunStatusPanel::setRunId(qint64 runId, quint64 seed) {
    const QString fixture = m_subtitle->text().section(QStringLiteral(" · "), 0, 0);
    m_subtitle->setText(tr("%1 · run %2 · seed %3").arg(fixture).arg(runId).arg(seed));
    emit changed();
}

void RunStatusPanel::setPaused(bool paused) {
    m_paused = paused;
    if (paused)
        m_badge->setVerdict(tr("PAUSED"), appstyle::paused(), VerdictBadge::Style::Outline);
    else
        m_badge->setVerdict(tr("RUNNING"), m_failing ? appstyle::fail() : appstyle::running(),
                            VerdictBadge::Style::Outline);
    emit changed();
}

void RunStatusPanel::setStopping() {
    m_badge->setVerdict(tr("STOPPING"), appstyle::abort(), VerdictBadge::Style::Outline);
    emit changed();
}

void RunStatusPanel::update(const RunCounts &counts, qint64 elapsedNs, qint64 iterations, qint64 remainingNs,
                            double progress) {
    const QLocale l;
    m_tiles[QStringLiteral("pass")]->setText(l.toString(counts.pass));
    m_tiles[QStringLiteral("fail")]->setText(l.toString(counts.fail));
    m_tiles[QStringLiteral("error")]->setText(l.toString(counts.error));
    m_tiles[QStringLiteral("marginal")]->setText(l.toString(counts.marginal));
    m_tiles[QStringLiteral("expected")]->setText(l.toString(counts.expected));
    m_elapsed->setText(clock(elapsedNs));
    m_iterations->setText(m_plannedIterations > 0
                              ? tr("%1 of %2").arg(l.toString(iterations), l.toString(m_plannedIterations))
                              : l.toString(iterations));
    m_eta->setText(remainingNs >= 0 ? clock(remainingNs) : QStringLiteral("—"));
    m_progress->setValue(static_cast<int>(std::clamp(progress, 0.0, 1.0) * 1000));
    // A run that has failed a check shows it in the badge's colour while it goes on.
    const bool failing = counts.fail > 0 || counts.error > 0;
    if (failing != m_failing && !m_paused) {
        m_failing = failing;
        m_badge->setVerdict(tr("RUNNING"), failing ? appstyle::fail() : appstyle::running(),
                            VerdictBadge::Style::Outline);
    }
    emit changed();
}

void RunStatusPanel::setLastStep(const StepResult &r) {
    const QString verdict = verdictName(r.verdict);
    const QColor c = r.expected ? appstyle::subtle() : appstyle::verdictColor(verdict);
    QString text = tr("<span style='color:%1'>%2</span> &nbsp;<b>%3</b>")
                       .arg(appstyle::subtle().name(), phaseName(r.phase).toHtmlEscaped(),
                            printableText(r.step).toHtmlEscaped());
    if (!r.device.isEmpty())
        text += tr(" on %1").arg(r.device.toHtmlEscaped());
    text += QStringLiteral(" &nbsp;<b style='color:%1'>%2</b>").arg(c.name(), verdict);
    if (r.latencyNs >= 0)
        text += QStringLiteral(" <span style='color:%1'>%2</span>")
                    .arg(appstyle::subtle().name(),
                         formatLatency(static_cast<double>(r.latencyNs)).toHtmlEscaped());
    m_step->setText(text);
}

void RunStatusPanel::finish(Verdict verdict, const QString &reason, const RunCounts &counts) {
    m_final = true;
    const QString name = verdictName(verdict);
    m_badge->setVerdict(name, appstyle::verdictColor(name), VerdictBadge::Style::Solid);
    QString line = tr("%1 steps: %2 pass, %3 fail, %4 error")
                       .arg(counts.total())
                       .arg(counts.pass)
                       .arg(counts.fail)
                       .arg(counts.error);
    if (!reason.isEmpty())
        line += tr(" — ended early: %1").arg(printableText(reason).toHtmlEscaped());
    m_step->setText(line);
    if (verdict == Verdict::Pass)
        m_progress->setValue(1000);
    emit changed();
}

} // namespace hil::gui
