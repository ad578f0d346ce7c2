#include "core/store/readonlydatabase.h"

#include "core/store/schema.h"
#include "core/store/sqliteerror.h"
#include "core/store/sqlitestatement.h"

#include <QFile>
#include <QFileInfo>
#include <QUrl>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace hil {

namespace {

bool accessible(const QString &path, int mode) {
    return ::access(QFile::encodeName(path).constData(), mode) == 0;
}

QString systemError(int err) {
    return QString::fromLocal8Bit(std::strerror(err));
}

// What stops this user from reading path as a file; empty if nothing does.
QString unreadable(const QString &path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return QStringLiteral("%1: no such database (there is no file by that name)").arg(path);
        if (err == EACCES)
            return QStringLiteral("cannot read %1: this user may not enter a folder on its path").arg(path);
        return QStringLiteral("cannot read %1: %2").arg(path, systemError(err));
    }
    if (S_ISDIR(st.st_mode))
        return QStringLiteral("%1 is a directory, not a results database").arg(path);
    if (!S_ISREG(st.st_mode))
        return QStringLiteral("%1 is not a regular file, so not a results database").arg(path);
    if (!accessible(path, R_OK))
        return QStringLiteral("cannot read %1: %2 (the file's permissions do not let this user read it)")
            .arg(path, systemError(errno));
    return {};
}

// Opens through a URI with the given query and reads the schema version and whether a runs table
// exists: what a connection needs before any result is read. SQLite opens lazily, so a database it
// cannot read fails here, not at sqlite3_open_v2. Returns the SQLite code of the failure.
struct Probe {
    QString uri;
    sqlite3 *db = nullptr;
    int rc = SQLITE_OK;
    QString why;
    int version = 0;
    bool hasRuns = false;
};

Probe probe(const QString &path, const QString &query) {
    Probe p;
    p.uri = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath()).toString(QUrl::FullyEncoded)
            + QStringLiteral("?") + query;
    // NOMUTEX: a reader is used by one thread at a time (each loader opens its own), so SQLite's
    // per-call mutex is pure cost: 7 % of a report's scan of a long run.
    p.rc = sqlite3_open_v2(p.uri.toUtf8().constData(), &p.db,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
    if (p.rc == SQLITE_OK) {
        sqlite3_busy_timeout(p.db, kBusyTimeoutMs);
        SqliteStatement v(p.db, "PRAGMA user_version");
        if (v.ok() && v.next()) {
            p.version = static_cast<int>(v.int64(0));
            SqliteStatement t(p.db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'");
            p.hasRuns = t.ok() && t.next();
            if (!t.ok())
                p.rc = sqlite3_extended_errcode(p.db);
        } else {
            p.rc = sqlite3_extended_errcode(p.db);
        }
    }
    if (p.rc != SQLITE_OK) {
        p.why = describeSqliteError(p.db, p.rc);
        sqlite3_close(p.db);
        p.db = nullptr;
    }
    return p;
}

// Opens path as openResultsDatabase() describes; the probe's connection is open on success.
Probe openProbe(const QString &path, QString *error) {
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return Probe{};
    };
    if (const QString why = unreadable(path); !why.isEmpty())
        return fail(why);
    Probe p = probe(path, QStringLiteral("mode=ro"));
    const QString folder = QFileInfo(path).absolutePath();
    if (!p.db && (p.rc & 0xff) != SQLITE_NOTADB && !accessible(folder, W_OK)) {
        const QString wal = path + QStringLiteral("-wal");
        const QString journal = path + QStringLiteral("-journal");
        if (QFileInfo(wal).size() > 0)
            return fail(QStringLiteral("cannot read %1: its folder %2 is read-only for this user, and its "
                                       "write-ahead log %3 holds commits that SQLite reads only through a "
                                       "-shm file it cannot create there; copy %1 and %3 to a folder you "
                                       "may write, or ask the folder's owner to open it once")
                            .arg(path, folder, wal));
        if (!QFileInfo::exists(journal))
            p = probe(path, QStringLiteral("mode=ro&immutable=1"));
    }
    if (!p.db) {
        if ((p.rc & 0xff) == SQLITE_NOTADB)
            return fail(QStringLiteral("%1 is not a results database: %2").arg(path, p.why));
        return fail(QStringLiteral("cannot read %1: %2").arg(path, p.why));
    }
    if (!p.hasRuns && p.version == 0) {
        sqlite3_close(p.db);
        return fail(QStringLiteral("%1 is not a results database (it has no runs table)").arg(path));
    }
    return p;
}

} // namespace

sqlite3 *openResultsDatabase(const QString &path, int *version, QString *error) {
    const Probe p = openProbe(path, error);
    if (p.db && version)
        *version = p.version;
    return p.db;
}

QString readOnlyUri(const QString &path, QString *error) {
    const Probe p = openProbe(path, error);
    sqlite3_close(p.db);
    return p.db ? p.uri : QString();
}

} // namespace hil
