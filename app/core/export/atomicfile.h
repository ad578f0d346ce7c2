#pragma once

#include <QByteArray>
#include <QString>

namespace hil {

// A file that appears whole or not at all: every report (JUnit, JSON, CSV, HTML, PDF) is written through
// it. The bytes go to a temporary file beside the target (".<name>.<random>.tmp", same directory, so the
// rename cannot cross file systems); commit() checks every write, fsyncs, checks the size on disk against
// the bytes written, renames over the target and fsyncs the directory. On any failure the temporary file
// is removed, the target is left as it was, and errorString() names the target and the cause with its
// errno text ("No space left on device").
//
// Written with write(2) and not QSaveFile, whose commit() can miss a failed final flush (QTBUG-75077) and
// so leave a short or empty file behind with success. Not thread-safe; one writer per object.
class AtomicFile {
public:
    explicit AtomicFile(QString path);
    ~AtomicFile(); // removes the temporary file unless commit() succeeded
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    // Creates the temporary file. False if it cannot be created (errorString() says why).
    bool open();
    // False once any write has failed; later writes are ignored and commit() fails with the first error.
    bool write(const char *data, qint64 size);
    bool write(const QByteArray &data) { return write(data.constData(), data.size()); }
    // Makes the file the target. False (the target untouched, the temporary removed) on any failure.
    bool commit();

    const QString &path() const { return m_path; }
    // "cannot write <path>: <cause>"; empty while nothing failed.
    const QString &errorString() const { return m_error; }

    // Writes data to path in one go (open, write, commit). False with *error (errorString()) on failure.
    static bool writeWhole(const QString &path, const QByteArray &data, QString *error);

private:
    bool fail(const QString &cause);
    bool failErrno(const char *what, int err);
    void discard();

    QString m_path;
    QByteArray m_tempName; // local 8-bit, empty when there is no temporary file
    int m_fd = -1;
    qint64 m_written = 0;
    bool m_failed = false;
    bool m_committed = false;
    QString m_error;
};

} // namespace hil
