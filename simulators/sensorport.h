#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

class QSocketNotifier;

namespace hilsim {

// The gateway's end of one sensor's serial link: a terminal (a pseudo-terminal's slave, or a real
// serial port) opened raw at 115200 baud, non-blocking, read through a socket notifier. It speaks the
// ENV-1 line protocol as a gateway would: poll() sends "READ? ALL" and the answer "ALL <temp> <hum>"
// comes back as reading(); other lines (a banner, ERR) are ignored.
//
// Use from the thread that owns it.
class SensorPort : public QObject {
    Q_OBJECT

public:
    SensorPort(QString name, QString path, QObject *parent = nullptr);
    ~SensorPort() override;

    // Opens the terminal; on failure returns false and errorString() says why.
    bool open();
    QString errorString() const { return m_error; }

    QString name() const { return m_name; }
    QString path() const { return m_path; }
    // Sends a request; returns false if the previous one is still unanswered (it is then given up) or
    // the write failed.
    bool poll();
    bool awaiting() const { return m_awaiting; }

signals:
    // An answer to the latest poll; the numbers as the sensor printed them.
    void reading(const QByteArray &temperature, const QByteArray &humidity);

private:
    void onReadable();
    void close();

    QString m_name;
    QString m_path;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QByteArray m_partial;
    bool m_awaiting = false;
    QString m_error;
};

} // namespace hilsim
