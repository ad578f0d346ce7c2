#pragma once

#include <QString>
#include <optional>

namespace hil {

// The identity (device and inode) of a results database file and of its write-ahead log, taken when the
// recorder opened them. SQLite keeps writing to the files it has open: a database deleted (rm) or replaced
// (mv, a restore) under a running run would take every result with it while the run reports PASS. The
// recorder's writer asks check() before each commit, and at least every heartbeat (2 s), so such a run
// ends as ERROR instead.
//
// Not thread-safe: the writer thread owns it after the recorder has opened the file.
class StoreGuard {
public:
    // Takes the identity of `path` and, if it exists already, of `path`-wal.
    explicit StoreGuard(QString path);

    // Empty while `path` (and its write-ahead log, once it exists) are still the files taken at the start;
    // otherwise what happened, as a sentence naming the file: "database X was deleted or replaced during
    // the run (...)". Once it has failed it keeps failing.
    QString check();

private:
    struct FileId {
        quint64 device = 0;
        quint64 inode = 0;
        bool operator==(const FileId &o) const { return device == o.device && inode == o.inode; }
    };
    static std::optional<FileId> identify(const QString &path);

    QString m_path;
    QString m_walPath;
    std::optional<FileId> m_database;
    std::optional<FileId> m_wal;
    QString m_failure;
};

} // namespace hil
