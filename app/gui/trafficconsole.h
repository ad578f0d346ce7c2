#pragma once

#include "livebatch.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;

namespace hil::gui {

// The lines to and from one device, as they pass (the runner reports them when the run records its
// exchanges). Bytes that are not printable are shown escaped, as in the reports; the newest
// kMaxLines are kept.
class TrafficConsole : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxLines = 5000;

    explicit TrafficConsole(QWidget *parent = nullptr);

    void setDevices(const QStringList &devices);
    void setDevice(const QString &device);
    QString device() const;
    // Whether the current run records its exchanges (else the console explains why it stays empty).
    void setRecording(bool on);
    void append(const QList<ExchangeLine> &lines, qint64 dropped);
    void clear();
    QPlainTextEdit *text() const { return m_text; }
    int lineCount() const;

private:
    QComboBox *m_device;
    QCheckBox *m_follow;
    QLabel *m_note;
    QPlainTextEdit *m_text;
};

} // namespace hil::gui
