#pragma once

#include "envsensorconfig.h"
#include "envsensormodel.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QByteArrayView>
#include <chrono>
#include <optional>

namespace hilsim {

// The ENV-1 command set: bytes or lines in, lines out. It owns the model and knows nothing about
// sockets, PTYs or clocks: every call carries `now`, the monotonic time since the device started, and
// callers must never pass a time earlier than one they passed before.
//
// Streaming: STREAM ON makes the next model sample DATA 1, the one after DATA 2, and so on; each DATA
// line is due at its sample's model time (an absolute deadline, see nextDeadline()). Every call that
// takes `now` first emits the DATA lines that are due, so output stays in time order.
//
// Not thread-safe; use it from one thread.
class EnvSensorProtocol {
public:
    static constexpr double kMinRateHz = 0.1;
    static constexpr double kMaxRateHz = 1000.0;
    static constexpr qsizetype kMaxLineLength = 4096; // bytes, without the terminator

    // Counters for tests and diagnostics; they only ever grow.
    struct Counters {
        quint64 bytesReceived = 0;
        quint64 linesReceived = 0;   // complete lines, including empty and discarded ones
        quint64 commandsHandled = 0; // lines answered with something other than ERR
        quint64 errors = 0;          // ERR answers, including over-long lines
        quint64 overlongLines = 0;
        quint64 linesSent = 0; // every line produced: answers, DATA, banner
        quint64 dataLinesSent = 0;
    };

    explicit EnvSensorProtocol(EnvSensorConfig config);

    // Frames raw input into lines ("\n", an optional "\r" before it is dropped) and returns everything to
    // send, each line terminated by "\n". A partial line is kept for the next call; a line longer than
    // kMaxLineLength is answered with "ERR line too long" as soon as it overflows, and the rest of it,
    // up to its newline, is discarded.
    QByteArray feed(QByteArrayView bytes, std::chrono::nanoseconds now);

    // Handles one complete line without its "\n" and returns the lines to send, without terminators:
    // due DATA lines first, then the answer. Empty lines are ignored.
    QByteArrayList handleLine(QByteArrayView line, std::chrono::nanoseconds now);

    // The DATA lines due at `now`, "\n"-terminated; empty when not streaming.
    QByteArray tick(std::chrono::nanoseconds now);

    // When the next DATA line is due; nullopt when not streaming.
    std::optional<std::chrono::nanoseconds> nextDeadline() const;

    // "ENV-1 <serial> ready\n", or empty when the banner is off.
    QByteArray banner();

    // A client went away or was replaced: forget the partial line and stop streaming. Rate and model
    // carry on, as they would in the device.
    void resetSession();

    bool isStreaming() const { return m_streaming; }
    const EnvSensorConfig &config() const { return m_config; }
    const EnvSensorModel &model() const { return m_model; }
    const Counters &counters() const { return m_counters; }

private:
    QByteArrayList dueDataLines(std::chrono::nanoseconds now);
    QByteArrayList execute(QByteArrayView line, std::chrono::nanoseconds now);
    QByteArray error(const char *what);
    static QByteArray terminate(const QByteArrayList &lines);

    EnvSensorConfig m_config;
    EnvSensorModel m_model;
    Counters m_counters;
    QByteArray m_partialLine;
    bool m_discardingLine = false;
    bool m_streaming = false;
    quint64 m_streamSeq = 0;       // seq of the last DATA line sent
    quint64 m_streamNextIndex = 0; // model sample that the next DATA line carries
};

} // namespace hilsim
