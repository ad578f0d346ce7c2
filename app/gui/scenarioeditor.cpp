#include "scenarioeditor.h"

#include "appstyle.h"
#include "codeeditor.h"
#include "core/config/scenarioloader.h"
#include "yamlhighlighter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSaveFile>
#include <QSplitter>
#include <QVBoxLayout>
#include <tuple>

namespace hil::gui {

ScenarioEditor::ScenarioEditor(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("scenarioEditor"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *header = new QWidget(this);
    auto *headerLayout = new QHBoxLayout(header);
    headerLayout->setContentsMargins(10, 6, 10, 6);
    m_file = new QLabel(tr("No scenario open (Ctrl+O)"), header);
    m_file->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(header);
    m_status->setObjectName(QStringLiteral("validationStatus"));
    headerLayout->addWidget(m_file, 1);
    headerLayout->addWidget(m_status);
    layout->addWidget(header);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_editor = new CodeEditor(split);
    m_editor->setObjectName(QStringLiteral("scenarioText"));
    m_highlighter = new YamlHighlighter(m_editor->document());
    connect(m_editor->document(), &QTextDocument::modificationChanged, this,
            &ScenarioEditor::modificationChanged);
    m_problems = new QListWidget(split);
    m_problems->setObjectName(QStringLiteral("scenarioProblems"));
    m_problems->setAlternatingRowColors(true);
    connect(m_problems, &QListWidget::itemActivated, this, &ScenarioEditor::jumpTo);
    connect(m_problems, &QListWidget::itemClicked, this, &ScenarioEditor::jumpTo);
    split->addWidget(m_editor);
    split->addWidget(m_problems);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    m_problems->hide(); // shown when there are problems
    layout->addWidget(split, 1);
}

bool ScenarioEditor::openFile(const QString &path, QString *error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = tr("%1: %2").arg(QDir::toNativeSeparators(path), f.errorString());
        return false;
    }
    m_path = QFileInfo(path).absoluteFilePath();
    m_editor->setPlainText(QString::fromUtf8(f.readAll()));
    m_editor->document()->setModified(false);
    m_file->setText(QDir::toNativeSeparators(m_path));
    m_editor->setProblemLines({});
    m_problems->clear();
    m_problems->hide();
    m_errors.clear();
    m_status->clear();
    return true;
}

bool ScenarioEditor::isModified() const {
    return m_editor->document()->isModified();
}

bool ScenarioEditor::save(QString *error) {
    if (m_path.isEmpty()) {
        *error = tr("no scenario is open");
        return false;
    }
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly) || f.write(m_editor->toPlainText().toUtf8()) < 0 || !f.commit()) {
        *error = tr("%1: %2").arg(QDir::toNativeSeparators(m_path), f.errorString());
        return false;
    }
    m_editor->document()->setModified(false);
    return true;
}

std::optional<Scenario> ScenarioEditor::validate(const Fixture *fixture) {
    if (m_path.isEmpty()) {
        showProblems({}, tr("Open a scenario first."));
        return std::nullopt;
    }
    if (!fixture) {
        showProblems({}, tr("Open a fixture first: a scenario is validated against the bench it runs on."));
        return std::nullopt;
    }
    // The text as it is in the editor, read as if it were the file: `include:` paths are relative to it.
    SourceErrors errors;
    std::optional<Scenario> scenario =
        isModified() ? loadScenarioText(m_editor->toPlainText().toUtf8(), m_path, *fixture, &errors)
                     : loadScenario(m_path, *fixture, &errors);
    showProblems(errors, QString());
    if (scenario) {
        int measurements = 0;
        for (Phase p : {Phase::Setup, Phase::Steps, Phase::Teardown})
            for (const Step &s : scenario->phase(p))
                measurements += static_cast<int>(s.measure.size());
        m_status->setText(
            tr("✓ valid: %1 steps, %2 measurements, %3 faults on %4")
                .arg(scenario->setup.size() + scenario->steps.size() + scenario->teardown.size())
                .arg(measurements)
                .arg(scenario->faults.size())
                .arg(fixture->name));
        QPalette p = m_status->palette();
        p.setColor(QPalette::WindowText, appstyle::pass());
        m_status->setPalette(p);
    }
    emit validated(scenario.has_value());
    return scenario;
}

void ScenarioEditor::showProblems(const SourceErrors &errors, const QString &note) {
    m_errors = errors;
    std::sort(m_errors.begin(), m_errors.end(), [](const SourceError &a, const SourceError &b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    m_problems->clear();
    QList<int> lines;
    for (const SourceError &e : std::as_const(m_errors)) {
        // A problem in an included file names that file (its lines are not the editor's).
        const bool elsewhere = !e.file.isEmpty() && QFileInfo(e.file).absoluteFilePath() != m_path;
        const QString where = elsewhere ? QFileInfo(e.file).fileName() + QStringLiteral(": ") : QString();
        auto *item = new QListWidgetItem(
            where + tr("Line %1, column %2: %3").arg(e.line).arg(e.column).arg(e.message), m_problems);
        if (!elsewhere) {
            item->setData(Qt::UserRole, e.line);
            item->setData(Qt::UserRole + 1, e.column);
            lines << e.line;
        }
        item->setForeground(appstyle::fail());
    }
    if (!note.isEmpty())
        new QListWidgetItem(note, m_problems);
    m_editor->setProblemLines(lines);
    m_problems->setVisible(m_problems->count() > 0);
    QPalette p = m_status->palette();
    p.setColor(QPalette::WindowText, appstyle::fail());
    m_status->setPalette(p);
    if (!m_errors.isEmpty())
        m_status->setText(tr("✗ %n problem(s)", nullptr, static_cast<int>(m_errors.size())));
    else if (!note.isEmpty())
        m_status->setText(tr("not validated"));
    else
        m_status->clear();
}

void ScenarioEditor::jumpTo(QListWidgetItem *item) {
    const int line = item->data(Qt::UserRole).toInt();
    if (line > 0)
        m_editor->goTo(line, item->data(Qt::UserRole + 1).toInt());
}

} // namespace hil::gui
