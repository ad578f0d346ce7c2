#include "core/store/pgconnection.h"

#include <QRegularExpression>
#include <QUrl>
#include <libpq-fe.h>
#include <poll.h>

namespace hil {

namespace {

QString serverText(const char *message) {
    return QString::fromUtf8(message)
        .trimmed()
        .replace(QLatin1Char('\t'), QString())
        .replace(QLatin1Char('\n'), QStringLiteral("; "));
}

} // namespace

bool PgConnection::looksLikeUrl(const QString &text) {
    return text.startsWith(u"postgresql://") || text.startsWith(u"postgres://");
}

QString PgConnection::redacted(const QString &url) {
    // postgresql://user:secret@host/db -> postgresql://user:***@host/db; a password= parameter too.
    static const QRegularExpression userinfo(QStringLiteral("^(postgres(?:ql)?://[^:/@]*):[^@/]*@"));
    static const QRegularExpression param(QStringLiteral("([?&]password=)[^&]*"));
    QString out = url;
    out.replace(userinfo, QStringLiteral("\\1:***@"));
    out.replace(param, QStringLiteral("\\1***"));
    return out;
}

bool PgConnection::checkUrl(const QString &url, QString *error) {
    const QString display = redacted(url);
    if (!looksLikeUrl(url)) {
        *error =
            QStringLiteral("'%1' is not a PostgreSQL URL (postgresql://USER@HOST[:PORT]/DB)").arg(display);
        return false;
    }
    char *parseError = nullptr;
    PQconninfoOption *options = PQconninfoParse(url.toUtf8().constData(), &parseError);
    if (!options) {
        *error = QStringLiteral("%1 is not a valid PostgreSQL URL: %2")
                     .arg(display, parseError ? serverText(parseError) : QStringLiteral("out of memory"));
        PQfreemem(parseError);
        return false;
    }
    PQconninfoFree(options);
    return true;
}

std::unique_ptr<PgConnection> PgConnection::connect(const QString &url, std::chrono::milliseconds ioTimeout,
                                                    QString *error, Failure *failure) {
    const QString display = redacted(url);
    const auto failWith = [&](Failure f, const QString &why) -> std::unique_ptr<PgConnection> {
        if (error)
            *error = why;
        if (failure)
            *failure = f;
        return nullptr;
    };
    if (QString why; !checkUrl(url, &why))
        return failWith(Failure::BadUrl, why);
    const QByteArray utf8 = url.toUtf8();
    // Defaults first: the URL's own parameters, expanded from dbname, override them.
    const char *keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char *values[] = {"10", "hil", utf8.constData(), nullptr};
    pg_conn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn)
        return failWith(Failure::Unreachable, QStringLiteral("%1: out of memory").arg(display));
    if (PQstatus(conn) != CONNECTION_OK) {
        const QString why = serverText(PQerrorMessage(conn));
        PQfinish(conn);
        // libpq checks the values of the URL's parameters (a port that is not a number, an unknown sslmode)
        // only when it connects: those are bad input, not an unreachable server.
        const bool badValue = why.startsWith(u"invalid ");
        return failWith(badValue ? Failure::BadUrl : Failure::Unreachable,
                        QStringLiteral("%1 %2: %3")
                            .arg(badValue ? QStringLiteral("bad URL") : QStringLiteral("cannot connect to"),
                                 display, why));
    }
    if (PQsetnonblocking(conn, 1) != 0) {
        PQfinish(conn);
        return failWith(Failure::Unreachable,
                        QStringLiteral("%1: cannot use a non-blocking connection").arg(display));
    }
    return std::unique_ptr<PgConnection>(new PgConnection(conn, display, ioTimeout));
}

PgConnection::PgConnection(pg_conn *conn, QString display, std::chrono::milliseconds timeout)
    : m_conn(conn)
    , m_display(std::move(display))
    , m_timeout(timeout) {}

PgConnection::~PgConnection() {
    PQfinish(m_conn);
}

