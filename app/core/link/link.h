#pragma once

#include "core/config/linkfault.h"
#include "core/link/faultpipeline.h"
#include "core/transport/transport.h"

#include <memory>

namespace hil {

// A transport with link faults in front of it (DESIGN.md, Link): wraps any Transport, with one
// FaultPipeline for the bytes written to the device and one for the bytes it sends back. With no fault
// active it only forwards, and bytes pass through synchronously.
//
// Owns the inner transport. Forwards opened() and failed(); closed() of the inner transport is forwarded
// after the bytes that arrived before it have left the from-device pipeline (a latency fault delays the
// end of the connection as well as its data). close() drops whatever the pipelines still hold.
//
// Faults: inject() applies a fault to the direction(s) its spec names, under the caller's id; clear()
// ends it. A `disconnect` fault closes the inner transport and emits closed("disconnect fault") (or
// failed() while an open() is in progress), and while it is active open() fails with
// failed("refused: disconnect fault active"); once cleared, open() works again. A `close_after` fault
// closes the connection `after` from its injection or from the latest opened(), once per connection.
//
// Mode: a Link over a TCP transport is LinkMode::Reliable (loss delays, blackout holds or resets: see
// FaultPipeline), over a serial port or PTY LinkMode::Lossy; the owner says which. A reset from a reliable
// blackout or a given-up chunk closes the inner transport and emits closed("reset: ...").
//
// Seeds: the two directions' pipelines get seeds derived from the link's seed (splitmix64 of it with the
// direction), so one seed reproduces both.
//
// Threads: lives on the thread of the inner transport; everything from that thread. Like every
// transport, opened() and failed() are never emitted from inside open().
class Link : public Transport {
    Q_OBJECT
public:
    enum class Direction { ToDevice, FromDevice };

    // The counters of one fault window, per direction (zeros for a direction the fault did not act on).
    struct WindowCounters {
        LinkCounters toDevice;
        LinkCounters fromDevice;
    };

    Link(std::unique_ptr<Transport> inner, quint64 seed, LinkMode mode, QObject *parent = nullptr);
    ~Link() override;

    void open() override;
    void close() override;
    void write(const QByteArray &bytes) override;
    bool isOpen() const override;
    QString describe() const override;

    // Starts a fault; an id already in use is cleared first.
    void inject(int id, const LinkFaultSpec &spec);
    // Ends a fault and returns its window's counters; an unknown id returns zeros.
    WindowCounters clear(int id);
    void clearAll();
    bool isActive(int id) const;
    bool refusesConnections() const;

    // The line terminator drop_first counts lines by, in both directions.
    void setTerminator(const QByteArray &terminator);

    LinkCounters counters(Direction direction) const;
    WindowCounters windowCounters(int id) const;
    FaultPipeline &pipeline(Direction direction);
    Transport &inner() { return *m_inner; }
    quint64 seed() const { return m_seed; }
    LinkMode mode() const { return m_toDevice.mode(); }

private:
    enum class State { Closed, Opening, Open };

    void onCloseRequested(const QString &reason);
    void onInnerClosed(const QString &reason);
    void finishClose();

    std::unique_ptr<Transport> m_inner;
    quint64 m_seed;
    FaultPipeline m_toDevice;
    FaultPipeline m_fromDevice;
    State m_state = State::Closed;
    // Set while the inner transport is gone but bytes it delivered are still in the from-device pipeline.
    QString m_pendingClose;
    bool m_closePending = false;
    // Bumped by open() and close(), so that a queued refusal of an earlier open() does nothing.
    quint64 m_attempt = 0;
};

} // namespace hil
