#pragma once

#include "resultlistener.h"

#include <QMap>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

struct sqlite3;

namespace hil {

// Records a run into SQLite through the C API. The listener calls only queue their item and return; a
// writer thread owns the connection and commits the queue in batches, at least every 200 ms (DESIGN.md,
// Data), so a crash loses at most that much. runStarted() is the one call that waits: for the run's row id.
//
// Errors (disk full, read-only file, database locked by another program for longer than the busy
// timeout) stop the recording: error() says why, and the error handler, if set, is called once, on the
// writer thread. Nothing is retried silently.
class Recorder : public ResultListener {
public:
    // Opens or creates the database and prepares its schema. Returns nullptr with *error on failure.
    static std::unique_ptr<Recorder> open(const QString &path, QString *error);
    ~Recorder() override;

    Recorder(const Recorder &) = delete;
    Recorder &operator=(const Recorder &) = delete;

    void setErrorHandler(std::function<void(const QString &)> handler);
    QString error() const;
    qint64 runId() const { return m_runId; }
    const QString &path() const { return m_path; }

    // Writes everything queued and stops the writer thread. Returns false if anything failed.
    bool close();

    void runStarted(const RunInfo &info) override;
    void runInfoChanged(const RunInfo &info) override;
    void stepFinished(const StepResult &result) override;
    void eventRecorded(const Event &event) override;
    void exchange(qint64 timeNs, const QString &device, Direction dir, const QByteArray &data) override;
    void runFinished(const RunSummary &summary) override;
    void faultStarted(const FaultRecord &fault) override;
    void faultEnded(const FaultRecord &fault) override;
    void faultRecovered(const FaultRecord &fault) override;

private:
    struct Exchange {
        qint64 timeNs;
        QString device;
        Direction dir;
        QByteArray data;
    };
    struct InfoUpdate {
        RunInfo info;
    };
    struct FaultUpdate {
        FaultRecord fault;
        bool start;
    };
    using Item = std::variant<InfoUpdate, StepResult, Event, Exchange, RunSummary, FaultUpdate>;
    class Statements;

    Recorder(QString path, sqlite3 *db);
    void enqueue(Item item);
    void writerLoop();
    bool write(Statements &s, const Item &item);
    void fail(const QString &message);

    QString m_path;
    sqlite3 *m_db = nullptr;
    qint64 m_runId = 0;
    QMap<int, qint64> m_faultRows; // the run's fault ids -> faults.id; writer thread only

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<Item> m_queue;
    bool m_stop = false;
    QString m_error;
    std::function<void(const QString &)> m_errorHandler;
    std::thread m_thread;
};

} // namespace hil
