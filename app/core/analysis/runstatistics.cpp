#include "core/analysis/runstatistics.h"

#include "core/base/duration.h"
#include "core/base/reportformat.h"
#include "core/store/sqlitestatement.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

namespace hil {

namespace {

enum class V { Pass, Fail, Error, Abort, Other, Expected };

V verdictOf(QByteArrayView b) {
    if (b == "PASS")
        return V::Pass;
    if (b == "FAIL")
        return V::Fail;
    if (b == "ERROR")
        return V::Error;
    if (b == "ABORT")
        return V::Abort;
    return V::Other;
}

int phaseOrder(const QString &phase) {
    if (phase == u"setup")
        return 0;
    if (phase == u"steps")
        return 1;
    if (phase == u"teardown")
        return 2;
    return 3;
}

// The run's time axis, cut into equal bins.
struct Axis {
    qint64 span = 1;
    int bins = 1;

    int bin(qint64 t) const {
        if (t <= 0)
            return 0;
        if (t >= span)
            return bins - 1;
        return std::min(bins - 1,
                        static_cast<int>(static_cast<double>(t) / static_cast<double>(span) * bins));
    }
    double binStart(int b) const { return static_cast<double>(span) * b / bins; }
    // Adds the part of [from, to) that falls in each bin to v.
    void spread(std::vector<double> &v, qint64 from, qint64 to) const {
        if (to <= from)
            return;
        if (v.empty())
            v.assign(static_cast<size_t>(bins), 0.0);
        const int b0 = bin(from);
        const int b1 = bin(to);
        for (int b = b0; b <= b1; ++b) {
            const double lo = std::max(static_cast<double>(from), b == 0 ? -1e300 : binStart(b));
            const double hi = std::min(static_cast<double>(to), b == bins - 1 ? 1e300 : binStart(b + 1));
            if (hi > lo)
                v[static_cast<size_t>(b)] += hi - lo;
        }
    }
};

// A series kept raw while it is small, and binned throughout (the bins are used once it is not).
class SeriesAcc {
public:
    void add(qint64 t, double v, const Axis &axis, int rawLimit) {
        ++m_count;
        if (m_count <= rawLimit) {
            m_raw.push_back({t, v, v, v, 1});
        } else if (!m_raw.empty()) {
            m_raw.clear();
            m_raw.shrink_to_fit();
        }
        if (m_bins.empty())
            m_bins.resize(static_cast<size_t>(axis.bins));
        Bin &b = m_bins[static_cast<size_t>(axis.bin(t))];
        if (b.count == 0 || v < b.min)
            b.min = v;
        if (b.count == 0 || v > b.max)
            b.max = v;
        b.sum += v;
        ++b.count;
    }
    TimeSeries finish(const Axis &axis, int rawLimit) const {
        TimeSeries s;
        if (m_count <= rawLimit) {
            s.points = QList<TimePoint>(m_raw.cbegin(), m_raw.cend());
            return s;
        }
        s.binned = true;
        s.binNs = std::max<qint64>(1, axis.span / axis.bins);
        for (size_t i = 0; i < m_bins.size(); ++i) {
            const Bin &b = m_bins[i];
            if (b.count == 0)
                continue;
            const auto mid = static_cast<qint64>(
                (axis.binStart(static_cast<int>(i)) + axis.binStart(static_cast<int>(i) + 1)) / 2);
            s.points.append({mid, b.min, b.sum / static_cast<double>(b.count), b.max, b.count});
        }
        return s;
    }

private:
    struct Bin {
        double min = 0, max = 0, sum = 0;
        qint64 count = 0;
    };
    qint64 m_count = 0;
    std::vector<TimePoint> m_raw;
    std::vector<Bin> m_bins;
};

struct StepAcc {
    StepStatistics s;
    SeriesAcc latency;
    int lastPassFail = -1; // 0 pass, 1 fail
    qint64 streak = 0;
    qint64 streakStart = 0;
    std::vector<qint64> failureIds;
};

struct DeviceAcc {
    DeviceAvailability a;
    std::string key; // the name's UTF-8 bytes
    bool seen = false;
    qint64 prevEnd = 0;
    int state = -1; // last known: 0 up, 1 down
    bool inOutage = false;
    qint64 outageStart = 0;
    qint64 outageEnd = 0;
    std::vector<double> up, known;
    std::vector<int> pendingRecovery; // fault indices by end time, front first
    size_t pendingFront = 0;
    std::vector<int> active; // faults started and not yet recovered

    void closeOutage() {
        if (!inOutage)
            return;
        const qint64 len = outageEnd - outageStart;
        if (len > a.longestOutageNs) {
            a.longestOutageNs = len;
            a.longestOutageStartNs = outageStart;
        }
        inOutage = false;
    }
};

// Finds the step of a step result id through the ids of pass 1, kept in order. A key is the step's index
// times two, plus one when the result was an expected failure.
class StepIndex {
public:
    void append(qint64 id, int key) {
        m_ids.push_back(id);
        m_keys.push_back(key);
    }
    // The key, or -1 if the id is not one of the run's step results.
    int find(qint64 id) {
        if (m_cursor < m_ids.size() && m_ids[m_cursor] == id)
            return m_keys[m_cursor];
        if (m_cursor + 1 < m_ids.size() && m_ids[m_cursor + 1] == id)
            return m_keys[++m_cursor];
        const auto it = std::lower_bound(m_ids.cbegin(), m_ids.cend(), id);
        if (it == m_ids.cend() || *it != id)
            return -1;
        m_cursor = static_cast<size_t>(it - m_ids.cbegin());
        return m_keys[m_cursor];
    }
    void rewind() { m_cursor = 0; }
    size_t size() const { return m_ids.size(); }

private:
    std::vector<qint64> m_ids;
    std::vector<int> m_keys;
    size_t m_cursor = 0;
};

void appendBytes(std::string &key, QByteArrayView b) {
    key.append(b.data(), static_cast<size_t>(b.size()));
    key.push_back('\x1f');
}

constexpr int kPercentiles[] = {500, 900, 950, 990, 999};

qint64 *percentileSlot(LatencySummary &l, int i) {
    switch (i) {
    case 0:
        return &l.p50Ns;
    case 1:
        return &l.p90Ns;
    case 2:
        return &l.p95Ns;
    case 3:
        return &l.p99Ns;
    default:
        return &l.p999Ns;
    }
}

class Computation {
public:
    Computation(const RunQuery &db, qint64 runId, const StatisticsOptions &o)
        : m_db(db)
        , m_runId(runId)
        , m_o(o) {}

