#include "core/export/reportpreflight.h"

#include "core/store/runcatalog.h"
#include "core/store/runquery.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace hil {

namespace {

PreflightProblem badInput(const QString &message) {
    return {PreflightProblem::Kind::BadInput, message};
}

// Creates, writes, fsyncs and removes a small file in dir: what a report will do at the end of the run.
std::optional<PreflightProblem> probeDirectory(const QString &option, const QString &dir) {
    const QByteArray probe = QFile::encodeName(QDir(dir).absolutePath()) + "/.hil-probe-"
                             + QByteArray::number(QRandomGenerator::global()->generate(), 36) + ".tmp";
    const auto failed = [&](const char *what, int err) {
        ::unlink(probe.constData());
        return PreflightProblem{PreflightProblem::Kind::Bench,
                                QStringLiteral("%1: cannot write in %2 (%3: %4)")
                                    .arg(option, QDir(dir).absolutePath(), QString::fromLatin1(what),
                                         QString::fromLocal8Bit(std::strerror(err)))};
    };
    const int fd = ::open(probe.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int err = errno;
        return PreflightProblem{
            PreflightProblem::Kind::Bench,
            QStringLiteral("%1: cannot write in %2 (%3)")
                .arg(option, QDir(dir).absolutePath(), QString::fromLocal8Bit(std::strerror(err)))};
    }
    static const char text[] = "hil report probe\n";
    const ssize_t n = ::write(fd, text, sizeof text - 1);
    if (n != static_cast<ssize_t>(sizeof text - 1)) {
        const int err = n < 0 ? errno : ENOSPC;
        ::close(fd);
        return failed("write", err);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        return failed("fsync", err);
    }
    if (::close(fd) != 0)
        return failed("close", errno);
    ::unlink(probe.constData());
    return std::nullopt;
}

std::optional<PreflightProblem> checkFile(const QString &option, const QString &path) {
    const QFileInfo target(path);
    if (target.isDir())
        return badInput(QStringLiteral("%1 %2: is a directory, not a file").arg(option, path));
    const QFileInfo parent(target.absolutePath());
    if (!parent.exists())
        return badInput(
            QStringLiteral("%1 %2: directory %3 does not exist").arg(option, path, parent.filePath()));
    if (!parent.isDir())
        return badInput(QStringLiteral("%1 %2: %3 is not a directory").arg(option, path, parent.filePath()));
    return probeDirectory(option, parent.filePath());
}

std::optional<PreflightProblem> checkCsvDirectory(const QString &dir) {
    const QFileInfo info(dir);
    if (info.exists() && !info.isDir())
        return badInput(QStringLiteral("--csv %1: is a file, not a directory").arg(dir));
    if (info.isDir())
        return probeDirectory(QStringLiteral("--csv"), dir);
    // Created at the end of the run (with its parents); the nearest existing ancestor must take it.
    QFileInfo ancestor(info.absolutePath());
    while (!ancestor.exists() && !ancestor.isRoot())
        ancestor = QFileInfo(ancestor.absolutePath());
    if (!ancestor.isDir())
        return badInput(QStringLiteral("--csv %1: %2 is not a directory").arg(dir, ancestor.filePath()));
    return probeDirectory(QStringLiteral("--csv"), ancestor.filePath());
}

} // namespace

std::optional<PreflightProblem> checkReportTargets(const ReportTargets &targets) {
    for (const ReportFormat f :
         {ReportFormat::Html, ReportFormat::Pdf, ReportFormat::Json, ReportFormat::JUnit}) {
        const QString path = targets.pathOf(f);
        if (path.isEmpty())
            continue;
        if (auto problem = checkFile(QStringLiteral("--") + reportFormatName(f), path))
            return problem;
    }
    if (!targets.csvDir.isEmpty())
        return checkCsvDirectory(targets.csvDir);
    return std::nullopt;
}

std::optional<PreflightProblem> checkBaseline(const QString &databasePath, const QString &baseline,
                                              const BaselineOf &run) {
    if (baseline.isEmpty())
        return std::nullopt;
    QString error;
    const auto db = RunQuery::open(databasePath, &error);
    if (!db)
        return badInput(QStringLiteral("--baseline %1: %2").arg(baseline, error));
    if (baseline.compare(u"previous", Qt::CaseInsensitive) == 0) {
        const auto runs = listRuns(databasePath, &error);
        if (!runs)
            return badInput(QStringLiteral("--baseline previous: %1").arg(error));
        for (const RunHeader &h : *runs) {
            if (!h.unfinished() && h.scenario == run.scenario && h.fixture == run.fixture)
                return std::nullopt;
        }
        return badInput(
            QStringLiteral("--baseline previous: %1 holds no finished run of scenario '%2' on fixture "
                           "'%3'")
                .arg(databasePath, run.scenario, run.fixture));
    }
    if (!db->resolveRun(baseline, &error))
        return badInput(QStringLiteral("--baseline %1: %2").arg(baseline, error));
    return std::nullopt;
}

} // namespace hil
