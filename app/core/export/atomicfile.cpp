#include "core/export/atomicfile.h"

#include <QFileInfo>
#include <QRandomGenerator>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hil {

namespace {

QString errnoText(int err) {
    return QString::fromLocal8Bit(std::strerror(err));
}

} // namespace

AtomicFile::AtomicFile(QString path)
    : m_path(std::move(path)) {}

AtomicFile::~AtomicFile() {
    if (!m_committed)
        discard();
}

bool AtomicFile::fail(const QString &cause) {
    if (!m_failed)
        m_error = QStringLiteral("cannot write %1: %2").arg(m_path, cause);
    m_failed = true;
    discard();
    return false;
}

bool AtomicFile::failErrno(const char *what, int err) {
    return fail(QStringLiteral("%1: %2").arg(QString::fromLatin1(what), errnoText(err)));
}

void AtomicFile::discard() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_tempName.isEmpty()) {
        ::unlink(m_tempName.constData());
        m_tempName.clear();
    }
}

bool AtomicFile::open() {
    if (m_path.isEmpty())
        return fail(QStringLiteral("no file name"));
    const QFileInfo target(m_path);
    if (target.isDir())
        return fail(QStringLiteral("it is a directory"));
    const QByteArray dir = QFile::encodeName(target.absolutePath());
    const QByteArray name = QFile::encodeName(target.fileName());
    // The permissions of a file being replaced are kept; a new file gets 0666 less the umask, like open(2).
    struct stat old {};
    const bool replacing = ::stat(QFile::encodeName(m_path).constData(), &old) == 0;
    for (int attempt = 0; attempt < 16; ++attempt) {
        const QByteArray temp = dir + '/' + '.' + name + '.'
                                + QByteArray::number(QRandomGenerator::global()->generate(), 36) + ".tmp";
        const int fd = ::open(temp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            return failErrno("cannot create a temporary file beside it", errno);
        }
        m_fd = fd;
        m_tempName = temp;
        if (replacing && ::fchmod(fd, old.st_mode & 07777) != 0)
            return failErrno("cannot copy the permissions of the file it replaces", errno);
        return true;
    }
    return fail(QStringLiteral("cannot find a free temporary name beside it"));
}

bool AtomicFile::write(const char *data, qint64 size) {
    if (m_failed)
        return false;
    if (m_fd < 0)
        return fail(QStringLiteral("not open"));
    while (size > 0) {
        const ssize_t n = ::write(m_fd, data, static_cast<size_t>(size));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return failErrno("write", errno);
        }
        if (n == 0)
            return fail(QStringLiteral("write: no progress"));
        data += n;
        size -= n;
        m_written += n;
    }
    return true;
}

bool AtomicFile::commit() {
    if (m_failed)
        return false;
    if (m_fd < 0)
        return fail(QStringLiteral("not open"));
    if (::fsync(m_fd) != 0)
        return failErrno("fsync", errno);
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
        return failErrno("fstat", errno);
    if (st.st_size != m_written)
        return fail(QStringLiteral("%1 bytes on disk of %2 written").arg(st.st_size).arg(m_written));
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0)
        return failErrno("close", errno);
    if (::rename(m_tempName.constData(), QFile::encodeName(m_path).constData()) != 0)
        return failErrno("rename", errno);
    m_tempName.clear();
    m_committed = true;
    // The rename is durable once the directory is; a failure here leaves a complete file, so it is not one.
    const int dirFd =
        ::open(QFile::encodeName(QFileInfo(m_path).absolutePath()).constData(), O_RDONLY | O_DIRECTORY);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return true;
}

bool AtomicFile::writeWhole(const QString &path, const QByteArray &data, QString *error) {
    AtomicFile f(path);
    if (f.open() && f.write(data) && f.commit())
        return true;
    if (error)
        *error = f.errorString();
    return false;
}

} // namespace hil
