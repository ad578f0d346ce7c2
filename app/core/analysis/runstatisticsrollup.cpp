// The parts of RunStatisticsComputation that read a run's rollups (store/steprollup.h) instead of its
// step results: the same figures as passSteps(), composed from the cells in the order they were written.

#include "core/analysis/runstatisticscomputation.h"

#include <algorithm>

namespace hil {

namespace {

LatencyHistogram::Bucket bucketOf(const RollupBucket &b) {
    return {b.count, b.min, b.max};
}

} // namespace

bool RunStatisticsComputation::passRollups() {
    const RollupScan scan(m_db, m_runId);
    const auto considerStreak = [](StepStatistics &s, qint64 length, qint64 start) {
        if (length > s.longestFailStreak) {
            s.longestFailStreak = length;
            s.longestFailStreakStartNs = start;
        }
    };
    const bool steps = scan.forEachStepCell(
        [&](const StepRollupRow &row) {
            const StepRollupCell &c = row.cell;
            const int k = stepKey(row.phase, row.stepIndex, row.step, row.device);
            StepAccumulator &acc = m_steps[static_cast<size_t>(k)];
            StepStatistics &s = acc.s;
            const int bin = m_axis.bin(c.bin * kRollupBinNs);
            s.swept = s.swept || c.swept;
            m_anySwept = m_anySwept || c.swept;
            s.totalNs += c.totalNs;
            s.results += c.results;
            s.pass += c.pass;
            s.fail += c.fail;
            s.error += c.error;
            s.abort += c.abort;
            s.expected += c.expected;
            s.marginal += c.marginal;
            s.retried += c.retried;
            m_expectedCount += c.expected;
            m_retriedCount += c.retried;
            m_stallExcludedCount += c.stalled;
            for (const RollupBucket &b : row.outside) {
                s.histogram.addBucket(b.index, bucketOf(b));
                m_allLatency.addBucket(b.index, bucketOf(b));
                m_outsideFaults.addBucket(b.index, bucketOf(b));
                acc.latency.sketch(bin, static_cast<double>(b.min), b.count, m_axis);
            }
            for (const RollupBucket &b : row.during) {
                s.histogram.addBucket(b.index, bucketOf(b));
                m_allLatency.addBucket(b.index, bucketOf(b));
                m_duringFaults.addBucket(b.index, bucketOf(b));
                acc.latency.sketch(bin, static_cast<double>(b.min), b.count, m_axis);
            }
            const auto sum = static_cast<double>(c.latencySum);
            const auto faultSum = static_cast<double>(c.faultLatencySum);
            s.histogram.addSum(sum);
            m_allLatency.addSum(sum);
            m_outsideFaults.addSum(sum - faultSum);
            m_duringFaults.addSum(faultSum);
            acc.latency.addBinned(bin, c.latencyCount, static_cast<double>(c.latencyMin),
                                  static_cast<double>(c.latencyMax), sum, m_axis);
            if (c.fail + c.error > 0) {
                m_failureCount += c.fail + c.error;
                if (m_failBins.empty()) {
                    m_failBins.assign(static_cast<size_t>(m_axis.bins), 0);
                    m_errorBins.assign(static_cast<size_t>(m_axis.bins), 0);
                }
                m_failBins[static_cast<size_t>(bin)] += c.fail + c.error;
                m_errorBins[static_cast<size_t>(bin)] += c.error;
            }
            // Pass/fail order: a flip between this cell and the last, those inside it, and the fail streaks
            // joined across cells (acc.streak is the one still open).
            if (acc.lastPassFail >= 0 && c.firstPf >= 0 && acc.lastPassFail != c.firstPf)
                ++s.flips;
            s.flips += c.flips;
            if (c.lastPf >= 0)
                acc.lastPassFail = c.lastPf;
            if (c.lead > 0) {
                if (acc.streak == 0)
                    acc.streakStart = c.leadStart;
                acc.streak += c.lead;
                considerStreak(s, acc.streak, acc.streakStart);
            }
            if (c.hasPass) {
                considerStreak(s, c.longest, c.longestStart);
                acc.streak = c.trail;
                acc.streakStart = c.trailStart;
                considerStreak(s, acc.streak, acc.streakStart);
            }
            return true;
        },
        &m_error);
    if (!steps)
        return false;
    const bool devices = scan.forEachDeviceCell(
        [&](const DeviceRollupRow &row) {
            const DeviceRollupCell &c = row.cell;
            AvailabilityAccumulator &a = deviceAt(device(row.device)).availability;
            a.addSpread(m_axis.bin(c.bin * kRollupBinNs), c.upSpreadNs, c.knownSpreadNs, m_axis);
            if (c.current) {
                a.addTotals(c.upNs, c.downNs, c.faultNs, c.unknownNs, c.episodes);
                a.addOutage(c.outageNs, c.outageStartNs);
                a.setState(c.inOutage, c.openStartNs, c.openEndNs);
            }
            return true;
        },
        &m_error);
    return devices && rollupFailureIds(scan) && rollupFaults(scan) && rollupRawSeries(scan);
}

bool RunStatisticsComputation::rollupFailureIds(const RollupScan &scan) {
    // The run's first failures are among the first failures of its steps.
    const qint64 each = std::max(m_o.failuresPerStep, m_o.failureDetails);
    std::vector<qint64> all, ids;
    for (StepAccumulator &acc : m_steps) {
        const StepStatistics &s = acc.s;
        const QByteArray phase = s.phase.toUtf8(), step = s.step.toUtf8(), dev = s.device.toUtf8();
        if (s.fail + s.error > 0) {
            ids.clear();
            if (!scan.firstIds(RollupScan::Which::Failures, phase, s.stepIndex, step, dev, each, &ids,
                               &m_error))
                return false;
            acc.failureIds.assign(ids.begin(), ids.begin()
                                                   + std::min<qint64>(static_cast<qint64>(ids.size()),
                                                                      std::max(0, m_o.failuresPerStep)));
            all.insert(all.end(), ids.cbegin(), ids.cend());
        }
        if (s.retried > 0 && m_o.failuresPerStep > 0
            && !scan.firstIds(RollupScan::Which::Retried, phase, s.stepIndex, step, dev, m_o.failuresPerStep,
                              &acc.retriedIds, &m_error))
            return false;
    }
    std::sort(all.begin(), all.end());
    all.resize(std::min(all.size(), static_cast<size_t>(std::max(0, m_o.failureDetails))));
    m_runFailureIds = std::move(all);
    return true;
}

bool RunStatisticsComputation::rollupFaults(const RollupScan &scan) {
    // A fault acts from its start until its recorded recovery (chooseRollup() made sure there is one); the
    // failed results of its devices that started then are counted on the index of failed results.
    const QList<FaultStatistics> &faults = m_recovery.faults();
    for (qsizetype i = 0; i < faults.size(); ++i) {
        const FaultStatistics &f = faults[i];
        const qint64 until = *f.endNs + *f.recoveryNs;
        qint64 failed = 0;
        for (int d : m_faultDevices[static_cast<size_t>(i)]) {
            const std::optional<QString> name =
                d < 0 ? std::nullopt : std::optional<QString>(deviceAt(d).availability.device());
            const std::optional<qint64> n = scan.failedResults(name, f.startNs, until, &m_error);
            if (!n)
                return false;
            failed += *n;
        }
        m_recovery.setFailedResults(i, failed);
    }
    return true;
}

bool RunStatisticsComputation::rollupRawSeries(const RollupScan &scan) {
    // A step with few answers shows each one (SeriesAccumulator's raw points): those are read from its rows.
    for (StepAccumulator &acc : m_steps) {
        if (acc.latency.count() == 0 || acc.latency.count() > m_o.rawPointLimit)
            continue;
        const StepStatistics &s = acc.s;
        SeriesAccumulator raw(SeriesAccumulator::Kind::Quantiles);
        const bool read = scan.forEachLatencyOf(
            s.phase.toUtf8(), s.stepIndex, s.step.toUtf8(), s.device.toUtf8(),
            [&](qint64 start, qint64 latency) {
                raw.add(start, static_cast<double>(latency), m_axis, m_o.rawPointLimit);
            },
            &m_error);
        if (!read)
            return false;
        acc.latency = std::move(raw);
    }
    return true;
}

bool RunStatisticsComputation::passSampleRollups() {
    const RollupScan scan(m_db, m_runId);
    MeasurementRow::Step step;
    step.present = true;
    const bool read = scan.forEachSampleCell(
        [&](const SampleRollupRow &row) {
            step.phase = row.phase;
            step.stepIndex = row.stepIndex;
            step.step = row.step;
            step.device = row.device;
            const int k = knownStepKey(step);
            m_measurements.addCell(row, k, k >= 0 ? &m_steps[static_cast<size_t>(k)].s : nullptr, m_axis);
            return true;
        },
        &m_error);
    if (!read)
        return false;
    // A measurement with few values shows each one, as on the row path: those are read from its rows.
    for (const MeasurementAccumulator::SmallSeries &small : m_measurements.smallSeries(m_o.rawPointLimit)) {
        if (small.stepKey < 0)
            continue;
        const StepStatistics &s = m_steps[static_cast<size_t>(small.stepKey)].s;
        SeriesAccumulator raw;
        const bool samples = scan.forEachSampleOf(
            s.phase.toUtf8(), s.stepIndex, s.step.toUtf8(), s.device.toUtf8(), small.name.toUtf8(),
            [&](qint64 t, double v) { raw.add(t, v, m_axis, m_o.rawPointLimit); }, &m_error);
        if (!samples)
            return false;
        m_measurements.replaceSeries(small.index, std::move(raw));
    }
    return true;
}

} // namespace hil
