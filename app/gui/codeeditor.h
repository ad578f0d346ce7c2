#pragma once

#include <QList>
#include <QPlainTextEdit>

namespace hil::gui {

// A plain-text editor for YAML: a line-number gutter, the current line highlighted, problem lines
// underlined (setProblemLines), spaces instead of tabs.
class CodeEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit CodeEditor(QWidget *parent = nullptr);

    // 1-based line and column; the cursor goes there and the line is shown.
    void goTo(int line, int column);
    void setProblemLines(const QList<int> &lines);
    int currentLine() const;
    int gutterWidth() const;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    class Gutter;
    void paintGutter(QPaintEvent *event);
    void updateSelections();

    QWidget *m_gutter;
    QList<int> m_problemLines;
};

} // namespace hil::gui
