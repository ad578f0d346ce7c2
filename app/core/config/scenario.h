#pragma once

#include "core/base/duration.h"
#include "core/config/binding.h"
#include "core/config/faultplan.h"
#include "core/config/fieldspec.h"
#include "core/config/limits.h"
#include "core/config/promptspec.h"
#include "core/config/steptemplates.h"
#include "core/config/streamspec.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// How often something runs: `count` times, or `for` a duration; `every` sets the period, on absolute
// deadlines (start + n * every). Without `every` iterations follow each other at once.
struct Repeat {
    std::optional<qint64> count;
    std::optional<Nanoseconds> forDuration;
    std::optional<Nanoseconds> every;
    // A step over several devices (`devices:`) repeated with `every`: device k of N starts its slots k/N of
    // a period after the first, so the devices' polls are spread over the period instead of all at once.
    // false: every device at the same instants (simultaneous sampling).
    bool spread = true;

    bool isTimed() const { return forDuration.has_value(); }
};

struct SendSpec {
    QString device;
    QByteArray line; // without the device's terminator
};

struct ExpectSpec {
    QString device;
    QRegularExpression match;
    Nanoseconds within{0};
    // With a send: false means the first line after the send is the answer, and a line that does not
    // match FAILs with that answer; true skips lines that do not match (for chatty or streaming devices).
    // Without a send, non-matching lines are always skipped: the step waits for an event.
    bool skipUnmatched = false;
    // Without a send, a line that arrived before the step began is stale and not the answer; `stale:
    // accept` takes it (the row then says so, with no latency).
    bool acceptStale = false;
    // Values decoded from a binary answer by position (`fields:`), captures like the pattern's groups.
    FieldSpecs fields;
    QString topic;       // MQTT: the topic filter the expect listens on (config/mqttstep.h); empty otherwise
    bool modbus = false; // a `modbus:` step: an exception response is recorded as that exception
};

struct Step {
    QString name;
    int line = 0; // where the step starts in the scenario file, for messages
    // `devices:` runs the exchange on each of these devices at once, each in its own lane, as if the step
    // named that device in its send and expect. Empty: the step's send (else expect) names its device.
    QStringList devices;
    std::optional<SendSpec> send;
    std::optional<ExpectSpec> expect;
    std::optional<StreamSpec> stream; // watch the device's unasked lines (after the send, if any)
    QList<MeasurementSpec> measure;
    QMap<QString, QString> record; // run metadata field (dut_serial, firmware, station) -> capture name
    std::optional<Nanoseconds> wait;
    Repeat repeat;
    std::optional<FaultEntry> fault; // inject a fault now (for its `for`, or until cleared)
    std::optional<QString> clear;    // clear the faults on a device or proxy now ("all": every one)
    // The `for_each:` values this copy of a swept step (or of a step of a swept block) is bound to.
    Bindings bindings;
    // Fields computed while the run goes (`${capture}`), and `if:` conditions known only then.
    StepTemplates templates;
    std::optional<RetrySpec> retry;   // `retry:` / `until:`
    std::optional<PromptSpec> prompt; // ask the operator (a step of its own)
};

enum class Phase { Setup, Steps, Teardown };
QString phaseName(Phase p);

struct Scenario {
    QString path;
    QString name;
    QString description;
    QStringList devices; // the fixture devices the scenario uses
    std::optional<quint64> seed;
    Repeat repeat; // of the `steps` list as a whole; one iteration if unset
    QList<Step> setup;
    QList<Step> steps;
    QList<Step> teardown;
    QList<FaultEntry> faults; // the fault timeline, relative to the start of the steps
    // The variables known before the run (the bench's and the scenario's `vars:`, after `--var`), as used.
    Bindings vars;
    // The names the run learns as it goes (captures, measurements, prompt answers) that steps refer to.
    QStringList runtimeNames;
    bool failFast = false; // the first failure ends the steps (teardown still runs)

    const QList<Step> &phase(Phase p) const;
};

} // namespace hil