    bool run(RunStatistics *out, QString *error);

private:
    bool fail(const QString &why) {
        m_error = why;
        return false;
    }
    bool sqlFail(const SqliteStatement &s) { return fail(s.error()); }
    bool timeAxis();
    bool loadFaults();
    bool passSteps();
    bool resolvePercentiles();
    bool passMeasurements();
    bool loadFailureDetails();
    bool loadEvents();
    void finish(RunStatistics *out);
    int stepKey(const SqliteStatement &q);
    int device(QByteArrayView name);
    DeviceAcc &deviceAt(int i) { return m_devices[static_cast<size_t>(i)]; }
    void onResult(DeviceAcc &d, V v, qint64 start, qint64 end);
    void faultBookkeeping(int device, V v, qint64 start, qint64 end);

    const RunQuery &m_db;
    qint64 m_runId;
    StatisticsOptions m_o;
    QString m_error;
    RunHeader m_header;
    Axis m_axis;
    std::pair<qint64, qint64> m_stepRange{0, -1};

    std::vector<StepAcc> m_steps;
    std::unordered_map<std::string, int> m_stepByKey;
    std::string m_keyBuffer;
    std::vector<DeviceAcc> m_devices;
    std::unordered_map<std::string, int> m_deviceByName;
    int m_lastDevice = -1;
    StepIndex m_index;
    LatencyHistogram m_allLatency;

    QList<FaultStatistics> m_faults;
    bool m_faultsFromEvents = false;
    std::vector<int> m_globalPending;
    size_t m_globalPendingFront = 0;
    std::vector<int> m_globalActive;
    size_t m_nextFaultToStart = 0;
    std::vector<int> m_faultsByStart;

    std::vector<qint64> m_runFailureIds;
    std::vector<qint64> m_failBins, m_errorBins;
    qint64 m_failureCount = 0;
    qint64 m_expectedCount = 0;
    QMap<qint64, FailureDetail> m_details;

    LatencySummary m_allSummary;

    struct MeasAcc {
        MeasurementStatistics m;
        RunningStats stats;
        SeriesAcc series;
        int stepKey = -1;
    };
    std::vector<MeasAcc> m_meas;