int PgConnection::serverVersion() const {
    return PQserverVersion(m_conn);
}

bool PgConnection::fail(const QString &why) {
    m_error = why;
    return false;
}

bool PgConnection::failFromServer(pg_result *res, const char *doing) {
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    m_sqlState = state ? QByteArray(state) : QByteArray();
    const QString why =
        serverText(res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(m_conn));
    PQclear(res);
    return fail(QStringLiteral("%1: %2: %3").arg(m_display, QString::fromUtf8(doing), why));
}

// Waits until the socket is readable (and, forWrite, writable), at most the I/O timeout, then lets libpq
// read what came. False with error() when the server said nothing for that long or the connection broke.
bool PgConnection::waitSocket(bool forWrite, const char *doing) {
    pollfd p{};
    p.fd = PQsocket(m_conn);
    if (p.fd < 0)
        return fail(
            QStringLiteral("%1: %2: the connection is gone").arg(m_display, QString::fromUtf8(doing)));
    p.events = static_cast<short>(POLLIN | (forWrite ? POLLOUT : 0));
    int rc = 0;
    do {
        rc = ::poll(&p, 1, static_cast<int>(m_timeout.count()));
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return fail(QStringLiteral("%1: %2: no answer from the server for %3 s (the network or the server is "
                                   "gone); nothing of this run was committed")
                        .arg(m_display, QString::fromUtf8(doing))
                        .arg(static_cast<double>(m_timeout.count()) / 1000.0));
    if (rc < 0)
        return fail(
            QStringLiteral("%1: %2: %3").arg(m_display, QString::fromUtf8(doing), qt_error_string(errno)));
    if ((p.revents & (POLLIN | POLLERR | POLLHUP)) && PQconsumeInput(m_conn) == 0)
        return fail(QStringLiteral("%1: %2: %3")
                        .arg(m_display, QString::fromUtf8(doing), serverText(PQerrorMessage(m_conn))));
    return true;
}

// Flushes what is queued, then waits for the next result; nullptr at the end of the results or on failure
// (error() set, m_error cleared first so the caller can tell).
pg_result *PgConnection::nextResult(const char *doing) {
    for (;;) {
        const int f = PQflush(m_conn);
        if (f < 0) {
            fail(QStringLiteral("%1: %2: %3")
                     .arg(m_display, QString::fromUtf8(doing), serverText(PQerrorMessage(m_conn))));
            return nullptr;
        }
        if (f == 0)
            break;
        if (!waitSocket(true, doing))
            return nullptr;
    }
    while (PQisBusy(m_conn)) {
        if (!waitSocket(false, doing))
            return nullptr;
    }
    return PQgetResult(m_conn);
}

bool PgConnection::drainResults(const char *doing) {
    while (pg_result *r = nextResult(doing))
        PQclear(r);
    return m_error.isEmpty();
}

std::optional<PgRows> PgConnection::exec(const char *sql, const QList<std::optional<QByteArray>> &params) {
    m_error.clear();
    m_sqlState.clear();
    QList<const char *> values;
    for (const auto &p : params)
        values.append(p ? p->constData() : nullptr);
    if (!PQsendQueryParams(m_conn, sql, static_cast<int>(values.size()), nullptr, values.constData(), nullptr,
                           nullptr, 0)) {
        fail(QStringLiteral("%1: %2").arg(m_display, serverText(PQerrorMessage(m_conn))));
        return std::nullopt;
    }
    std::optional<PgRows> out;
    bool failed = false;
    while (pg_result *r = nextResult("running a statement")) {
        const ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            PgRows rows;
            const int n = PQntuples(r), cols = PQnfields(r);
            for (int i = 0; i < n; ++i) {
                QList<std::optional<QByteArray>> row;
                for (int c = 0; c < cols; ++c)
                    row.append(PQgetisnull(r, i, c) ? std::nullopt
                                                    : std::optional<QByteArray>(QByteArray(
                                                        PQgetvalue(r, i, c), PQgetlength(r, i, c))));
                rows.rows.append(row);
            }
            rows.affected = QByteArray(PQcmdTuples(r)).toLongLong();
            out = std::move(rows);
            PQclear(r);
        } else {
            failFromServer(r, "statement failed");
            failed = true;
        }
    }
    if (failed || !m_error.isEmpty())
        return std::nullopt;
    return out ? out : std::optional<PgRows>(PgRows{});
}

