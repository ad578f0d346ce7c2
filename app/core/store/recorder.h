#pragma once

#include "core/run/resultlistener.h"

#include <QMap>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

struct sqlite3;

namespace hil {

class SampleRollup;
class StepRollup;

// Records a run into SQLite through the C API. The listener calls queue their item and return; a writer
// thread owns the connection and commits the queue in batches: a batch's commit begins at most
// kMaxQueueDelayMs after its first item was queued (DESIGN.md, Data), so a crash (even SIGKILL) loses
// only the results of the last moments. runStarted() waits for the run's row id. The queue is bounded
// (kQueueCapacity items or kQueueBytes bytes): a producer faster than the disk waits in the listener
// call until the writer catches up, and no result is ever dropped while the recorder works.
//
// The run's row names its writer (pid, host) and carries a heartbeat, the wall time of the writer's last
// commit, renewed at least every kHeartbeatIntervalNs; open() closes the runs of writers that are gone as
// ERROR "interrupted: ..." (runliveness.h).
//
// Errors (disk full, read-only file, database locked by another program for longer than the busy
// timeout, the file deleted or replaced under the run: StoreGuard, checked before every commit) stop the
// recording: error() says why in plain words and how many step results could not be
// recorded, and the error handler, if set, is called once, on the writer thread. Nothing is retried
// silently; close() still tries once to write the run's end so that the row tells what happened.
class StoreGuard;

class Recorder : public ResultListener {
public:
    static constexpr int kMaxQueueDelayMs = 50;
    // 4096 results: 3 s of a 64-device bench at 20 Hz while the disk stalls, about 4 MiB in the app's
    // process (10,000 held 14 MiB at full speed, most of the app's growth in a long run: benchmarks.md §17).
    static constexpr std::size_t kQueueCapacity = 4096;
    static constexpr qint64 kQueueBytes = 16 * 1024 * 1024;

    // Opens or creates the database, prepares its schema and closes the runs of writers that are gone.
    // Returns nullptr with *error on failure: the message names the file and the cause (read-only, locked
    // by another program, disk full, not a results database, damaged).
    // A path keepsResults() refuses is refused. An existing file must pass PRAGMA quick_check first
    // ("database X is damaged: ..."): this reads the whole file once, before anything is written.
    static std::unique_ptr<Recorder> open(const QString &path, QString *error);
    // Whether path names a file that keeps the results: false with *why for an empty path, an in-memory
    // database (":memory:", a "file:" URI with mode=memory), a path that names a directory, FIFO, socket
    // or device, or a file in a folder that does not exist. Front ends call it while checking their input
    // (bad input), before anything runs.
    static bool keepsResults(const QString &path, QString *why);
    ~Recorder() override;

    Recorder(const Recorder &) = delete;
    Recorder &operator=(const Recorder &) = delete;

    void setErrorHandler(std::function<void(const QString &)> handler);
    QString error() const;
    qint64 runId() const { return m_runId; }
    const QString &path() const { return m_path; }

    // Writes everything queued and stops the writer thread. Returns false if anything failed.
    bool close();

    // Step results that could not be recorded because the recording failed (0 while it works).
    qint64 lostStepResults() const;
    // The queue's largest size so far (items), and how many times a producer had to wait for room.
    struct QueueStats {
        std::size_t highWater = 0;
        qint64 producerWaits = 0;
    };
    QueueStats queueStats() const;

    void runStarted(const RunHeader &info) override;
    void runInfoChanged(const RunHeader &info) override;
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
        RunHeader info;
    };
    struct FaultUpdate {
        FaultRecord fault;
        bool start;
    };
    using Item = std::variant<InfoUpdate, StepResult, Event, Exchange, RunSummary, FaultUpdate>;
    class Statements;

    Recorder(QString path, sqlite3 *db, std::unique_ptr<StoreGuard> guard);
    void enqueue(Item item, qint64 bytes);
    void writerLoop();
    bool write(Statements &s, const Item &item);
    // Stops the recording. The message is prefixed "recording to FILE stopped: " unless it names the file.
    void fail(const QString &message, bool namesFile = false);
    // The batch being written and everything queued are lost: counted, the recording stopped with why.
    void abandon(std::vector<Item> &batch, const QString &why, bool namesFile);
    bool writeFinalSummary();
    void checkpointLoop();

    QString m_path;
    sqlite3 *m_db = nullptr;
    qint64 m_runId = 0;
    QMap<int, qint64> m_faultRows; // the run's fault ids -> faults.id; writer thread only
    int m_lastRc = 0;              // result code of the writer's last failed statement; writer thread only
    int m_walPages = 0;            // WAL size after the last commit (SQLite's wal hook); writer thread only
    std::unique_ptr<StoreGuard> m_guard;  // the file's identity from open(); writer thread once it runs
    qint64 m_committedSteps = 0;          // step results committed so far; writer thread only
    bool m_storeGone = false;             // the guard found the file deleted or replaced; writer thread only
    std::unique_ptr<StepRollup> m_rollup; // the run's rollups, written with each commit; writer thread only
    std::unique_ptr<SampleRollup> m_sampleRollup; // its measurements' rollups, beside m_rollup
    bool m_rollupDropped = false;                 // rows changed after the fact: the run keeps no rollup

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;    // work for the writer
    std::condition_variable m_space; // room in the queue, for producers
    std::vector<Item> m_queue;
    qint64 m_queueBytes = 0;
    std::chrono::steady_clock::time_point m_oldestQueued;
    QueueStats m_stats;
    qint64 m_lostSteps = 0;
    std::optional<RunSummary> m_unwrittenSummary; // the run's end, when the recording failed before it
    bool m_stop = false;
    QString m_error;
    std::function<void(const QString &)> m_errorHandler;
    std::thread m_thread;

    // WAL checkpoints run on their own thread and connection, so that their fsyncs never delay a commit.
    std::condition_variable m_checkpointCv;
    bool m_checkpointWanted = false;
    std::thread m_checkpointer;
};

} // namespace hil