    QList<EventEntry> m_events;
    qint64 m_eventCount = 0;
    QMap<QString, qint64> m_eventKinds;
};

bool Computation::run(RunStatistics *out, QString *error) {
    QString why;
    const auto h = m_db.header(m_runId, &why);
    if (!h) {
        *error = why;
        return false;
    }
    m_header = *h;
    const bool ok = timeAxis() && loadFaults() && passSteps() && resolvePercentiles()
                    && (!m_o.measurements || passMeasurements()) && loadFailureDetails() && loadEvents();
    if (!ok) {
        *error = QStringLiteral("reading run %1 of %2: %3").arg(m_runId).arg(m_db.path(), m_error);
        return false;
    }
    finish(out);
    return true;
}

bool Computation::timeAxis() {
    m_stepRange = m_db.idRange(RunQuery::Table::StepResults, m_runId);
    qint64 span = m_header.durationNs.value_or(0);
    if (!m_header.durationNs) {
        // An unfinished run: its axis ends at the last thing it recorded.
        SqliteStatement q(m_db.handle(),
                          "SELECT max(end_ns) FROM step_results WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3");
        q.bind(1, m_stepRange.first);
        q.bind(2, m_stepRange.second);
        q.bind(3, m_runId);
        if (!q.ok())
            return sqlFail(q);
        if (q.next())
            span = std::max(span, q.int64(0));
        SqliteStatement e(m_db.handle(), "SELECT max(t_ns) FROM events WHERE run_id = ?");
        e.bind(1, m_runId);
        if (e.ok() && e.next())
            span = std::max(span, e.int64(0));
    }
    m_axis.span = std::max<qint64>(1, span);
    m_axis.bins = std::max(1, m_o.timelineBins);
    return true;
}

bool Computation::loadFaults() {
    if (m_db.hasFaultsTable()) {
        SqliteStatement q(
            m_db.handle(),
            "SELECT id, device, target, kind, direction, params, seed, manual, start_ns, end_ns,"
            " recovery_ns, bytes_dropped, bytes_corrupted, bytes_delayed FROM faults"
            " WHERE run_id = ? ORDER BY start_ns, id LIMIT 100000");
        if (!q.ok())
            return sqlFail(q);
        q.bind(1, m_runId);
        while (q.next()) {
            FaultStatistics f;
            f.id = q.int64(0);
            f.device = q.text(1);
            f.target = q.text(2);
            f.kind = q.text(3);
            f.direction = q.text(4);
            f.params = q.text(5);
            f.seed = q.optInt64(6);
            f.manual = q.int64(7) != 0;
            f.startNs = q.int64(8);
            f.endNs = q.optInt64(9);
            f.recoveryNs = q.optInt64(10);
            f.recoveryRecorded = f.recoveryNs.has_value();
            f.bytesDropped = q.optInt64(11);
            f.bytesCorrupted = q.optInt64(12);
            f.bytesDelayed = q.optInt64(13);
            m_faults.append(f);
        }
        if (!q.done())
            return sqlFail(q);
    }
    if (m_faults.isEmpty()) {
        // Without fault rows (a file from before schema 2, or an engine that only logged events), a
        // fault-start is paired with the next fault-end of the same device.
        SqliteStatement q(m_db.handle(),
                          "SELECT t_ns, kind, device, detail FROM events WHERE run_id = ?"
                          " AND kind IN ('fault-start', 'fault-end') ORDER BY t_ns, id LIMIT 200000");
        if (!q.ok())
            return sqlFail(q);
        q.bind(1, m_runId);
        QMap<QString, QList<int>> open;
        while (q.next()) {
            const QString device = q.text(2);
            if (q.text(1) == u"fault-start") {
                FaultStatistics f;
                f.id = m_faults.size() + 1;
                f.device = device;
                f.params = q.text(3);
                f.kind = f.params.section(u' ', 0, 0);
                f.target = QStringLiteral("?");
                f.startNs = q.int64(0);
                open[device].append(static_cast<int>(m_faults.size()));
                m_faults.append(f);
            } else if (!open[device].isEmpty()) {
                m_faults[open[device].takeFirst()].endNs = q.int64(0);
            }
        }
        m_faultsFromEvents = !m_faults.isEmpty();
    }
    for (int i = 0; i < m_faults.size(); ++i) {
        m_faultsByStart.push_back(i);
        if (!m_faults[i].device.isEmpty())
            device(m_faults[i].device.toUtf8()); // every device exists before the passes hold references
    }
    // Faults that still need their recovery found, by end time, per device or run-wide.
    std::vector<int> byEnd;
    for (int i = 0; i < m_faults.size(); ++i) {
        if (m_faults[i].endNs && !m_faults[i].recoveryRecorded)
            byEnd.push_back(i);
    }
    std::stable_sort(byEnd.begin(), byEnd.end(),
                     [this](int a, int b) { return *m_faults[a].endNs < *m_faults[b].endNs; });
    for (int i : byEnd) {
        if (m_faults[i].device.isEmpty())
            m_globalPending.push_back(i);
        else
            deviceAt(device(m_faults[i].device.toUtf8())).pendingRecovery.push_back(i);
    }
    return true;
}

int Computation::device(QByteArrayView name) {
    if (m_lastDevice >= 0 && QByteArrayView(deviceAt(m_lastDevice).key) == name)
        return m_lastDevice;
    std::string key(name.data(), static_cast<size_t>(name.size()));
    auto it = m_deviceByName.find(key);
    if (it == m_deviceByName.end()) {
        DeviceAcc d;
        d.a.device = QString::fromUtf8(name);
        d.key = key;
        m_devices.push_back(std::move(d));
        it = m_deviceByName.emplace(std::move(key), static_cast<int>(m_devices.size()) - 1).first;
    }
    m_lastDevice = it->second;
    return m_lastDevice;
}

int Computation::stepKey(const SqliteStatement &q) {
    // Columns: 1 phase, 2 step_index, 3 step, 4 device.
    m_keyBuffer.clear();
    appendBytes(m_keyBuffer, q.bytes(1));
    const qint64 index = q.int64(2);
    m_keyBuffer.append(reinterpret_cast<const char *>(&index), sizeof index);
    appendBytes(m_keyBuffer, q.bytes(3));
    appendBytes(m_keyBuffer, q.bytes(4));
    const auto it = m_stepByKey.find(m_keyBuffer);
    if (it != m_stepByKey.end())
        return it->second;
    StepAcc acc;
    acc.s.phase = q.text(1);
    acc.s.stepIndex = static_cast<int>(index);
    acc.s.step = q.text(3);
    acc.s.device = q.text(4);
    m_steps.push_back(std::move(acc));
    const int k = static_cast<int>(m_steps.size()) - 1;
    m_stepByKey.emplace(m_keyBuffer, k);
    return k;
}

void Computation::faultBookkeeping(int device, V v, qint64 start, qint64 end) {
    // Faults that have begun by this result's start become active.
    while (m_nextFaultToStart < m_faultsByStart.size()
           && m_faults[m_faultsByStart[m_nextFaultToStart]].startNs <= start) {
        const int i = m_faultsByStart[m_nextFaultToStart++];
        if (m_faults[i].device.isEmpty())
            m_globalActive.push_back(i);
        else
            deviceAt(this->device(m_faults[i].device.toUtf8())).active.push_back(i);
    }
    DeviceAcc &d = deviceAt(device);
    const auto activeUntil = [this](int i) -> std::optional<qint64> {
        const FaultStatistics &f = m_faults[i];
        if (f.endNs && f.recoveryNs)
            return *f.endNs + *f.recoveryNs;
        return std::nullopt;
    };
    const auto prune = [&](std::vector<int> &active) {
        active.erase(std::remove_if(active.begin(), active.end(),
                                    [&](int i) {
                                        const auto until = activeUntil(i);
                                        return until && *until < start;
                                    }),
                     active.end());
    };
    prune(d.active);
    prune(m_globalActive);
    if (v == V::Fail || v == V::Error || v == V::Expected) {
        for (int i : d.active)
            ++m_faults[i].failedResults;
        for (int i : m_globalActive)
            ++m_faults[i].failedResults;
    }
    if (v == V::Pass) {
        const auto recover = [&](std::vector<int> &pending, size_t &front) {
            while (front < pending.size() && *m_faults[pending[front]].endNs < end) {
                FaultStatistics &f = m_faults[pending[front]];
                f.recoveryNs = end - *f.endNs;
                ++front;
            }
        };
        recover(d.pendingRecovery, d.pendingFront);
        recover(m_globalPending, m_globalPendingFront);
    }
}

void Computation::onResult(DeviceAcc &d, V v, qint64 start, qint64 end) {
    const qint64 from = d.seen ? std::min(d.prevEnd, end) : std::min(start, end);
    d.prevEnd = d.seen ? std::max(d.prevEnd, end) : end;
    d.seen = true;
    const qint64 len = std::max<qint64>(0, end - from);
    if (v == V::Pass) {
        d.a.upNs += len;
        m_axis.spread(d.up, from, end);
        m_axis.spread(d.known, from, end);
        d.closeOutage();
        d.state = 0;
    } else if (v == V::Fail) {
        d.a.downNs += len;
        m_axis.spread(d.known, from, end);
        if (d.state != 1) {
            ++d.a.failureEpisodes;
            d.inOutage = true;
            d.outageStart = from;
        }
        d.outageEnd = end;
        d.state = 1;
    } else if (v == V::Expected) {
        d.a.faultNs += len;
    } else {
        d.a.unknownNs += len;
    }
}

bool Computation::passSteps() {
    SqliteStatement q(m_db.handle(),
                      m_db.hasExpected()
                          ? "SELECT id, phase, step_index, step, device, start_ns, end_ns, latency_ns,"
                            " verdict, marginal, expected FROM step_results"
                            " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id"
                          : "SELECT id, phase, step_index, step, device, start_ns, end_ns, latency_ns,"
                            " verdict, marginal, 0 FROM step_results"
                            " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id");
    if (!q.ok())
        return sqlFail(q);
    q.bind(1, m_stepRange.first);
    q.bind(2, m_stepRange.second);
    q.bind(3, m_runId);
    while (q.next()) {
        const qint64 id = q.int64(0);
        const int k = stepKey(q);
        StepAcc &acc = m_steps[static_cast<size_t>(k)];
        StepStatistics &s = acc.s;
        const qint64 start = q.int64(5);
        const qint64 end = q.int64(6);
        V v = verdictOf(q.bytes(8));
        if ((v == V::Fail || v == V::Error) && q.int64(10) != 0)
            v = V::Expected;
        m_index.append(id, k * 2 + (v == V::Expected ? 1 : 0));
        ++s.results;
        s.totalNs += std::max<qint64>(0, end - start);
        if (q.int64(9) != 0)
            ++s.marginal;
        switch (v) {
        case V::Pass:
            ++s.pass;
            break;
        case V::Fail:
            ++s.fail;
            break;
        case V::Error:
            ++s.error;
            break;
        case V::Abort:
        case V::Other:
            ++s.abort;
            break;
        case V::Expected:
            ++s.expected;
            ++m_expectedCount;
            break;
        }
        if (!q.isNull(7)) {
            const qint64 latency = q.int64(7);
            s.histogram.add(latency);
            m_allLatency.add(latency);
            acc.latency.add(start, static_cast<double>(latency), m_axis, m_o.rawPointLimit);
        }
        if (v == V::Pass || v == V::Fail) {
            const int pf = v == V::Fail ? 1 : 0;
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
        if (v == V::Fail || v == V::Error) {
            ++m_failureCount;
            if (m_failBins.empty()) {
                m_failBins.assign(static_cast<size_t>(m_axis.bins), 0);
                m_errorBins.assign(static_cast<size_t>(m_axis.bins), 0);
            }
            ++m_failBins[static_cast<size_t>(m_axis.bin(start))];
            if (v == V::Error)
                ++m_errorBins[static_cast<size_t>(m_axis.bin(start))];
            if (static_cast<int>(acc.failureIds.size()) < m_o.failuresPerStep)
                acc.failureIds.push_back(id);
            if (static_cast<int>(m_runFailureIds.size()) < m_o.failureDetails)
                m_runFailureIds.push_back(id);
        }
        const int d = device(q.bytes(4));
        onResult(deviceAt(d), v, start, end);
        faultBookkeeping(d, v, start, end);
    }
    if (!q.done())
        return sqlFail(q);
    return true;
}

bool Computation::resolvePercentiles() {
    // Histograms: one per step, then all steps together.
    std::vector<const LatencyHistogram *> hists;
    std::vector<LatencySummary *> summaries;
    std::vector<LatencySummary> stepSummaries(m_steps.size());
    for (size_t i = 0; i < m_steps.size(); ++i) {
        hists.push_back(&m_steps[i].s.histogram);
        summaries.push_back(&m_steps[i].s.latency);
    }
    hists.push_back(&m_allLatency);
    summaries.push_back(&m_allSummary);

    struct Request {
        size_t hist;
        int bucket;
        qint64 rank;
        qint64 *slot;
    };
    std::vector<Request> requests;
    std::unordered_map<qint64, std::vector<qint64>> collect; // hist << 16 | bucket
    qint64 toCollect = 0;
    for (size_t h = 0; h < hists.size(); ++h) {
        const LatencyHistogram &hist = *hists[h];
        LatencySummary &sum = *summaries[h];
        sum = {};
        sum.count = hist.count();
        if (hist.count() == 0)
            continue;
        sum.minNs = hist.min();
        sum.maxNs = hist.max();
        sum.meanNs = hist.mean();
        for (int p = 0; p < 5; ++p) {
            int bucket = 0;
            qint64 rankIn = 0;
            hist.rankBucket(nearestRank(hist.count(), kPercentiles[p]), &bucket, &rankIn);
            const auto &b = hist.buckets()[static_cast<size_t>(bucket)];
            qint64 *slot = percentileSlot(sum, p);
            if (b.min == b.max) {
                *slot = b.min;
                continue;
            }
            const qint64 key = static_cast<qint64>(h) << 16 | bucket;
            if (!collect.count(key)) {
                collect[key];
                toCollect += b.count;
            }
            requests.push_back({h, bucket, rankIn, slot});
        }
    }
    if (requests.empty())
        return true;
    if (toCollect > m_o.maxCollected) {
        for (const Request &r : requests) {
            const auto &b = hists[r.hist]->buckets()[static_cast<size_t>(r.bucket)];
            *r.slot =
                b.min
                + static_cast<qint64>(static_cast<double>(b.max - b.min) * (static_cast<double>(r.rank) - 0.5)
                                      / static_cast<double>(b.count));
            summaries[r.hist]->exact = false;
        }
        return true;
    }
    const size_t all = hists.size() - 1;
    SqliteStatement q(m_db.handle(), "SELECT id, latency_ns FROM step_results"
                                     " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 AND latency_ns IS NOT NULL"
                                     " ORDER BY id");
    if (!q.ok())
        return sqlFail(q);
    q.bind(1, m_stepRange.first);
    q.bind(2, m_stepRange.second);
    q.bind(3, m_runId);
    m_index.rewind();
    while (q.next()) {
        const qint64 latency = std::max<qint64>(0, q.int64(1));
        const qint64 bucket = LatencyHistogram::bucketOf(latency);
        const int found = m_index.find(q.int64(0));
        const int k = found >= 0 ? found / 2 : -1;
        if (k >= 0) {
            const auto it = collect.find(static_cast<qint64>(k) << 16 | bucket);
            if (it != collect.end())
                it->second.push_back(latency);
        }
        const auto it = collect.find(static_cast<qint64>(all) << 16 | bucket);
        if (it != collect.end())
            it->second.push_back(latency);
    }
    if (!q.done())
        return sqlFail(q);
    for (const Request &r : requests) {
        std::vector<qint64> &values = collect[static_cast<qint64>(r.hist) << 16 | r.bucket];
        if (values.empty() || r.rank > static_cast<qint64>(values.size())) {
            summaries[r.hist]->exact = false; // the data changed between the passes
            continue;
        }
        const auto nth = values.begin() + (r.rank - 1);
        std::nth_element(values.begin(), nth, values.end());
        *r.slot = *nth;
    }
    return true;
}

bool Computation::passMeasurements() {
    const auto range = m_db.idRange(RunQuery::Table::Measurements, m_runId);
    SqliteStatement q(
        m_db.handle(),
        "SELECT step_result_id, name, unit, value, low, high, marginal_low, marginal_high, verdict,"
        " marginal, t_ns FROM measurements WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3");
    if (!q.ok())
        return sqlFail(q);
    q.bind(1, range.first);
    q.bind(2, range.second);
    q.bind(3, m_runId);
    std::unordered_map<std::string, int> byKey;
    std::string key;
    m_index.rewind();
    while (q.next()) {
        const int found = m_index.find(q.int64(0));
        const int k = found >= 0 ? found / 2 : -1;
        const bool expected = found >= 0 && found % 2 == 1;
        key.clear();
        key.append(reinterpret_cast<const char *>(&k), sizeof k);
        const QByteArrayView name = q.bytes(1);
        key.append(name.data(), static_cast<size_t>(name.size()));
        auto it = byKey.find(key);
        if (it == byKey.end()) {
            MeasAcc acc;
            acc.stepKey = k;
            MeasurementStatistics &m = acc.m;
            if (k >= 0) {
                const StepStatistics &s = m_steps[static_cast<size_t>(k)].s;
                m.phase = s.phase;
                m.stepIndex = s.stepIndex;
                m.step = s.step;
                m.device = s.device;
            }
            m.name = q.text(1);
            m.unit = q.text(2);
            m.low = q.optReal(4);
            m.high = q.optReal(5);
            m.marginalLow = q.optReal(6);
            m.marginalHigh = q.optReal(7);
            m_meas.push_back(std::move(acc));
            it = byKey.emplace(key, static_cast<int>(m_meas.size()) - 1).first;
        }
        MeasAcc &acc = m_meas[static_cast<size_t>(it->second)];
        ++acc.m.samples;
        if (expected)
            ++acc.m.expected;
        else if (q.bytes(8) == "FAIL")
            ++acc.m.fail;
        if (q.int64(9) != 0)
            ++acc.m.marginal;
        if (q.isNull(3)) {
            if (!expected)
                ++acc.m.nonNumeric;
            continue;
        }
        const double value = q.real(3);
        acc.stats.add(value);
        acc.series.add(q.int64(10), value, m_axis, m_o.rawPointLimit);
    }
    if (!q.done())
        return sqlFail(q);
    return true;
}

bool Computation::loadFailureDetails() {
    std::vector<qint64> ids = m_runFailureIds;
    for (const StepAcc &s : m_steps)
        ids.insert(ids.end(), s.failureIds.cbegin(), s.failureIds.cend());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.empty())
        return true;
    SqliteStatement q(m_db.handle(),
                      "SELECT phase, step, device, iteration, repetition, start_ns, end_ns,"
                      " latency_ns, verdict, message, substr(response, 1, ?2), length(response)"
                      " FROM step_results WHERE id = ?1");
    if (!q.ok())
        return sqlFail(q);
    for (qint64 id : ids) {
        q.reset();
        q.bind(1, id);
        q.bind(2, static_cast<qint64>(m_o.responseBytes));
        if (!q.next())
            continue;
        FailureDetail f;
        f.stepResultId = id;
        f.phase = q.text(0);
        f.step = q.text(1);
        f.device = q.text(2);
        f.iteration = q.int64(3);
        f.repetition = q.int64(4);
        f.startNs = q.int64(5);
        f.endNs = q.int64(6);
        f.latencyNs = q.optInt64(7);
        f.verdict = q.text(8);
        f.message = q.text(9);
        f.response = q.blob(10);
        f.responseSize = q.int64(11);
        m_details.insert(id, f);
    }
    // The lines exchanged with the device around the first failures, when the run recorded them.
    SqliteStatement x(m_db.handle(), "SELECT t_ns, direction, substr(data, 1, 512) FROM exchanges"
                                     " WHERE run_id = ?1 AND t_ns BETWEEN ?2 AND ?3 AND device = ?4"
                                     " ORDER BY t_ns DESC, id DESC LIMIT ?5");
    if (!x.ok())
        return sqlFail(x);
    const size_t n = std::min(m_runFailureIds.size(), static_cast<size_t>(std::max(0, m_o.exchangeFailures)));
    for (size_t i = 0; i < n; ++i) {
        FailureDetail &f = m_details[m_runFailureIds[i]];
        x.reset();
        x.bind(1, m_runId);
        x.bind(2, f.startNs - m_o.exchangeWindowNs);
        x.bind(3, f.endNs);
        x.bind(4, f.device);
        x.bind(5, static_cast<qint64>(m_o.exchangeLines));
        while (x.next())
            f.exchanges.prepend({x.int64(0), x.text(1) == u"tx", x.blob(2)});
    }
    return true;
}

bool Computation::loadEvents() {
    SqliteStatement q(
        m_db.handle(),
        "SELECT t_ns, kind, device, detail FROM events WHERE run_id = ? ORDER BY t_ns, id LIMIT ?");
    if (!q.ok())
        return sqlFail(q);
    q.bind(1, m_runId);
    q.bind(2, static_cast<qint64>(m_o.eventLimit));
    while (q.next())
        m_events.append({q.int64(0), q.text(1), q.text(2), q.text(3)});
    SqliteStatement c(m_db.handle(), "SELECT kind, count(*) FROM events WHERE run_id = ? GROUP BY kind");
    if (!c.ok())
        return sqlFail(c);
    c.bind(1, m_runId);
    while (c.next()) {
        m_eventKinds.insert(c.text(0), c.int64(1));
        m_eventCount += c.int64(1);
    }
    return c.done();
}

QList<Finding> makeFindings(const RunStatistics &r);

void Computation::finish(RunStatistics *out) {
    RunStatistics &r = *out;
    r.run = m_header;
    r.spanNs = m_axis.span;
    r.timelineBins = m_axis.bins;
    r.binNs = std::max<qint64>(1, m_axis.span / m_axis.bins);

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
        StepAcc &acc = m_steps[static_cast<size_t>(k)];
        StepStatistics s = std::move(acc.s);
        s.latencyOverTime = acc.latency.finish(m_axis, m_o.rawPointLimit);
        s.failureRate = wilsonInterval(s.fail, s.pass + s.fail);
        for (qint64 id : acc.failureIds)
            s.firstFailures.append(m_details.value(id));
        if (s.longestFailStreak > r.longestFailStreak) {
            r.longestFailStreak = s.longestFailStreak;
            r.longestFailStreakStep = s.step;
            r.longestFailStreakStartNs = s.longestFailStreakStartNs;
        }
        r.steps.append(std::move(s));
    }
    r.latency = m_allSummary;
    qint64 pass = 0, fail = 0;
    for (const StepStatistics &s : std::as_const(r.steps)) {
        pass += s.pass;
        fail += s.fail;
    }
    r.failureRate = wilsonInterval(fail, pass + fail);

