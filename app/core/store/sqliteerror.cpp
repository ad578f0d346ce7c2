#include "core/store/sqliteerror.h"

#include <cerrno>
#include <cstring>
#include <sqlite3.h>

namespace hil {

QString describeSqliteError(sqlite3 *db, int rc) {
    // A caller that lost the failing code (a later call succeeded, or a check that is not an SQLite call
    // failed) passes SQLITE_OK: take the connection's last error instead, and never print "not an error".
    if ((rc & 0xff) == SQLITE_OK && db)
        rc = sqlite3_extended_errcode(db);
    if ((rc & 0xff) == SQLITE_OK)
        return QStringLiteral("the database library reported a failure but gave no cause");
    // The connection's message belongs to its last call, which may not be the one that failed with rc
    // (sqlite3_db_readonly, a rollback): use it only if it is about this failure.
    const bool connectionSaysThis = db && (sqlite3_errcode(db) & 0xff) == (rc & 0xff);
    const QString sqliteSays =
        QString::fromUtf8(connectionSaysThis ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    const int sys = connectionSaysThis ? sqlite3_system_errno(db) : 0;
    const auto with = [&sqliteSays](const QString &cause) {
        return QStringLiteral("%1 (SQLite: %2)").arg(cause, sqliteSays);
    };
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return with(QStringLiteral("another program holds a lock on the database and did not release it "
                                   "within %1 s")
                        .arg(kBusyTimeoutMs / 1000));
    case SQLITE_FULL:
        return with(QStringLiteral("the disk holding the database is full"));
    case SQLITE_READONLY:
        return with(QStringLiteral("the database is read-only for this user (no permission to write the "
                                   "file, or its folder for the journal)"));
    case SQLITE_PERM:
        return with(QStringLiteral("no permission to write the database"));
    default:
        break;
    }
    if (sys == ENOSPC)
        return with(QStringLiteral("the disk holding the database is full"));
    if (sys == EFBIG)
        return with(QStringLiteral("the database reached the largest file size this process may write "
                                   "(ulimit -f)"));
    if (sys == EDQUOT)
        return with(QStringLiteral("the disk quota for the database is used up"));
    if (sys == EACCES || sys == EROFS)
        return with(QStringLiteral("the database cannot be written: %1")
                        .arg(QString::fromLocal8Bit(std::strerror(sys))));
    if (sys != 0 && ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN))
        return with(QStringLiteral("input/output error on the database: %1")
                        .arg(QString::fromLocal8Bit(std::strerror(sys))));
    return sqliteSays;
}

} // namespace hil
