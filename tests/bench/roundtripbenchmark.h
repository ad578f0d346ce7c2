#pragma once

#include <QString>
#include <QStringList>
#include <vector>

namespace hilbench {

struct RoundTripOptions {
    int exchanges = 5000; // measured per client
    int blocks = 10;      // per client; the clients take turns block by block
    int warmup = 20;      // unmeasured exchanges after each (re)connect
};

// Every exchange is `READ? TEMP` answered by `TEMP x.xxx`; times are monotonic nanoseconds.
struct RoundTripResult {
    QString simulator; // the simulator's command line
    QString address;   // where it listened
    int blocks = 0;
    std::vector<qint64> harnessNs;         // before sendLine() to the start of the expect() handler
    std::vector<qint64> harnessRecordedNs; // Answer::timeNs minus sendLine()'s time: what the runner records
    std::vector<qint64> baselineNs;        // before write() to the return of the read() holding '\n'
    // The harness with correlation on, as the runner uses it: the expect told its request's send time (an
    // exchange id, owed after a timeout) and a StallWatch (5 ms heartbeat, checkpoint on every read).
    std::vector<qint64> correlatedNs;
    std::vector<qint64> correlatedRecordedNs;
};

// Starts `hil-sim envsensor --tcp 0 --seed 1` through hil::SimProcess and measures, against that one
// process, hil::DeviceSession over hil::TcpTransport on a Qt event loop and a blocking POSIX client. The
// simulator serves one client at a time, so each block connects its client, runs, and disconnects.
// Must be called on a thread with a Qt event loop available (the main thread). Returns false with *error
// if the simulator cannot be started or any exchange fails (wrong answer, timeout, lost connection).
bool runRoundTrip(const RoundTripOptions &options, RoundTripResult *result, QString *error);

} // namespace hilbench