    // Measurements in step order, then by name.
    std::stable_sort(m_meas.begin(), m_meas.end(), [&rankOf](const MeasAcc &a, const MeasAcc &b) {
        const int ra = a.stepKey >= 0 ? rankOf[static_cast<size_t>(a.stepKey)] : 1 << 30;
        const int rb = b.stepKey >= 0 ? rankOf[static_cast<size_t>(b.stepKey)] : 1 << 30;
        if (ra != rb)
            return ra < rb;
        return a.m.name < b.m.name;
    });
    for (MeasAcc &acc : m_meas) {
        MeasurementStatistics m = std::move(acc.m);
        m.count = acc.stats.count();
        if (m.count > 0) {
            m.mean = acc.stats.mean();
            m.stddev = acc.stats.stddev();
            m.min = acc.stats.min();
            m.max = acc.stats.max();
        }
        m.cpk = processCapability(m.count, m.mean, m.stddev, m.low, m.high);
        m.series = acc.series.finish(m_axis, m_o.rawPointLimit);
        r.measurements.append(std::move(m));
    }

    // Devices by name.
    std::sort(m_devices.begin(), m_devices.end(),
              [](const DeviceAcc &a, const DeviceAcc &b) { return a.a.device < b.a.device; });
    for (DeviceAcc &d : m_devices) {
        if (!d.seen)
            continue;
        d.closeOutage();
        DeviceAvailability a = d.a;
        if (a.upNs + a.downNs > 0)
            a.availability = static_cast<double>(a.upNs) / static_cast<double>(a.upNs + a.downNs);
        if (a.failureEpisodes > 0)
            a.mtbfNs = static_cast<double>(a.upNs) / static_cast<double>(a.failureEpisodes);
        a.timeline.reserve(m_axis.bins);
        for (int b = 0; b < m_axis.bins; ++b) {
            const double known = d.known.empty() ? 0.0 : d.known[static_cast<size_t>(b)];
            const double up = d.up.empty() ? 0.0 : d.up[static_cast<size_t>(b)];
            a.timeline.append(known > 0 ? static_cast<float>(up / known) : -1.0f);
        }
        r.upNs += a.upNs;
        r.downNs += a.downNs;
        r.failureEpisodes += a.failureEpisodes;
        r.devices.append(std::move(a));
    }
    if (r.upNs + r.downNs > 0)
        r.availability = static_cast<double>(r.upNs) / static_cast<double>(r.upNs + r.downNs);
    if (r.failureEpisodes > 0)
        r.mtbfNs = static_cast<double>(r.upNs) / static_cast<double>(r.failureEpisodes);

