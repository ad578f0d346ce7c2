#include "core/export/runmetrics.h"

#include "core/base/eventkind.h"
#include "core/base/verdict.h"
#include "core/export/prometheustext.h"

#include <QMutexLocker>
#include <cmath>

namespace hil {

namespace {

double seconds(qint64 ns) {
    return static_cast<double>(ns) / 1e9;
}

} // namespace

void RunMetrics::runStarted(const RunHeader &info) {
    const QMutexLocker lock(&m_mutex);
    m_info = info;
    m_started = true;
}

void RunMetrics::runInfoChanged(const RunHeader &info) {
    const QMutexLocker lock(&m_mutex);
    m_info = info;
}

void RunMetrics::stepFinished(const StepResult &r) {
    const QMutexLocker lock(&m_mutex);
    if (r.retried) {
        ++m_retries[r.device];
        return;
    }
    ++m_steps[r.device]
             [verdictName(r.verdict) + (r.expected ? QStringLiteral("|true") : QStringLiteral("|false"))];
    if (r.latencyNs >= 0) {
        Histogram &h = m_latency[r.device];
        const double s = seconds(r.latencyNs);
        std::size_t i = 0;
        while (i < kLatencyBuckets.size() && s > kLatencyBuckets[i])
            ++i;
        if (i < kLatencyBuckets.size())
            ++h.buckets[i];
        ++h.count;
        h.sumSeconds += s;
    }
    for (const MeasurementResult &m : r.measurements)
        if (std::isfinite(m.value))
            m_lastMeasurement[{r.device, m.name}] = {m.value, m.unit};
}

void RunMetrics::countsChanged(const RunCounts &c) {
    const QMutexLocker lock(&m_mutex);
    m_verdictSoFar = c.abort > 0   ? Verdict::Abort
                     : c.error > 0 ? Verdict::Error
                     : c.fail > 0  ? Verdict::Fail
                                   : Verdict::Pass;
}

void RunMetrics::eventRecorded(const Event &e) {
    const QMutexLocker lock(&m_mutex);
    ++m_events[e.kind];
    if (e.device.isEmpty())
        return;
    if (e.kind == eventKindName(EventKind::Connect) || e.kind == eventKindName(EventKind::Reconnect))
        m_connected[e.device] = 1;
    else if (e.kind == eventKindName(EventKind::Disconnect))
        m_connected[e.device] = 0;
}

void RunMetrics::progress(qint64 iterationsDone, qint64 elapsedNs, qint64 plannedNs) {
    const QMutexLocker lock(&m_mutex);
    m_iterations = iterationsDone;
    m_elapsedNs = elapsedNs;
    m_plannedNs = plannedNs;
}

void RunMetrics::faultStarted(const FaultRecord &f) {
    const QMutexLocker lock(&m_mutex);
    const FaultKey key{f.device, f.kind};
    m_openFaults.insert(f.id, key);
    ++m_faultsActive[key];
    ++m_faultsTotal[key];
}

void RunMetrics::faultEnded(const FaultRecord &f) {
    const QMutexLocker lock(&m_mutex);
    const auto it = m_openFaults.find(f.id);
    if (it == m_openFaults.end())
        return;
    qint64 &active = m_faultsActive[*it];
    active = std::max<qint64>(0, active - 1);
    m_openFaults.erase(it);
}

void RunMetrics::runFinished(const RunSummary &summary) {
    const QMutexLocker lock(&m_mutex);
    m_finished = true;
    m_verdictSoFar = summary.verdict;
    m_iterations = summary.iterations;
    m_elapsedNs = summary.durationNs;
    for (auto it = m_faultsActive.begin(); it != m_faultsActive.end(); ++it)
        it.value() = 0;
}

QByteArray RunMetrics::exposition() const {
    const QMutexLocker lock(&m_mutex);
    PrometheusText w;
    w.family("hil_run_info", "gauge", "The run being served: 1, with who ran what on which bench as labels.");
    if (m_started)
        w.sample("hil_run_info",
                 {{"run_uuid", m_info.uuid},
                  {"scenario", m_info.scenario},
                  {"fixture", m_info.fixture},
                  {"station", m_info.station},
                  {"dut_serial", m_info.dutSerial},
                  {"firmware", m_info.firmware}},
                 1);
    w.family("hil_run_start_time_seconds", "gauge", "When the run started, seconds since the Unix epoch.");
    if (m_started)
        w.sample("hil_run_start_time_seconds", {}, seconds(m_info.startedAtNs));
    w.family("hil_run_elapsed_seconds", "gauge", "How long the run has been going (monotonic).");
    w.sample("hil_run_elapsed_seconds", {}, seconds(m_elapsedNs));
    w.family("hil_run_planned_seconds", "gauge",
             "The run's planned length (--for or a timed loop); 0 if open-ended.");
    w.sample("hil_run_planned_seconds", {}, seconds(m_plannedNs));
    w.family("hil_run_iterations_total", "counter", "Completed passes of the scenario's steps.");
    w.sample("hil_run_iterations_total", {}, static_cast<double>(m_iterations));
    w.family("hil_run_running", "gauge", "1 while the run goes on, 0 once it has ended.");
    w.sample("hil_run_running", {}, m_finished ? 0 : 1);
    w.family("hil_run_verdict", "gauge",
             "1 for the run's verdict: so far, from the results counted, while it runs; then its final one.");
    for (const Verdict v : {Verdict::Pass, Verdict::Fail, Verdict::Error, Verdict::Abort})
        w.sample("hil_run_verdict", {{"verdict", verdictName(v)}}, v == m_verdictSoFar ? 1 : 0);

    w.family("hil_steps_total", "counter",
             "Step results by device and verdict; expected=\"true\" for failures during a fault window.");
    for (auto d = m_steps.cbegin(); d != m_steps.cend(); ++d)
        for (auto v = d.value().cbegin(); v != d.value().cend(); ++v)
            w.sample("hil_steps_total",
                     {{"device", d.key()},
                      {"verdict", v.key().section(u'|', 0, 0)},
                      {"expected", v.key().section(u'|', 1)}},
                     static_cast<double>(v.value()));
    w.family("hil_step_retries_total", "counter",
             "Tries of retry/until steps that a later try followed (in no verdict).");
    for (auto it = m_retries.cbegin(); it != m_retries.cend(); ++it)
        w.sample("hil_step_retries_total", {{"device", it.key()}}, static_cast<double>(it.value()));

    w.family("hil_step_latency_seconds", "histogram", "Send-to-answer latency of step results, by device.");
    for (auto it = m_latency.cbegin(); it != m_latency.cend(); ++it) {
        const Histogram &h = it.value();
        qint64 cumulative = 0;
        for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
            cumulative += h.buckets[i];
            w.sample("hil_step_latency_seconds_bucket",
                     {{"device", it.key()}, {"le", QString::number(kLatencyBuckets[i], 'g', 12)}},
                     static_cast<double>(cumulative));
        }
        w.sample("hil_step_latency_seconds_bucket", {{"device", it.key()}, {"le", QStringLiteral("+Inf")}},
                 static_cast<double>(h.count));
        w.sample("hil_step_latency_seconds_sum", {{"device", it.key()}}, h.sumSeconds);
        w.sample("hil_step_latency_seconds_count", {{"device", it.key()}}, static_cast<double>(h.count));
    }

