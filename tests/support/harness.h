#pragma once

// Helpers for the tests that run the real executables (hil, hil-sim) and read the database they write.

#include "support/eventloop.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QVariant>
#include <boost/test/unit_test.hpp>
#include <optional>
#include <sqlite3.h>
#include <string>

namespace hiltest {

inline std::string str(const QString &s) {
    return s.toStdString();
}

inline std::string str(const QVariant &v) {
    return v.toString().toStdString();
}

inline QString hilPath() {
    return QStringLiteral(HIL_BIN_DIR "/hil");
}

inline QString simPath() {
    return QStringLiteral(HIL_BIN_DIR "/hil-sim");
}

// A results database opened READ-ONLY, the way a report or the GUI reads it while a run writes.
class Database {
public:
    using Row = QVariantList;

    explicit Database(const QString &path) {
        if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READONLY, nullptr)
            != SQLITE_OK) {
            sqlite3_close(m_db);
            m_db = nullptr;
            return;
        }
        sqlite3_busy_timeout(m_db, 2000);
    }
    ~Database() { sqlite3_close(m_db); }
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    bool isOpen() const { return m_db != nullptr; }

    // Every row of `sql`, the parameters bound in order; nullopt when the statement fails (such as
    // before the recorder has created the schema).
    std::optional<QList<Row>> rows(const char *sql, const QVariantList &params = {}) const {
        if (!m_db)
            return std::nullopt;
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v2(m_db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
            sqlite3_finalize(stmt);
            return std::nullopt;
        }
        for (int i = 0; i < params.size(); ++i) {
            const QVariant &p = params[i];
            if (p.typeId() == QMetaType::QString) {
                const QByteArray utf8 = p.toString().toUtf8();
                sqlite3_bind_text(stmt, i + 1, utf8.constData(), static_cast<int>(utf8.size()),
                                  SQLITE_TRANSIENT);
            } else {
                sqlite3_bind_int64(stmt, i + 1, p.toLongLong());
            }
        }
        QList<Row> out;
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            Row row;
            for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
                switch (sqlite3_column_type(stmt, c)) {
                case SQLITE_INTEGER:
                    row.append(QVariant::fromValue(static_cast<qint64>(sqlite3_column_int64(stmt, c))));
                    break;
                case SQLITE_FLOAT:
                    row.append(sqlite3_column_double(stmt, c));
                    break;
                case SQLITE_TEXT:
                    row.append(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(stmt, c)),
                                                 sqlite3_column_bytes(stmt, c)));
                    break;
                case SQLITE_BLOB:
                    row.append(QByteArray(static_cast<const char *>(sqlite3_column_blob(stmt, c)),
                                          sqlite3_column_bytes(stmt, c)));
                    break;
                default:
                    row.append(QVariant());
                    break;
                }
            }
            out.append(row);
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE)
            return std::nullopt;
        return out;
    }

    // The first column of the first row; an invalid QVariant without one.
    QVariant value(const char *sql, const QVariantList &params = {}) const {
        const auto r = rows(sql, params);
        return r && !r->isEmpty() && !r->first().isEmpty() ? r->first().first() : QVariant();
    }

    qint64 count(const char *sql, const QVariantList &params = {}) const {
        const QVariant v = value(sql, params);
        return v.isValid() ? v.toLongLong() : -1;
    }

    QStringList strings(const char *sql, const QVariantList &params = {}) const {
        QStringList out;
        if (const auto r = rows(sql, params)) {
            for (const Row &row : *r)
                out.append(row.value(0).toString());
        }
        return out;
    }

private:
    sqlite3 *m_db = nullptr;
};

// How many rows `sql` counts right now; -1 while the database or its schema does not exist yet.
inline qint64 countNow(const QString &dbPath, const char *sql) {
    if (!QFileInfo::exists(dbPath))
        return -1;
    const Database db(dbPath);
    return db.count(sql);
}

// A child process the test owns, with its output collected as it comes. Ended (SIGTERM, then SIGKILL)
// when the test is done with it.
class Child {
public:
    Child(const QString &program, const QStringList &args, const QString &workDir = QString(),
          const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment()) {
        QObject::connect(&m_process, &QProcess::readyReadStandardError,
                         [this] { m_stderr += m_process.readAllStandardError(); });
        m_process.setProgram(program);
        m_process.setArguments(args);
        if (!workDir.isEmpty())
            m_process.setWorkingDirectory(workDir);
        m_process.setProcessEnvironment(env);
        m_process.start();
    }
    ~Child() {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!waitFinished(3000)) {
            m_process.kill();
            waitFinished(3000);
        }
    }
    Child(const Child &) = delete;
    Child &operator=(const Child &) = delete;

    QProcess &process() { return m_process; }
    qint64 pid() const { return m_process.processId(); }
    bool running() const { return m_process.state() != QProcess::NotRunning; }
    bool waitFinished(int timeoutMs) {
        return waitUntil([this] { return !running(); }, timeoutMs);
    }

    // The first line of stdout, or an empty string if none came within the timeout.
    QString firstLine(int timeoutMs = 5000) {
        waitUntil([this] { return m_process.canReadLine() || !running(); }, timeoutMs);
        return m_process.canReadLine() ? QString::fromUtf8(m_process.readLine()).trimmed() : QString();
    }
    QString stdoutText() { return QString::fromUtf8(m_stdout += m_process.readAllStandardOutput()); }
    QString stderrText() {
        m_stderr += m_process.readAllStandardError();
        return QString::fromUtf8(m_stderr);
    }

private:
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
};

struct HilResult {
    bool finished = false;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs `hil args...` in `workDir` to its end (or `program args...`, for a wrapper that runs hil).
inline HilResult runHil(const QStringList &args, const QString &workDir,
                        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                        int timeoutMs = 60000, const QString &program = hilPath()) {
    Child hil(program, args, workDir, env);
    HilResult r;
    r.finished = hil.waitFinished(timeoutMs);
    r.exitStatus = hil.process().exitStatus();
    r.exitCode = hil.process().exitCode();
    r.out = hil.stdoutText();
    r.err = hil.stderrText();
    if (!r.finished || r.exitStatus != QProcess::NormalExit)
        BOOST_TEST_MESSAGE("hil " << str(args.join(u' ')) << "\nstdout:\n"
                                  << str(r.out) << "stderr:\n"
                                  << str(r.err));
    return r;
}

// A fresh directory per test for the database, the JUnit file and any generated fixture.
struct Workspace {
    QTemporaryDir dir;
    Workspace() { BOOST_REQUIRE(dir.isValid()); }
    QString path(const char *name) const { return dir.filePath(QString::fromUtf8(name)); }
    QString db() const { return path("results.db"); }
    void write(const char *name, const QString &text) const {
        QFile f(path(name));
        BOOST_REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        BOOST_REQUIRE(f.write(text.toUtf8()) >= 0);
    }
};

} // namespace hiltest
