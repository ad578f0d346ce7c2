#include "chartselection.h"

#include "core/analysis/runstatistics.h"

#include <algorithm>

namespace hil::report {

namespace {

// The first max of order (already ranked), back in ascending index order.
QList<int> firstInRunOrder(QList<int> ranked, int max) {
    if (ranked.size() > max)
        ranked.resize(max);
    std::sort(ranked.begin(), ranked.end());
    return ranked;
}

} // namespace

int stepsWithLatency(const RunStatistics &s) {
    return static_cast<int>(std::count_if(s.steps.cbegin(), s.steps.cend(),
                                          [](const StepStatistics &st) { return st.latency.count > 0; }));
}

QList<int> latencyStepsShown(const RunStatistics &s, int max) {
    QList<int> ranked;
    for (qsizetype i = 0; i < s.steps.size(); ++i)
        if (s.steps[i].latency.count > 0)
            ranked.append(static_cast<int>(i));
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&s](int a, int b) { return s.steps[a].latency.p99Ns > s.steps[b].latency.p99Ns; });
    return firstInRunOrder(ranked, max);
}

QList<int> availabilityDevicesShown(const RunStatistics &s, int max) {
    QList<int> ranked;
    for (qsizetype i = 0; i < s.devices.size(); ++i)
        ranked.append(static_cast<int>(i));
    std::stable_sort(ranked.begin(), ranked.end(), [&s](int a, int b) {
        const DeviceAvailability &x = s.devices[a], &y = s.devices[b];
        if (x.availability.has_value() != y.availability.has_value())
            return !x.availability.has_value();
        if (x.availability && *x.availability != *y.availability)
            return *x.availability < *y.availability;
        return x.failureEpisodes > y.failureEpisodes;
    });
    return firstInRunOrder(ranked, max);
}

} // namespace hil::report