    w.family("hil_faults_active", "gauge", "Faults acting now, by device (or proxy) and kind.");
    for (auto it = m_faultsActive.cbegin(); it != m_faultsActive.cend(); ++it)
        w.sample("hil_faults_active", {{"device", it.key().device}, {"kind", it.key().kind}},
                 static_cast<double>(it.value()));
    w.family("hil_faults_total", "counter", "Faults started, by device (or proxy) and kind.");
    for (auto it = m_faultsTotal.cbegin(); it != m_faultsTotal.cend(); ++it)
        w.sample("hil_faults_total", {{"device", it.key().device}, {"kind", it.key().kind}},
                 static_cast<double>(it.value()));

    w.family("hil_device_connected", "gauge", "1 while a device's link is up, 0 after it was lost.");
    for (auto it = m_connected.cbegin(); it != m_connected.cend(); ++it)
        w.sample("hil_device_connected", {{"device", it.key()}}, it.value());
    w.family("hil_events_total", "counter", "Run events by kind (docs/schema.md, events).");
    for (auto it = m_events.cbegin(); it != m_events.cend(); ++it)
        w.sample("hil_events_total", {{"kind", it.key()}}, static_cast<double>(it.value()));
    w.family("hil_measurement_last", "gauge",
             "The last numeric value of each measured capture, by device and name.");
    for (auto it = m_lastMeasurement.cbegin(); it != m_lastMeasurement.cend(); ++it)
        w.sample("hil_measurement_last",
                 {{"device", it.key().first}, {"name", it.key().second}, {"unit", it.value().second}},
                 it.value().first);
    return w.text();
}

} // namespace hil
