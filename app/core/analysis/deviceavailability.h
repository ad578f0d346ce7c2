#pragma once

#include <QList>
#include <QString>
#include <optional>

namespace hil {

// The device's availability: each result covers the time since the device's previous result (or its
// own duration, for the first), counted up when it passed, down when it failed, and unknown for ERROR and
// ABORT (the bench's fault, not the device's). An expected failure (during an injected fault) counts as
// fault time: out of availability, whose question is how the device did when nobody broke it on purpose;
// how it came back is the faults' recovery time.
struct DeviceAvailability {
    QString device;
    qint64 upNs = 0;
    qint64 downNs = 0;
    qint64 unknownNs = 0;
    qint64 faultNs = 0;
    std::optional<double> availability; // up / (up + down)
    qint64 failureEpisodes = 0;         // changes from up to down (a first result that failed counts)
    std::optional<double> mtbfNs;       // up / episodes
    qint64 longestOutageNs = 0;
    qint64 longestOutageStartNs = 0;
    // Per time bin (StatisticsOptions::timelineBins over the run): share of the known time that was up,
    // or -1 when the bin holds no known time.
    QList<float> timeline;
};

} // namespace hil