    r.faults = m_faults;
    r.faultsFromEvents = m_faultsFromEvents;
    r.events = m_events;
    r.eventCount = m_eventCount;
    r.eventKinds = m_eventKinds;
    r.failureCount = m_failureCount;
    r.expectedCount = m_expectedCount;
    r.failuresOverTime = QList<qint64>(m_failBins.cbegin(), m_failBins.cend());
    r.errorsOverTime = QList<qint64>(m_errorBins.cbegin(), m_errorBins.cend());
    for (qint64 id : m_runFailureIds)
        r.failures.append(m_details.value(id));
    r.findings = makeFindings(r);
}

QString quoted(const QString &s) {
    return QStringLiteral("'%1'").arg(s);
}

QList<Finding> makeFindings(const RunStatistics &r) {
    using S = Finding::Severity;
    QList<Finding> out;
    const auto add = [&out](S severity, QString title, QString detail = QString()) {
        out.append({severity, std::move(title), std::move(detail)});
    };
    if (r.run.unfinished())
        add(S::Critical, QStringLiteral("The run did not finish"),
            QStringLiteral(
                "It is still recording, or its process ended without closing it; the figures cover "
                "what was recorded up to %1.")
                .arg(formatOffset(r.spanNs)));
    if (r.run.verdict == u"ERROR")
        add(S::Critical,
            QStringLiteral("Bench error: %1")
                .arg(r.run.reason.isEmpty() ? QStringLiteral("the harness or bench failed") : r.run.reason),
            QStringLiteral("An ERROR is the bench's failure (port, link, simulator), not the device's."));
    else if (r.run.verdict == u"ABORT")
        add(S::Critical,
            QStringLiteral("Aborted: %1")
                .arg(r.run.reason.isEmpty() ? QStringLiteral("stopped") : r.run.reason),
            QStringLiteral("Everything up to the abort was recorded."));
    for (const FaultStatistics &f : r.faults) {
        if (f.endNs && !f.recoveryNs)
            add(S::Critical,
                QStringLiteral("%1 did not recover after the %2 fault at %3")
                    .arg(f.device.isEmpty() ? QStringLiteral("The bench") : quoted(f.device), f.kind,
                         formatOffset(f.startNs)),
                QStringLiteral("No passing result after the fault ended at %1.").arg(formatOffset(*f.endNs)));
    }
    // Failing steps, most failures first.
    QList<const StepStatistics *> failing;
    for (const StepStatistics &s : r.steps) {
        if (s.fail > 0 || s.error > 0)
            failing.append(&s);
    }
    std::stable_sort(failing.begin(), failing.end(), [](const StepStatistics *a, const StepStatistics *b) {
        return a->fail + a->error > b->fail + b->error;
    });
    for (const StepStatistics *s : std::as_const(failing)) {
        const QString first = s->firstFailures.isEmpty() ? QString() : s->firstFailures.first().message;
        if (s->fail > 0) {
            QString detail = QStringLiteral("95 % CI %1 to %2")
                                 .arg(formatPercent(s->failureRate.low), formatPercent(s->failureRate.high));
            if (s->longestFailStreak > 1)
                detail += QStringLiteral("; longest streak %1 in a row from %2")
                              .arg(s->longestFailStreak)
                              .arg(formatOffset(s->longestFailStreakStartNs));
            if (!first.isEmpty())
                detail += QStringLiteral("; first: %1").arg(first);
            add(S::Major,
                QStringLiteral("Step %1 on %2 failed %3 of %4 (%5)")
                    .arg(quoted(s->step), s->device, QString::number(s->fail),
                         QString::number(s->pass + s->fail), formatPercent(s->failureRate.rate)),
                detail);
        }
        if (s->error > 0)
            add(S::Major,
                QStringLiteral("Step %1 on %2: %3 bench errors")
                    .arg(quoted(s->step), s->device, QString::number(s->error)),
                first.isEmpty() ? QString() : QStringLiteral("First: %1").arg(first));
    }
    for (const MeasurementStatistics &m : r.measurements) {
        // A capture that is not a number fails too, but is not "out of limits".
        const qint64 outside = m.fail - m.nonNumeric;
        if (m.nonNumeric > 0)
            add(S::Major,
                QStringLiteral("%1 was not a number in %2 of %3 samples")
                    .arg(quoted(m.name), QString::number(m.nonNumeric), QString::number(m.samples)),
                QStringLiteral("step %1; the device's answers are listed under Failures")
                    .arg(quoted(m.step)));
        if (outside > 0)
            add(S::Major,
                QStringLiteral("%1 out of limits in %2 of %3 samples")
                    .arg(quoted(m.name), QString::number(outside), QString::number(m.samples)),
                QStringLiteral("Range %1 to %2 %3 against limits %4 (step %5)")
                    .arg(formatValue(m.min), formatValue(m.max), m.unit, formatRange(m.low, m.high),
                         quoted(m.step)));
    }
    for (const DeviceAvailability &d : r.devices) {
        if (d.availability && *d.availability < 0.99)
            add(S::Major,
                QStringLiteral("%1 available %2 of the time")
                    .arg(quoted(d.device), formatPercent(*d.availability)),
                QStringLiteral("%1 outages; longest %2 from %3")
                    .arg(d.failureEpisodes)
                    .arg(formatDuration(Nanoseconds(d.longestOutageNs)),
                         formatOffset(d.longestOutageStartNs)));
    }
    for (const MeasurementStatistics &m : r.measurements) {
        if (m.fail == 0 && m.cpk && *m.cpk < 1.33)
            add(S::Minor,
                QStringLiteral("%1 is close to its limits: Cpk %2")
                    .arg(quoted(m.name), QString::number(*m.cpk, 'f', 2)),
                QStringLiteral("mean %1 %2, sigma %3, limits %4; a capable process has Cpk >= 1.33")
                    .arg(formatValue(m.mean), m.unit, formatValue(m.stddev), formatRange(m.low, m.high)));
    }
    for (const StepStatistics &s : r.steps) {
        if (s.flaky())
            add(S::Minor, QStringLiteral("Step %1 is flaky: passed %2, failed %3, changed %4 times")
                              .arg(quoted(s.step), QString::number(s.pass), QString::number(s.fail),
                                   QString::number(s.flips)));
    }
    qint64 marginal = 0;
    for (const MeasurementStatistics &m : r.measurements)
        marginal += m.marginal;
    if (marginal > 0)
        add(S::Minor,
            QStringLiteral("%1 marginal samples (inside limits, outside the marginal band)").arg(marginal));
    QList<qint64> recoveries;
    for (const FaultStatistics &f : r.faults) {
        if (f.recoveryNs)
            recoveries.append(*f.recoveryNs);
    }
    if (!recoveries.isEmpty()) {
        std::sort(recoveries.begin(), recoveries.end());
        add(S::Info, QStringLiteral("Recovered from %1 faults: median %2, slowest %3")
                         .arg(recoveries.size())
                         .arg(formatDuration(Nanoseconds(recoveries[(recoveries.size() - 1) / 2])),
                              formatDuration(Nanoseconds(recoveries.last()))));
    }
    if (r.expectedCount > 0)
        add(S::Info, QStringLiteral("%1 failures during injected faults were expected").arg(r.expectedCount),
            QStringLiteral(
                "They count in neither the failure rate nor availability; the Faults table has them per "
                "fault."));
    std::stable_sort(out.begin(), out.end(),
                     [](const Finding &a, const Finding &b) { return a.severity < b.severity; });
    return out;
}

} // namespace

