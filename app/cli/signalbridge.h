#pragma once

#include <QObject>

class QSocketNotifier;

// Turns SIGINT, SIGTERM and SIGHUP into a Qt signal on the main thread (self-pipe), so that the run can end
// as ABORT with everything committed. A second signal of the same kind while the first is being handled ends
// the process at once with the default action. One instance per process.
class SignalBridge : public QObject {
    Q_OBJECT
public:
    explicit SignalBridge(QObject *parent = nullptr);
    ~SignalBridge() override;

signals:
    void received(int signalNumber, const QString &name);

private:
    QSocketNotifier *m_notifier = nullptr;
};
