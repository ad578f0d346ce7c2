#pragma once

#include <QList>
#include <QString>
#include <QStringView>
#include <optional>

namespace hil {

// What a run event is about. The core raises events with these; an Event (run/results.h) carries the
// name, which is what the database stores and reports show, so the names are a file format: renaming
// one changes what old runs and new runs are compared by.
enum class EventKind {
    Connect,         // a device's link is up
    Reconnect,       // ... again, after it was lost
    Disconnect,      // a device's link went away
    Overflow,        // a line longer than the device's limit, dropped
    QueueOverflow,   // more unsolicited lines than are kept; the oldest dropped
    UnexpectedLine,  // lines nobody asked for, dropped before the next request
    LateAnswer,      // the answer to a request that had timed out, with its true latency
    BadFrame,        // a binary frame that failed its check (CRC, escape, size), dropped
    StaleData,       // lines that arrived before the run or the step that took them, with their arrival
    SimStart,        // a simulator process is ready
    SimExit,         // a simulator process ended without being asked to
    ProxyStart,      // a fixture proxy listens
    BrokerStart,     // a fixture broker (mosquitto) listens
    PowerOff,        // a power fault cut a device
    PowerOn,         // ... and gave it power again
    FaultStart,      // a fault window opened
    FaultEnd,        // ... and closed
    Recovered,       // a device answered correctly again after a fault
    Skip,            // a step was skipped
    ScheduleOverrun, // the step schedule fell behind
    BenchStall,      // the harness itself was not running (stopped, starved) for a while
    Pause,           // the operator paused the run
    Resume,          // ... and resumed it
    Abort,           // the run was aborted
    Error,           // something went wrong that is not a step's result
};

// The one table of names (eventkind.cpp).
QString eventKindName(EventKind kind);
std::optional<EventKind> eventKindFromName(QStringView name);
// Every kind, in the enum's order.
QList<EventKind> eventKinds();

} // namespace hil