QString severityName(Finding::Severity s) {
    switch (s) {
    case Finding::Severity::Critical:
        return QStringLiteral("critical");
    case Finding::Severity::Major:
        return QStringLiteral("major");
    case Finding::Severity::Minor:
        return QStringLiteral("minor");
    case Finding::Severity::Info:
        return QStringLiteral("info");
    }
    return QStringLiteral("info");
}

qint64 RunStatistics::stepResultCount() const {
    qint64 n = 0;
    for (const StepStatistics &s : steps)
        n += s.results;
    return n;
}

qint64 RunStatistics::sampleCount() const {
    qint64 n = 0;
    for (const MeasurementStatistics &m : measurements)
        n += m.samples;
    return n;
}

QList<const StepStatistics *> RunStatistics::flakySteps() const {
    QList<const StepStatistics *> out;
    for (const StepStatistics &s : steps) {
        if (s.flaky())
            out.append(&s);
    }
    return out;
}

std::optional<RunStatistics> computeRunStatistics(const RunQuery &db, qint64 runId,
                                                  const StatisticsOptions &options, QString *error) {
    RunStatistics r;
    QString why;
    Computation c(db, runId, options);
    if (!c.run(&r, &why)) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    return r;
}

QList<HistogramBin> logBins(const LatencyHistogram &h, qint64 lowNs, qint64 highNs, int bins) {
    QList<HistogramBin> out;
    if (bins < 1 || lowNs <= 0 || highNs <= lowNs)
        return out;
    const double l0 = std::log(static_cast<double>(lowNs));
    const double l1 = std::log(static_cast<double>(highNs));
    for (int i = 0; i < bins; ++i) {
        HistogramBin b;
        b.lowNs = static_cast<qint64>(std::exp(l0 + (l1 - l0) * i / bins));
        b.highNs = static_cast<qint64>(std::exp(l0 + (l1 - l0) * (i + 1) / bins));
        out.append(b);
    }
    out.first().lowNs = lowNs;
    out.last().highNs = highNs;
    const auto &buckets = h.buckets();
    for (size_t i = 0; i < buckets.size(); ++i) {
        const auto &b = buckets[i];
        if (b.count == 0)
            continue;
        // A fine bucket goes where the middle of its values lies (its own width is at most 3.1 %).
        const double mid = std::max(1.0, (static_cast<double>(b.min) + static_cast<double>(b.max)) / 2);
        int k = static_cast<int>((std::log(mid) - l0) / (l1 - l0) * bins);
        k = std::clamp(k, 0, bins - 1);
        out[k].count += b.count;
    }
    return out;
}

} // namespace hil
