#pragma once

#include "core/base/sourceerror.h"
#include "core/config/fixture.h"
#include "core/config/scenario.h"

#include <QWidget>
#include <optional>

class QLabel;
class QListWidget;
class QListWidgetItem;

namespace hil::gui {

class CodeEditor;
class YamlHighlighter;

// The scenario: its YAML with highlighting, editable and saved on request, validated against the
// fixture exactly as `hil validate` does, with every problem listed by line (activating one puts the
// cursor there). Validation reads the text in the editor, saved or not.
class ScenarioEditor : public QWidget {
    Q_OBJECT
public:
    explicit ScenarioEditor(QWidget *parent = nullptr);

    bool openFile(const QString &path, QString *error);
    bool save(QString *error);
    const QString &path() const { return m_path; }
    bool isModified() const;

    // The scenario if it is valid against the fixture (nullptr: none loaded, which is a problem too).
    std::optional<Scenario> validate(const Fixture *fixture);
    const SourceErrors &errors() const { return m_errors; }

    CodeEditor *editor() const { return m_editor; }
    QListWidget *problemList() const { return m_problems; }
    YamlHighlighter *highlighter() const { return m_highlighter; }

signals:
    void modificationChanged(bool modified);
    void validated(bool ok);

private:
    void showProblems(const SourceErrors &errors, const QString &note);
    void jumpTo(QListWidgetItem *item);

    QString m_path;
    QLabel *m_file;
    QLabel *m_status;
    CodeEditor *m_editor;
    YamlHighlighter *m_highlighter;
    QListWidget *m_problems;
    SourceErrors m_errors;
};

} // namespace hil::gui
