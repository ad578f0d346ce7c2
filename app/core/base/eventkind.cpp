#include "core/base/eventkind.h"

#include <QList>
#include <utility>

namespace hil {

namespace {

using K = EventKind;

// In the order of the enum, which eventKindName() relies on.
constexpr std::pair<K, const char *> kNames[] = {
    {K::Connect, "connect"},
    {K::Reconnect, "reconnect"},
    {K::Disconnect, "disconnect"},
    {K::Overflow, "overflow"},
    {K::QueueOverflow, "queue-overflow"},
    {K::UnexpectedLine, "unexpected-line"},
    {K::LateAnswer, "late-answer"},
    {K::BadFrame, "bad-frame"},
    {K::StaleData, "stale-data"},
    {K::SimStart, "sim-start"},
    {K::SimExit, "sim-exit"},
    {K::ProxyStart, "proxy-start"},
    {K::BrokerStart, "broker-start"},
    {K::PowerOff, "power-off"},
    {K::PowerOn, "power-on"},
    {K::FaultStart, "fault-start"},
    {K::FaultEnd, "fault-end"},
    {K::Recovered, "recovered"},
    {K::Skip, "skip"},
    {K::ScheduleOverrun, "schedule-overrun"},
    {K::BenchStall, "bench-stall"},
    {K::Pause, "pause"},
    {K::Resume, "resume"},
    {K::Abort, "abort"},
    {K::Error, "error"},
};

} // namespace

QString eventKindName(EventKind kind) {
    return QString::fromLatin1(kNames[static_cast<int>(kind)].second);
}

std::optional<EventKind> eventKindFromName(QStringView name) {
    for (const auto &[kind, text] : kNames)
        if (name == QLatin1StringView(text))
            return kind;
    return std::nullopt;
}

QList<EventKind> eventKinds() {
    QList<EventKind> kinds;
    for (const auto &entry : kNames)
        kinds.append(entry.first);
    return kinds;
}

} // namespace hil
