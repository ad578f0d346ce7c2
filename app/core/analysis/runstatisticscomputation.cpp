#include "core/analysis/runstatisticscomputation.h"

#include "core/analysis/latencypercentiles.h"
#include "core/analysis/runfindings.h"
#include "core/run/faultserves.h"
#include "core/store/bindingsjson.h"

#include <algorithm>

namespace hil {

namespace {

int phaseOrder(const QString &phase) {
    if (phase == u"setup")
        return 0;
    if (phase == u"steps")
        return 1;
    if (phase == u"teardown")
        return 2;
    return 3;
}

void appendBytes(std::string &key, QByteArrayView b) {
    key.append(b.data(), static_cast<size_t>(b.size()));
    key.push_back('\x1f');
}

// The key of a step's statistics: its phase, index, name and device.
void makeKey(std::string &key, QByteArrayView phase, qint64 index, QByteArrayView step,
             QByteArrayView device) {
    key.clear();
    appendBytes(key, phase);
    key.append(reinterpret_cast<const char *>(&index), sizeof index);
    appendBytes(key, step);
    appendBytes(key, device);
}

} // namespace

bool RunStatisticsComputation::run(RunStatistics *out, QString *error) {
    QString why;
    const auto h = m_db.header(m_runId, &why);
    if (!h) {
        *error = why;
        return false;
    }
    m_header = *h;
    const bool ok = timeAxis() && loadFaults() && chooseRollup()
                    && (m_fromRollup ? passRollups() : passSteps()) && resolvePercentiles()
                    && (!m_o.measurements || (passMeasurements() && loadSweeps())) && loadFailureDetails()
                    && loadEvents();
    if (!ok) {
        *error = QStringLiteral("reading run %1 of %2: %3").arg(m_runId).arg(m_db.path(), m_error);
        return false;
    }
    finish(out);
    return true;
}

bool RunStatisticsComputation::timeAxis() {
    qint64 span = m_header.durationNs.value_or(0);
    if (!m_header.durationNs) {
        // An unfinished run: its axis ends at the last thing it recorded.
        const auto lastStep = m_scan.lastStepEnd(&m_error);
        if (!lastStep)
            return false;
        span = std::max(span, *lastStep);
        if (const auto lastEvent = m_scan.lastEventTime())
            span = std::max(span, *lastEvent);
    }
    m_axis.span = std::max<qint64>(1, span);
    m_axis.bins = std::max(1, m_o.timelineBins);
    // A long run's bins are whole multiples of the rollups' 10 s from 0, read from its rollups or its rows
    // alike, so that both give the same timelines.
    if (m_axis.span / m_axis.bins >= kRollupBinNs) {
        const qint64 each = (m_axis.span + m_axis.bins * kRollupBinNs - 1) / (m_axis.bins * kRollupBinNs);
        m_axis.binNs = each * kRollupBinNs;
        m_axis.bins = static_cast<int>((m_axis.span + m_axis.binNs - 1) / m_axis.binNs);
    }
    return true;
}

bool RunStatisticsComputation::chooseRollup() {
    m_fromRollup = false;
    if (!m_o.rollups || m_axis.binNs == 0 || m_faultsFromEvents)
        return true;
    // The rollups count the failures during a fault by its recorded window; a recovery that only the rows
    // can tell (not recorded by the engine) needs them.
    for (const FaultStatistics &f : m_recovery.faults()) {
        if (!f.endNs || !f.recoveryNs)
            return true;
    }
    const std::optional<bool> complete = RollupScan(m_db, m_runId).complete(&m_error);
    if (!complete)
        return false;
    m_fromRollup = *complete;
    return true;
}

bool RunStatisticsComputation::loadFaults() {
    QList<FaultStatistics> faults;
    const bool read = m_scan.forEachFault(
        [&faults](const FaultRow &row) {
            FaultStatistics f;
            f.id = row.id;
            f.device = row.device;
            f.target = row.target;
            f.kind = row.kind;
            f.direction = row.direction;
            f.params = row.params;
            if (f.target == u"proxy")
                f.serves = servesFromParams(f.params);
            f.seed = row.seed;
            f.manual = row.manual;
            f.startNs = row.startNs;
            f.endNs = row.endNs;
            f.recoveryNs = row.recoveryNs;
            f.recoveryRecorded = f.recoveryNs.has_value();
            f.bytesDropped = row.bytesDropped;
            f.bytesCorrupted = row.bytesCorrupted;
            f.bytesDelayed = row.bytesDelayed;
            faults.append(f);
            return true;
        },
        &m_error);
    if (!read)
        return false;
    if (faults.isEmpty()) {
        // Without fault rows (a file from before schema 2, or an engine that only logged events), a
        // fault-start is paired with the next fault-end of the same device.
        QMap<QString, QList<int>> open;
        const bool paired = m_scan.forEachFaultEvent(
            [&](const EventRow &e) {
                if (e.kind == u"fault-start") {
                    FaultStatistics f;
                    f.id = faults.size() + 1;
                    f.device = e.device;
                    f.params = e.detail;
                    f.kind = f.params.section(u' ', 0, 0);
                    f.target = QStringLiteral("?");
                    f.startNs = e.tNs;
                    open[e.device].append(static_cast<int>(faults.size()));
                    faults.append(f);
                } else if (!open[e.device].isEmpty()) {
                    faults[open[e.device].takeFirst()].endNs = e.tNs;
                }
                return true;
            },
            &m_error);
        if (!paired)
            return false;
        m_faultsFromEvents = !faults.isEmpty();
    }
    // Every device exists before the passes hold references to devices.
    std::vector<std::vector<int>> devicesOf;
    for (const FaultStatistics &f : std::as_const(faults)) {
        std::vector<int> of;
        if (f.target == u"proxy") {
            for (const QString &served : f.serves)
                of.push_back(device(served.toUtf8()));
        } else {
            of.push_back(f.device.isEmpty() ? -1 : device(f.device.toUtf8()));
        }
        devicesOf.push_back(std::move(of));
    }
    m_faultDevices = devicesOf;
    m_recovery.start(std::move(faults), std::move(devicesOf));
    return true;
}

int RunStatisticsComputation::device(QByteArrayView name) {
    if (m_lastDevice >= 0 && QByteArrayView(deviceAt(m_lastDevice).key) == name)
        return m_lastDevice;
    std::string key(name.data(), static_cast<size_t>(name.size()));
    auto it = m_deviceByName.find(key);
    if (it == m_deviceByName.end()) {
        DeviceAccumulator d(QString::fromUtf8(name));
        d.key = key;
        m_devices.push_back(std::move(d));
        it = m_deviceByName.emplace(std::move(key), static_cast<int>(m_devices.size()) - 1).first;
    }
    m_lastDevice = it->second;
    return m_lastDevice;
}

int RunStatisticsComputation::knownStepKey(const MeasurementRow::Step &r) {
    makeKey(m_keyBuffer, r.phase, r.stepIndex, r.step, r.device);
    const auto it = m_stepByKey.find(m_keyBuffer);
    return it != m_stepByKey.end() ? it->second : -1;
}

int RunStatisticsComputation::stepKey(const StepRow &r) {
    return stepKey(r.phase, r.stepIndex, r.step, r.device);
}

int RunStatisticsComputation::stepKey(QByteArrayView phase, qint64 index, QByteArrayView step,
                                      QByteArrayView device) {
    makeKey(m_keyBuffer, phase, index, step, device);
    const auto it = m_stepByKey.find(m_keyBuffer);
    if (it != m_stepByKey.end())
        return it->second;
    StepAccumulator acc;
    acc.s.phase = QString::fromUtf8(phase);
    acc.s.stepIndex = static_cast<int>(index);
    acc.s.step = QString::fromUtf8(step);
    acc.s.device = QString::fromUtf8(device);
    m_steps.push_back(std::move(acc));
    const int k = static_cast<int>(m_steps.size()) - 1;
    m_stepByKey.emplace(m_keyBuffer, k);
    return k;
}

bool RunStatisticsComputation::passSteps() {
    return m_scan.forEachStep(
        [this](const StepRow &q) {
            onStep(q);
            return true;
        },
        &m_error);
}

void RunStatisticsComputation::onStep(const StepRow &q) {
    {
        const qint64 id = q.id;
        const int k = stepKey(q);
        StepAccumulator &acc = m_steps[static_cast<size_t>(k)];
        StepStatistics &s = acc.s;
        const qint64 start = q.startNs;
        const qint64 end = q.endNs;
        ResultClass v = resultClassOf(q.verdict);
        if ((v == ResultClass::Fail || v == ResultClass::Error) && q.expected)
            v = ResultClass::Expected;
        m_index.append(id, k * 4 + (v == ResultClass::Expected ? 1 : 0) + (q.retried ? 2 : 0));
        if (q.stalled)
            ++m_stallExcludedCount;
        s.swept = s.swept || q.swept;
        m_anySwept = m_anySwept || q.swept;
        s.totalNs += std::max<qint64>(0, end - start);
        if (q.retried) {
            // A try a later try followed: its answer's latency is the device's, but it is neither a pass
            // nor a failure, and says nothing of the device's availability (only the last try counts).
            ++s.retried;
            ++m_retriedCount;
            if (static_cast<int>(acc.retriedIds.size()) < m_o.failuresPerStep)
                acc.retriedIds.push_back(id);
            if (q.latencyNs) {
                s.histogram.add(*q.latencyNs);
                m_allLatency.add(*q.latencyNs);
                (q.inFault ? m_duringFaults : m_outsideFaults).add(*q.latencyNs);
                acc.latency.add(start, static_cast<double>(*q.latencyNs), m_axis, m_o.rawPointLimit);
            }
            return;
        }
        ++s.results;
        if (q.marginal)
            ++s.marginal;
        switch (v) {
        case ResultClass::Pass:
            ++s.pass;
            break;
        case ResultClass::Fail:
            ++s.fail;
            break;
        case ResultClass::Error:
            ++s.error;
            break;
        case ResultClass::Abort:
        case ResultClass::Other:
            ++s.abort;
            break;
        case ResultClass::Expected:
            ++s.expected;
            ++m_expectedCount;
            break;
        }
        if (q.latencyNs) {
            const qint64 latency = *q.latencyNs;
            s.histogram.add(latency);
            m_allLatency.add(latency);
            (q.inFault ? m_duringFaults : m_outsideFaults).add(latency);
            acc.latency.add(start, static_cast<double>(latency), m_axis, m_o.rawPointLimit);
        }
        if (v == ResultClass::Pass || v == ResultClass::Fail) {
            const int pf = v == ResultClass::Fail ? 1 : 0;
            if (acc.lastPassFail >= 0 && acc.lastPassFail != pf)
                ++s.flips;
            acc.lastPassFail = pf;
            if (pf) {
                if (acc.streak++ == 0)
                    acc.streakStart = start;
                if (acc.streak > s.longestFailStreak) {
                    s.longestFailStreak = acc.streak;
                    s.longestFailStreakStartNs = acc.streakStart;
                }
            } else {
                acc.streak = 0;
            }
        }
        if (v == ResultClass::Fail || v == ResultClass::Error) {
            ++m_failureCount;
            if (m_failBins.empty()) {
                m_failBins.assign(static_cast<size_t>(m_axis.bins), 0);
                m_errorBins.assign(static_cast<size_t>(m_axis.bins), 0);
            }
            ++m_failBins[static_cast<size_t>(m_axis.bin(start))];
            if (v == ResultClass::Error)
                ++m_errorBins[static_cast<size_t>(m_axis.bin(start))];
            if (static_cast<int>(acc.failureIds.size()) < m_o.failuresPerStep)
                acc.failureIds.push_back(id);
            if (static_cast<int>(m_runFailureIds.size()) < m_o.failureDetails)
                m_runFailureIds.push_back(id);
        }
        const int d = device(q.device);
        deviceAt(d).availability.add(v, start, end, m_axis);
        m_recovery.onResult(d, v, start, end);
    }
}

bool RunStatisticsComputation::resolvePercentiles() {
    // Histograms: one per step, then all steps together.
    std::vector<const LatencyHistogram *> hists;
    std::vector<LatencySummary *> summaries;
    for (size_t i = 0; i < m_steps.size(); ++i) {
        hists.push_back(&m_steps[i].s.histogram);
        summaries.push_back(&m_steps[i].s.latency);
    }
    hists.push_back(&m_allLatency);
    summaries.push_back(&m_allSummary);
    const size_t all = hists.size() - 1;
    LatencyPercentiles percentiles;
    // Without the index (a run too long for it) the exact pass could not tell the steps apart: every
    // percentile then comes from its histogram (within one bucket, marked not exact).
    const qint64 maxCollected = m_index.available() && !m_fromRollup ? m_o.maxCollected : -1;
    if (!percentiles.plan(std::move(hists), std::move(summaries), maxCollected))
        return true;
    m_index.rewind();
    const bool read = m_scan.forEachLatency(
        [&](qint64 id, qint64 latencyNs) {
            const qint64 latency = std::max<qint64>(0, latencyNs);
            const int found = m_index.find(id);
            if (found >= 0)
                percentiles.offer(static_cast<size_t>(found / 4), latency);
            percentiles.offer(all, latency);
            return true;
        },
        &m_error);
    if (!read)
        return false;
    percentiles.resolve();
    return true;
}

bool RunStatisticsComputation::passMeasurements() {
    if (m_fromRollup) {
        const std::optional<bool> cells = RollupScan(m_db, m_runId).hasSampleCells(&m_error);
        if (!cells)
            return false;
        if (*cells)
            return passSampleRollups();
    }
    m_index.rewind();
    const bool indexed = m_index.available() && !m_fromRollup;
    return m_scan.forEachMeasurement(
        [this, indexed](const MeasurementRow &q) {
            int found = -1;
            if (indexed) {
                found = m_index.find(q.stepResultId);
            } else if (q.step && q.step->present) {
                const int k = knownStepKey(*q.step);
                if (k >= 0) {
                    const ResultClass v = resultClassOf(q.step->verdict);
                    const bool expected =
                        (v == ResultClass::Fail || v == ResultClass::Error) && q.step->expected;
                    found = k * 4 + (expected ? 1 : 0) + (q.step->retried ? 2 : 0);
                }
            }
            // The samples of a retried try are not the measurement's: only the last try counts.
            if (found >= 0 && (found & 2) != 0)
                return true;
            const int k = found >= 0 ? found / 4 : -1;
            const bool expected = found >= 0 && (found & 1) != 0;
            m_measurements.add(q, k, k >= 0 ? &m_steps[static_cast<size_t>(k)].s : nullptr, expected, m_axis,
                               m_o.rawPointLimit);
            return true;
        },
        &m_error, !indexed);
}

bool RunStatisticsComputation::loadSweeps() {
    // The sweep query joins every sample to its step result: not run for a run without swept steps.
    if (!m_anySwept)
        return true;
    QList<SweepPointInput> points;
    const bool read = m_scan.forEachSweepPoint(
        [&points](const SweepPointRow &r) {
            SweepPointInput in;
            in.measurement = r.name;
            in.unit = r.unit;
            in.point.low = r.low;
            in.point.high = r.high;
            in.point.values = bindingsFromJson(r.bindings);
            in.point.samples = r.samples;
            in.point.nonNumeric = r.nonNumeric;
            in.point.mean = r.mean;
            in.point.min = r.min;
            in.point.max = r.max;
            in.point.pass = r.pass;
            in.point.fail = r.fail;
            in.point.marginal = r.marginal;
            if (!in.point.values.isEmpty())
                points.append(in);
            return true;
        },
        &m_error);
    if (!read)
        return false;
    m_sweeps = groupSweeps(points);
    return true;
}

bool RunStatisticsComputation::loadFailureDetails() {
    std::vector<qint64> ids = m_runFailureIds;
    for (const StepAccumulator &s : m_steps) {
        ids.insert(ids.end(), s.failureIds.cbegin(), s.failureIds.cend());
        ids.insert(ids.end(), s.retriedIds.cbegin(), s.retriedIds.cend());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.empty())
        return true;
    const bool details = m_scan.forEachStepDetail(
        ids, m_o.responseBytes,
        [this](const StepDetailRow &q) {
            FailureDetail f;
            f.stepResultId = q.id;
            f.phase = q.phase;
            f.step = q.step;
            f.device = q.device;
            f.iteration = q.iteration;
            f.repetition = q.repetition;
            f.startNs = q.startNs;
            f.endNs = q.endNs;
            f.latencyNs = q.latencyNs;
            f.verdict = q.verdict;
            f.message = q.message;
            f.response = q.response;
            f.responseSize = q.responseSize;
            f.attempt = q.attempt;
            f.bindings = q.bindings;
            m_details.insert(q.id, f);
            return true;
        },
        &m_error);
    if (!details)
        return false;
    // The lines exchanged with the device around the first failures, when the run recorded them.
    const size_t n = std::min(m_runFailureIds.size(), static_cast<size_t>(std::max(0, m_o.exchangeFailures)));
    QList<ExchangeWindow> windows;
    for (size_t i = 0; i < n; ++i) {
        const FailureDetail &f = m_details[m_runFailureIds[i]];
        windows.append({f.startNs - m_o.exchangeWindowNs, f.endNs, f.device, m_o.exchangeLines});
    }
    return m_scan.forEachExchange(
        windows,
        [this](qsizetype i, const ExchangeRow &x) {
            m_details[m_runFailureIds[static_cast<size_t>(i)]].exchanges.prepend({x.tNs, x.toDevice, x.data});
            return true;
        },
        &m_error);
}

bool RunStatisticsComputation::loadEvents() {
    const bool events = m_scan.forEachEvent(
        m_o.eventLimit,
        [this](const EventRow &e) {
            m_events.append({e.tNs, e.kind, e.device, e.detail});
            return true;
        },
        &m_error);
    if (!events)
        return false;
    return m_scan.forEachEventKind(
        [this](const QString &kind, qint64 count) {
            m_eventKinds.insert(kind, count);
            m_eventCount += count;
            return true;
        },
        &m_error);
}
void RunStatisticsComputation::finish(RunStatistics *out) {
    RunStatistics &r = *out;
    r.run = m_header;
    r.spanNs = m_axis.span;
    r.timelineBins = m_axis.bins;
    r.binNs = m_axis.width();
    r.fromRollup = m_fromRollup;

    // Steps in scenario order.
    std::vector<int> order(m_steps.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(), [this](int a, int b) {
        const StepStatistics &x = m_steps[static_cast<size_t>(a)].s;
        const StepStatistics &y = m_steps[static_cast<size_t>(b)].s;
        const int px = phaseOrder(x.phase), py = phaseOrder(y.phase);
        if (px != py)
            return px < py;
        if (x.stepIndex != y.stepIndex)
            return x.stepIndex < y.stepIndex;
        return x.device < y.device;
    });
    std::vector<int> rankOf(m_steps.size());
    for (size_t i = 0; i < order.size(); ++i)
        rankOf[static_cast<size_t>(order[i])] = static_cast<int>(i);
    for (int k : order) {
        StepAccumulator &acc = m_steps[static_cast<size_t>(k)];
        StepStatistics s = std::move(acc.s);
        s.latencyOverTime = acc.latency.finish(m_axis, m_o.rawPointLimit);
        s.failureRate = wilsonInterval(s.fail, s.pass + s.fail);
        for (qint64 id : acc.failureIds)
            s.firstFailures.append(m_details.value(id));
        for (qint64 id : acc.retriedIds)
            s.firstRetried.append(m_details.value(id));
        if (s.longestFailStreak > r.longestFailStreak) {
            r.longestFailStreak = s.longestFailStreak;
            r.longestFailStreakStep = s.step;
            r.longestFailStreakStartNs = s.longestFailStreakStartNs;
        }
        r.steps.append(std::move(s));
    }
    r.latency = m_allSummary;
    r.latencyOutsideFaults = approximateSummary(m_outsideFaults);
    r.latencyDuringFaults = approximateSummary(m_duringFaults);
    qint64 pass = 0, fail = 0;
    for (const StepStatistics &s : std::as_const(r.steps)) {
        pass += s.pass;
        fail += s.fail;
    }
    r.failureRate = wilsonInterval(fail, pass + fail);

    // Measurements in step order, then by name.
    r.measurements = m_measurements.finish(rankOf, m_axis, m_o.rawPointLimit);

    // Devices by name.
    std::sort(m_devices.begin(), m_devices.end(), [](const DeviceAccumulator &a, const DeviceAccumulator &b) {
        return a.availability.device() < b.availability.device();
    });
    for (DeviceAccumulator &d : m_devices) {
        if (!d.availability.seen())
            continue;
        DeviceAvailability a = d.availability.finish(m_axis);
        r.upNs += a.upNs;
        r.downNs += a.downNs;
        r.failureEpisodes += a.failureEpisodes;
        r.devices.append(std::move(a));
    }
    if (r.upNs + r.downNs > 0)
        r.availability = static_cast<double>(r.upNs) / static_cast<double>(r.upNs + r.downNs);
    if (r.failureEpisodes > 0)
        r.mtbfNs = static_cast<double>(r.upNs) / static_cast<double>(r.failureEpisodes);

    r.faults = m_recovery.faults();
    r.faultsFromEvents = m_faultsFromEvents;
    r.events = m_events;
    r.eventCount = m_eventCount;
    r.eventKinds = m_eventKinds;
    r.failureCount = m_failureCount;
    r.expectedCount = m_expectedCount;
    r.retriedCount = m_retriedCount;
    r.sweeps = m_sweeps;
    r.stallExcludedCount = m_stallExcludedCount;
    r.failuresOverTime = QList<qint64>(m_failBins.cbegin(), m_failBins.cend());
    r.errorsOverTime = QList<qint64>(m_errorBins.cbegin(), m_errorBins.cend());
    for (qint64 id : m_runFailureIds)
        r.failures.append(m_details.value(id));
    r.findings = makeFindings(r);
}

} // namespace hil
