#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QByteArrayView>
#include <chrono>
#include <optional>

namespace hilsim {

class DeviceFaults;

// What every simulated device's own protocol shares: line framing, the over-long line rule, --no-reply,
// banners, counters, a power life (powerDown / boot) and the hooks through which faults reach its
// readings. A model (EnvSensorProtocol, PsuProtocol) implements execute() and, if it streams, dueLines().
//
// No I/O and no clock: every call carries `now`, the device time (monotonic, since the device was
// created), and callers must never pass a time earlier than one they passed before. A model whose clock
// restarts at boot measures its own time from bootTime().
//
// Not thread-safe; use it from one thread.
class DeviceProtocol {
public:
    static constexpr qsizetype kMaxLineLength = 4096; // bytes, without the terminator

    // Counters for tests and diagnostics; they only ever grow, across reboots too.
    struct Counters {
        quint64 bytesReceived = 0;
        quint64 linesReceived = 0; // complete lines, including empty and discarded ones
        quint64 commandsHandled =
            0;              // lines answered with something other than ERR (or not at all, by dropout)
        quint64 errors = 0; // ERR answers, including over-long lines
        quint64 overlongLines = 0;
        quint64 answersSent = 0; // answer lines, ERR included; no DATA lines, no banners
        quint64 linesSent = 0;   // every line produced: answers, DATA, banners
        quint64 dataLinesSent = 0;
    };

    virtual ~DeviceProtocol();
    DeviceProtocol(const DeviceProtocol &) = delete;
    DeviceProtocol &operator=(const DeviceProtocol &) = delete;

    // Frames raw input into lines ("\n", an optional "\r" before it is dropped) and returns everything to
    // send, each line terminated by "\n". A partial line is kept for the next call; a line longer than
    // kMaxLineLength is answered with "ERR line too long" as soon as it overflows, and the rest of it,
    // up to its newline, is discarded. A binary protocol (isBinary()) overrides it with its own framing
    // and returns whole binary frames.
    virtual QByteArray feed(QByteArrayView bytes, std::chrono::nanoseconds now);

    // True for a protocol of binary frames rather than lines (Modbus): no banners, and answer faults
    // act on whole frames instead of lines (see DeviceCore).
    virtual bool isBinary() const { return false; }

    // Handles one complete line without its "\n" and returns the lines to send, without terminators:
    // due unsolicited lines first, then the answer. Empty lines are ignored.
    QByteArrayList handleLine(QByteArrayView line, std::chrono::nanoseconds now);

    // Unsolicited lines due at `now` ("\n"-terminated), and when the next one is due (nullopt: none).
    QByteArray tick(std::chrono::nanoseconds now);
    virtual std::optional<std::chrono::nanoseconds> nextDeadline() const { return std::nullopt; }

    // The banner line ("\n"-terminated) when a session starts, or empty when --banner is off.
    QByteArray banner();
    // The banner after a boot, sent whatever --banner says: a rebooting device announces itself.
    QByteArray bootBanner();

    // A client went away or was replaced: forget the partial line and session state (streaming).
    void resetSession();
    // Input was thrown away (the device was off or hung): a partial line before it is gone too.
    void dropPartialLine();

    // Power went away: the state is lost at once (streaming stops, a supply's output goes off).
    void powerDown();
    // Power came back and the device finished booting at `at`: fresh state as at start, with its clock
    // restarting at `at`. Counters carry on.
    void boot(std::chrono::nanoseconds at);
    std::chrono::nanoseconds bootTime() const { return m_bootTime; }

    // Faults to apply to readings and DATA lines; nullptr (the default) for none. Not owned.
    void setFaults(DeviceFaults *faults) { m_faults = faults; }

    // The names of the readings channel faults can act on ("temp", "hum"), in channel-index order.
    virtual QByteArrayList channels() const { return {}; }
    // The reading of `channel` at `now` as the device would report it (faults applied, rounded to the
    // digits it prints): the value a stuck fault without a value holds.
    virtual double currentValue(int channel, std::chrono::nanoseconds now) = 0;

    const Counters &counters() const { return m_counters; }

protected:
    DeviceProtocol(bool bannerEnabled, bool noReply);

    // One command: `words` are the line's words, upper-cased, runs of spaces collapsed; never empty. Returns
    // the answer lines; empty for no answer at all (dropout).
    virtual QByteArrayList execute(const QByteArrayList &words, std::chrono::nanoseconds now) = 0;
    // Unsolicited lines due at `now`, without terminators (DATA lines); they go out before an answer.
    virtual QByteArrayList dueLines(std::chrono::nanoseconds) { return {}; }
    virtual QByteArray bannerText() const = 0; // without "\n"
    virtual void onSessionReset() {}
    virtual void onPowerDown() {}
    virtual void onBoot() {}
    // A partial frame of a binary protocol is to be forgotten (see dropPartialLine()).
    virtual void onInputDropped() {}
    Counters &mutableCounters() { return m_counters; }

    // "ERR <what>", counted.
    QByteArray error(const char *what);
    // A reading taken at device time `time`: true if the device hangs or a dropout withholds it.
    bool withholdReading(std::chrono::nanoseconds time);
    // `value` of `channel` for sample `index` taken at device time `sampleTime` and reported at
    // `reportTime`, faults applied (see DeviceFaults::apply).
    double faulted(int channel, double value, quint64 index, std::chrono::nanoseconds sampleTime,
                   std::chrono::nanoseconds reportTime) const;
    // Counts unsolicited lines as sent.
    void countUnsolicited(qsizetype lines);

private:
    static QByteArray terminate(const QByteArrayList &lines);

    bool m_bannerEnabled;
    bool m_noReply;
    DeviceFaults *m_faults = nullptr;
    std::chrono::nanoseconds m_bootTime{};
    Counters m_counters;
    QByteArray m_partialLine;
    bool m_discardingLine = false;
};

} // namespace hilsim
