#include "core/export/runmetrics.h"

#include "core/base/eventkind.h"
#include "core/base/verdict.h"

#include <QMutexLocker>
#include <charconv>
#include <cmath>

namespace hil {

namespace {

// A label value as the text format wants it: backslash, double quote and newline escaped.
void appendLabelValue(QByteArray &out, const QString &value) {
    const QByteArray utf8 = value.toUtf8();
    for (const char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

void appendNumber(QByteArray &out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
        return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr - buf);
}

struct Writer {
    QByteArray out;
    void header(const char *name, const char *type, const char *help) {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
    }
    // name{k="v",...} value
    void sample(const char *name, std::initializer_list<std::pair<const char *, QString>> labels,
                double value) {
        out += name;
        if (labels.size() > 0) {
            out += '{';
            bool first = true;
            for (const auto &[k, v] : labels) {
                if (!first)
                    out += ',';
                first = false;
                out += k;
                out += "=\"";
                appendLabelValue(out, v);
                out += '"';
            }
            out += '}';
        }
        out += ' ';
        appendNumber(out, value);
        out += '\n';
    }
};

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
    m_verdict = verdictName(summary.verdict);
    m_iterations = summary.iterations;
    m_elapsedNs = summary.durationNs;
    for (auto it = m_faultsActive.begin(); it != m_faultsActive.end(); ++it)
        it.value() = 0;
}

QByteArray RunMetrics::exposition() const {
    const QMutexLocker lock(&m_mutex);
    Writer w;
    w.out.reserve(4096);
    w.header("hil_run_info", "gauge", "The run being served: 1, with who ran what on which bench as labels.");
    if (m_started)
        w.sample("hil_run_info",
                 {{"run_uuid", m_info.uuid},
                  {"scenario", m_info.scenario},
                  {"fixture", m_info.fixture},
                  {"station", m_info.station},
                  {"dut_serial", m_info.dutSerial},
                  {"firmware", m_info.firmware}},
                 1);
    w.header("hil_run_start_time_seconds", "gauge", "When the run started, seconds since the Unix epoch.");
    if (m_started)
        w.sample("hil_run_start_time_seconds", {}, seconds(m_info.startedAtNs));
    w.header("hil_run_elapsed_seconds", "gauge", "How long the run has been going (monotonic).");
    w.sample("hil_run_elapsed_seconds", {}, seconds(m_elapsedNs));
    w.header("hil_run_planned_seconds", "gauge",
             "The run's planned length (--for or a timed loop); 0 if open-ended.");
    w.sample("hil_run_planned_seconds", {}, seconds(m_plannedNs));
    w.header("hil_run_iterations_total", "counter", "Completed passes of the scenario's steps.");
    w.sample("hil_run_iterations_total", {}, static_cast<double>(m_iterations));
    w.header("hil_run_verdict", "gauge",
             "1 for the run's state: RUNNING until it ends, then its verdict (PASS, FAIL, ERROR, ABORT).");
    for (const char *v : {"RUNNING", "PASS", "FAIL", "ERROR", "ABORT"}) {
        const QString name = QString::fromLatin1(v);
        const bool on = m_verdict.isEmpty() ? name == u"RUNNING" : name == m_verdict;
        w.sample("hil_run_verdict", {{"verdict", name}}, on ? 1 : 0);
    }

    w.header("hil_steps_total", "counter",
             "Step results by device and verdict; expected=\"true\" for failures during a fault window.");
    for (auto d = m_steps.cbegin(); d != m_steps.cend(); ++d)
        for (auto v = d.value().cbegin(); v != d.value().cend(); ++v)
            w.sample("hil_steps_total",
                     {{"device", d.key()},
                      {"verdict", v.key().section(u'|', 0, 0)},
                      {"expected", v.key().section(u'|', 1)}},
                     static_cast<double>(v.value()));
    w.header("hil_step_retries_total", "counter",
             "Tries of retry/until steps that a later try followed (in no verdict).");
    for (auto it = m_retries.cbegin(); it != m_retries.cend(); ++it)
        w.sample("hil_step_retries_total", {{"device", it.key()}}, static_cast<double>(it.value()));

    w.header("hil_step_latency_seconds", "histogram", "Send-to-answer latency of step results, by device.");
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

    w.header("hil_faults_active", "gauge", "Faults acting now, by device (or proxy) and kind.");
    for (auto it = m_faultsActive.cbegin(); it != m_faultsActive.cend(); ++it)
        w.sample("hil_faults_active", {{"device", it.key().device}, {"kind", it.key().kind}},
                 static_cast<double>(it.value()));
    w.header("hil_faults_total", "counter", "Faults started, by device (or proxy) and kind.");
    for (auto it = m_faultsTotal.cbegin(); it != m_faultsTotal.cend(); ++it)
        w.sample("hil_faults_total", {{"device", it.key().device}, {"kind", it.key().kind}},
                 static_cast<double>(it.value()));

    w.header("hil_device_connected", "gauge", "1 while a device's link is up, 0 after it was lost.");
    for (auto it = m_connected.cbegin(); it != m_connected.cend(); ++it)
        w.sample("hil_device_connected", {{"device", it.key()}}, it.value());
    w.header("hil_events_total", "counter", "Run events by kind (docs/schema.md, events).");
    for (auto it = m_events.cbegin(); it != m_events.cend(); ++it)
        w.sample("hil_events_total", {{"kind", it.key()}}, static_cast<double>(it.value()));
    w.header("hil_measurement_last", "gauge",
             "The last numeric value of each measured capture, by device and name.");
    for (auto it = m_lastMeasurement.cbegin(); it != m_lastMeasurement.cend(); ++it)
        w.sample("hil_measurement_last",
                 {{"device", it.key().first}, {"name", it.key().second}, {"unit", it.value().second}},
                 it.value().first);
    return w.out;
}

} // namespace hil