// Sends a COPY and waits for the server to enter the copy state it should (PGRES_COPY_IN or _OUT).
bool PgConnection::copyStart(const char *sql, int copyStatus) {
    m_error.clear();
    m_sqlState.clear();
    if (!PQsendQuery(m_conn, sql))
        return fail(QStringLiteral("%1: %2").arg(m_display, serverText(PQerrorMessage(m_conn))));
    pg_result *r = nextResult("starting a COPY");
    if (!r)
        return m_error.isEmpty() ? fail(QStringLiteral("%1: COPY did not start").arg(m_display)) : false;
    if (PQresultStatus(r) != copyStatus) {
        failFromServer(r, "COPY");
        drainResults("COPY");
        return false;
    }
    PQclear(r);
    return true;
}

// After a COPY's data: the server's verdict on it, and the end of its results.
bool PgConnection::copyFinish() {
    bool ok = true;
    while (pg_result *r = nextResult("ending a COPY")) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            failFromServer(r, "COPY");
            ok = false;
        } else {
            PQclear(r);
        }
    }
    return ok && m_error.isEmpty();
}

bool PgConnection::copyInBegin(const char *sql) {
    return copyStart(sql, PGRES_COPY_IN);
}

bool PgConnection::copyInSend(const QByteArray &data) {
    for (;;) {
        const int rc = PQputCopyData(m_conn, data.constData(), static_cast<int>(data.size()));
        if (rc == 1)
            break;
        if (rc < 0)
            return fail(
                QStringLiteral("%1: sending rows: %2").arg(m_display, serverText(PQerrorMessage(m_conn))));
        if (!waitSocket(true, "sending rows"))
            return false;
        if (PQflush(m_conn) < 0)
            return fail(
                QStringLiteral("%1: sending rows: %2").arg(m_display, serverText(PQerrorMessage(m_conn))));
    }
    // Keep the send buffer short: write what the socket takes now, wait only when it is full.
    for (;;) {
        const int f = PQflush(m_conn);
        if (f == 0)
            return true;
        if (f < 0)
            return fail(
                QStringLiteral("%1: sending rows: %2").arg(m_display, serverText(PQerrorMessage(m_conn))));
        if (!waitSocket(true, "sending rows"))
            return false;
    }
}

bool PgConnection::copyInEnd() {
    for (;;) {
        const int rc = PQputCopyEnd(m_conn, nullptr);
        if (rc == 1)
            break;
        if (rc < 0)
            return fail(
                QStringLiteral("%1: ending a COPY: %2").arg(m_display, serverText(PQerrorMessage(m_conn))));
        if (!waitSocket(true, "ending a COPY"))
            return false;
    }
    return copyFinish();
}

bool PgConnection::copyOutStart(const char *sql) {
    return copyStart(sql, PGRES_COPY_OUT);
}

int PgConnection::copyOutChunk(QByteArray *data) {
    for (;;) {
        char *buf = nullptr;
        const int n = PQgetCopyData(m_conn, &buf, 1);
        if (n > 0) {
            *data = QByteArray(buf, n);
            PQfreemem(buf);
            return n;
        }
        if (n == 0) {
            if (!waitSocket(false, "reading rows"))
                return -1;
            continue;
        }
        if (n == -2) {
            fail(QStringLiteral("%1: reading rows: %2").arg(m_display, serverText(PQerrorMessage(m_conn))));
            return -1;
        }
        return copyFinish() ? 0 : -1;
    }
}

} // namespace hil
