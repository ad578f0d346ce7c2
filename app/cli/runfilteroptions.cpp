#include "runfilteroptions.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QTimeZone>

namespace {

std::optional<qint64> parseUtc(const QString &text) {
    QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid()) {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        if (!d.isValid())
            return std::nullopt;
        t = d.startOfDay(QTimeZone::utc());
    }
    if (t.timeSpec() == Qt::LocalTime)
        t.setTimeZone(QTimeZone::utc());
    return t.toMSecsSinceEpoch() * 1'000'000;
}

} // namespace

void addRunFilterOptions(QCommandLineParser &parser, bool withLast) {
    parser.addOption({QStringLiteral("station"), QStringLiteral("Only runs of this bench (station)."),
                      QStringLiteral("NAME")});
    parser.addOption(
        {QStringLiteral("scenario"), QStringLiteral("Only runs of this scenario."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("firmware"), QStringLiteral("Only runs of this firmware."),
                      QStringLiteral("VERSION")});
    parser.addOption({QStringLiteral("since"),
                      QStringLiteral("Only runs started at or after this UTC time (2026-12-01[T22:00])."),
                      QStringLiteral("TIME")});
    parser.addOption({QStringLiteral("until"), QStringLiteral("Only runs started before this UTC time."),
                      QStringLiteral("TIME")});
    if (withLast)
        parser.addOption(
            {QStringLiteral("last"), QStringLiteral("Only the last N matching runs."), QStringLiteral("N")});
}

bool readRunFilterOptions(const QCommandLineParser &parser, hil::RunFilter *filter, QString *error) {
    filter->station = parser.value(QStringLiteral("station"));
    filter->scenario = parser.value(QStringLiteral("scenario"));
    filter->firmware = parser.value(QStringLiteral("firmware"));
    for (const char *name : {"since", "until"}) {
        const QString opt = QString::fromLatin1(name);
        if (!parser.isSet(opt))
            continue;
        const auto t = parseUtc(parser.value(opt));
        if (!t) {
            *error = QStringLiteral("--%1 '%2' is not a date or time (2026-12-01 or 2026-12-01T22:00:00)")
                         .arg(opt, parser.value(opt));
            return false;
        }
        (opt == u"since" ? filter->sinceNs : filter->untilNs) = *t;
    }
    if (parser.optionNames().contains(QStringLiteral("last"))) {
        bool ok = false;
        const int n = parser.value(QStringLiteral("last")).toInt(&ok);
        if (!ok || n <= 0) {
            *error = QStringLiteral("--last '%1' is not a positive count")
                         .arg(parser.value(QStringLiteral("last")));
            return false;
        }
        filter->last = n;
    }
    return true;
}
