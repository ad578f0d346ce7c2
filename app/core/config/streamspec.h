#pragma once

#include "core/base/duration.h"
#include "core/base/linechecksum.h"

#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <optional>

namespace YAML {
class Node;
}

namespace hil {

class YamlReader;

// A `stream:` step: watch the lines a device sends unasked for a window, and check each line (its
// pattern, its checksum) and the stream as a whole (its rate, its largest gap, that it did not stop).
struct StreamSpec {
    QString device;
    Nanoseconds window{0}; // `for`
    // Empty pattern: every line is the stream's.
    QRegularExpression match;
    // true: lines that do not match are not the stream's (another sentence type); they are skipped and
    // not counted. false: a line that does not match FAILs.
    bool skipUnmatched = false;
    std::optional<double> rateMin; // lines per second over the window
    std::optional<double> rateMax;
    std::optional<Nanoseconds> maxGap;
    std::optional<LineChecksum> checksum;
    // MQTT: the topic filter the stream listens on (config/mqttstep.h); sequences are counted per topic.
    QString topic;
    // `sequence:`: a capture of `match` that numbers the lines; lost (gaps), duplicated and reordered
    // lines are counted (per topic on MQTT) and are summary measurements with these upper limits.
    struct Sequence {
        QString capture;
        qint64 maxLost = 0;
        qint64 maxDuplicates = 0;
        qint64 maxReordered = 0;
    };
    std::optional<Sequence> sequence;
};

// What a stream step may name as its device.
struct StreamDevices {
    QStringList scenario; // the scenario's devices
    QStringList step;     // the step's `devices:` (each lane watches its own), or empty
    QString sent;         // the device the step's send goes to, or empty
};

// Reads the `stream:` mapping of a step. Problems are recorded in `r` at their node's line:col; returns
// nullopt when the node is not a mapping or names no usable device.
std::optional<StreamSpec> readStreamSpec(YamlReader &r, const YAML::Node &n, const StreamDevices &devices);

} // namespace hil
