#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <chrono>
#include <memory>
#include <optional>

struct pg_conn;
struct pg_result;

namespace hil {

// One result of a statement: rows of text values (NULL as nullopt), or the server's error.
struct PgRows {
    QList<QList<std::optional<QByteArray>>> rows;
    qint64 affected = 0;
};

// A connection to a central store (PostgreSQL, through libpq), with every wait bounded: a server that
// stops answering, or a network that goes silent, ends the call after the I/O timeout with an error
// naming what was being done, instead of hanging a nightly job. Statements go through the extended
// protocol with bound parameters only. Use from one thread.
class PgConnection {
public:
    enum class Failure {
        BadUrl,      // the URL is not a PostgreSQL connection URL (exit 2)
        Unreachable, // no server, refused authentication, a lost connection, a timeout (exit 3)
    };

    // A libpq connection URL (postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?param=...]). connect_timeout
    // defaults to 10 s and application_name to "hil" unless the URL sets them.
    static std::unique_ptr<PgConnection> connect(const QString &url, std::chrono::milliseconds ioTimeout,
                                                 QString *error, Failure *failure = nullptr);
    // The URL with any password replaced by "***", for messages and logs.
    static QString redacted(const QString &url);
    static bool looksLikeUrl(const QString &text);
    // Checks a URL's form without connecting (for options checked before a run); false with *error.
    static bool checkUrl(const QString &url, QString *error);
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    // A statement with $1.. parameters (text values; nullopt is NULL). nullopt with error() on failure.
    std::optional<PgRows> exec(const char *sql, const QList<std::optional<QByteArray>> &params = {});
    bool execOk(const char *sql, const QList<std::optional<QByteArray>> &params = {}) {
        return exec(sql, params).has_value();
    }

    // COPY ... FROM STDIN: begin, send data in chunks, end (the server's verdict on the whole copy).
    bool copyInBegin(const char *sql);
    bool copyInSend(const QByteArray &data);
    bool copyInEnd();
    // COPY ... TO STDOUT: calls sink with each chunk the server sends (whole rows); false on failure.
    template<typename Sink>
    bool copyOut(const char *sql, Sink &&sink);

    const QString &error() const { return m_error; }
    // The SQLSTATE of the last server error ("23505" for a unique violation), empty otherwise.
    const QByteArray &sqlState() const { return m_sqlState; }
    const QString &display() const { return m_display; }
    // The server's major version, e.g. 150018 for 15.18.
    int serverVersion() const;

private:
    PgConnection(pg_conn *conn, QString display, std::chrono::milliseconds timeout);
    bool waitSocket(bool forWrite, const char *doing);
    pg_result *nextResult(const char *doing);
    bool drainResults(const char *doing);
    bool fail(const QString &why);
    bool failFromServer(pg_result *res, const char *doing);
    bool copyStart(const char *sql, int copyStatus);
    bool copyFinish();
    bool copyOutStart(const char *sql);
    // One chunk of a COPY TO: >0 bytes in *data, 0 at the end, -1 on failure.
    int copyOutChunk(QByteArray *data);

    pg_conn *m_conn = nullptr;
    QString m_display;
    std::chrono::milliseconds m_timeout;
    QString m_error;
    QByteArray m_sqlState;
};

template<typename Sink>
bool PgConnection::copyOut(const char *sql, Sink &&sink) {
    if (!copyOutStart(sql))
        return false;
    QByteArray chunk;
    for (;;) {
        const int n = copyOutChunk(&chunk);
        if (n < 0)
            return false;
        if (n == 0)
            return true;
        sink(chunk);
    }
}

} // namespace hil
