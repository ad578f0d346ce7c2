#include "core/store/storeguard.h"

#include <QFile>
#include <sys/stat.h>

namespace hil {

StoreGuard::StoreGuard(QString path)
    : m_path(std::move(path))
    , m_walPath(m_path + QStringLiteral("-wal"))
    , m_database(identify(m_path))
    , m_wal(identify(m_walPath)) {}

std::optional<StoreGuard::FileId> StoreGuard::identify(const QString &path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return std::nullopt;
    return FileId{static_cast<quint64>(st.st_dev), static_cast<quint64>(st.st_ino)};
}

QString StoreGuard::check() {
    if (!m_failure.isEmpty() || !m_database)
        return m_failure;
    const auto failed = [this](const QString &what) {
        m_failure =
            QStringLiteral("database %1 was deleted or replaced during the run (%2)").arg(m_path, what);
        return m_failure;
    };
    const std::optional<FileId> now = identify(m_path);
    if (!now)
        return failed(QStringLiteral("it no longer exists"));
    if (!(*now == *m_database))
        return failed(QStringLiteral("another file has taken its name"));
    // SQLite creates the log with the connection's first transaction and keeps it while a connection
    // is open: without it (or with another one in its place) readers no longer see the commits.
    const std::optional<FileId> wal = identify(m_walPath);
    if (!m_wal) {
        m_wal = wal;
        return {};
    }
    if (!wal)
        return failed(QStringLiteral("its write-ahead log %1 was deleted").arg(m_walPath));
    if (!(*wal == *m_wal))
        return failed(QStringLiteral("its write-ahead log %1 was replaced").arg(m_walPath));
    return {};
}

} // namespace hil
