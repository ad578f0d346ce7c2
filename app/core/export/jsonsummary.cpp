#include "core/export/jsonsummary.h"

#include "core/analysis/histogrambins.h"
#include "core/analysis/runcomparison.h"
#include "core/analysis/runstatistics.h"
#include "core/base/printable.h"
#include "core/export/atomicfile.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace hil {

namespace {

QJsonValue optional(const std::optional<qint64> &v) {
    return v ? QJsonValue(static_cast<double>(*v)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optional(const std::optional<double> &v) {
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

QJsonValue ns(qint64 v) {
    return QJsonValue(static_cast<double>(v));
}

QJsonObject latencyJson(const LatencySummary &l) {
    QJsonObject o{{QStringLiteral("count"), ns(l.count)}};
    if (l.count == 0)
        return o;
    o.insert(QStringLiteral("min_ns"), ns(l.minNs));
    o.insert(QStringLiteral("p50_ns"), ns(l.p50Ns));
    o.insert(QStringLiteral("p90_ns"), ns(l.p90Ns));
    o.insert(QStringLiteral("p95_ns"), ns(l.p95Ns));
    o.insert(QStringLiteral("p99_ns"), ns(l.p99Ns));
    o.insert(QStringLiteral("p999_ns"), ns(l.p999Ns));
    o.insert(QStringLiteral("max_ns"), ns(l.maxNs));
    o.insert(QStringLiteral("mean_ns"), l.meanNs);
    o.insert(QStringLiteral("exact"), l.exact);
    return o;
}

QJsonObject proportionJson(const Proportion &p) {
    return {{QStringLiteral("count"), ns(p.successes)},
            {QStringLiteral("of"), ns(p.trials)},
            {QStringLiteral("rate"), p.rate},
            {QStringLiteral("low95"), p.low},
            {QStringLiteral("high95"), p.high}};
}

QJsonObject failureJson(const FailureDetail &f) {
    return {{QStringLiteral("step_result_id"), ns(f.stepResultId)},
            {QStringLiteral("phase"), f.phase},
            {QStringLiteral("step"), f.step},
            {QStringLiteral("device"), f.device},
            {QStringLiteral("iteration"), ns(f.iteration)},
            {QStringLiteral("repetition"), ns(f.repetition)},
            {QStringLiteral("start_ns"), ns(f.startNs)},
            {QStringLiteral("latency_ns"), optional(f.latencyNs)},
            {QStringLiteral("verdict"), f.verdict},
            {QStringLiteral("message"), f.message},
            {QStringLiteral("response"), printableBytes(f.response)},
            {QStringLiteral("response_bytes"), ns(f.responseSize)}};
}

} // namespace

QJsonObject comparisonJson(const RunComparison &c) {
    QJsonArray steps;
    for (const StepComparison &s : c.steps) {
        steps.append(QJsonObject{{QStringLiteral("phase"), s.phase},
                                 {QStringLiteral("step"), s.step},
                                 {QStringLiteral("device"), s.device},
                                 {QStringLiteral("in_baseline"), s.inBaseline},
                                 {QStringLiteral("in_candidate"), s.inCandidate},
                                 {QStringLiteral("baseline_latency"), latencyJson(s.baseline)},
                                 {QStringLiteral("candidate_latency"), latencyJson(s.candidate)},
                                 {QStringLiteral("baseline_pass"), proportionJson(s.baselinePass)},
                                 {QStringLiteral("candidate_pass"), proportionJson(s.candidatePass)},
                                 {QStringLiteral("failure_rate_change_low95"), s.failureDeltaLow},
                                 {QStringLiteral("failure_rate_change_high95"), s.failureDeltaHigh},
                                 {QStringLiteral("latency_regression"), s.latencyRegression},
                                 {QStringLiteral("pass_rate_regression"), s.passRateRegression},
                                 {QStringLiteral("reasons"), QJsonArray::fromStringList(s.reasons)}});
    }
    return {{QStringLiteral("baseline_run"), ns(c.baseline.id)},
            {QStringLiteral("baseline_uuid"), c.baseline.uuid},
            {QStringLiteral("baseline_firmware"), c.baseline.firmware},
            {QStringLiteral("candidate_run"), ns(c.candidate.id)},
            {QStringLiteral("candidate_uuid"), c.candidate.uuid},
            {QStringLiteral("candidate_firmware"), c.candidate.firmware},
            {QStringLiteral("latency_threshold"), c.options.latencyThreshold},
            {QStringLiteral("min_latency_delta_ns"), ns(c.options.minLatencyDeltaNs)},
            {QStringLiteral("regressions"), c.regressions},
            {QStringLiteral("steps"), steps}};
}

QJsonObject runSummaryJson(const RunStatistics &s, const RunComparison *comparison) {
    const RunHeader &h = s.run;
    QJsonObject run{{QStringLiteral("id"), ns(h.id)},
                    {QStringLiteral("uuid"), h.uuid},
                    {QStringLiteral("scenario"), h.scenario},
                    {QStringLiteral("scenario_path"), h.scenarioPath},
                    {QStringLiteral("fixture"), h.fixture},
                    {QStringLiteral("fixture_path"), h.fixturePath},
                    {QStringLiteral("station"), h.station},
                    {QStringLiteral("dut_serial"), h.dutSerial},
                    {QStringLiteral("firmware"), h.firmware},
                    {QStringLiteral("host"), h.host},
                    {QStringLiteral("seed"), QString::number(h.seed)},
                    {QStringLiteral("started_at_ns"), ns(h.startedAtNs)},
                    {QStringLiteral("ended_at_ns"), optional(h.endedAtNs)},
                    {QStringLiteral("duration_ns"), optional(h.durationNs)},
                    {QStringLiteral("verdict"), h.verdict},
                    {QStringLiteral("reason"), h.reason},
                    {QStringLiteral("iterations"), ns(h.iterations)},
                    {QStringLiteral("pass"), ns(h.pass)},
                    {QStringLiteral("fail"), ns(h.fail)},
                    {QStringLiteral("error"), ns(h.error)},
                    {QStringLiteral("abort"), ns(h.abort)},
                    {QStringLiteral("marginal"), ns(h.marginal)},
                    {QStringLiteral("expected"), ns(h.expected)},
                    {QStringLiteral("retried"), ns(h.retried)}};

    QJsonArray findings;
    for (const Finding &f : s.findings)
        findings.append(QJsonObject{{QStringLiteral("severity"), severityName(f.severity)},
                                    {QStringLiteral("title"), f.title},
                                    {QStringLiteral("detail"), f.detail}});
    QJsonArray steps;
    for (const StepStatistics &st : s.steps) {
        QJsonArray histogram;
        if (st.latency.count > 0 && st.latency.maxNs > st.latency.minNs) {
            for (const HistogramBin &b :
                 logBins(st.histogram, std::max<qint64>(1, st.latency.minNs), st.latency.maxNs + 1, 40))
                histogram.append(QJsonArray{ns(b.lowNs), ns(b.highNs), ns(b.count)});
        }
        steps.append(
            QJsonObject{{QStringLiteral("phase"), st.phase},
                        {QStringLiteral("step_index"), st.stepIndex},
                        {QStringLiteral("step"), st.step},
                        {QStringLiteral("device"), st.device},
                        {QStringLiteral("results"), ns(st.results)},
                        {QStringLiteral("pass"), ns(st.pass)},
                        {QStringLiteral("fail"), ns(st.fail)},
                        {QStringLiteral("error"), ns(st.error)},
                        {QStringLiteral("abort"), ns(st.abort)},
                        {QStringLiteral("marginal"), ns(st.marginal)},
                        {QStringLiteral("expected"), ns(st.expected)},
                        {QStringLiteral("retried"), ns(st.retried)},
                        {QStringLiteral("failure_rate"), proportionJson(st.failureRate)},
                        {QStringLiteral("flaky"), st.flaky()},
                        {QStringLiteral("flips"), ns(st.flips)},
                        {QStringLiteral("longest_fail_streak"), ns(st.longestFailStreak)},
                        {QStringLiteral("longest_fail_streak_start_ns"), ns(st.longestFailStreakStartNs)},
                        {QStringLiteral("latency"), latencyJson(st.latency)},
                        {QStringLiteral("latency_histogram"), histogram}});
    }
    QJsonArray measurements;
    for (const MeasurementStatistics &m : s.measurements) {
        measurements.append(QJsonObject{{QStringLiteral("phase"), m.phase},
                                        {QStringLiteral("step"), m.step},
                                        {QStringLiteral("device"), m.device},
                                        {QStringLiteral("name"), m.name},
                                        {QStringLiteral("unit"), m.unit},
                                        {QStringLiteral("low"), optional(m.low)},
                                        {QStringLiteral("high"), optional(m.high)},
                                        {QStringLiteral("marginal_low"), optional(m.marginalLow)},
                                        {QStringLiteral("marginal_high"), optional(m.marginalHigh)},
                                        {QStringLiteral("samples"), ns(m.samples)},
                                        {QStringLiteral("numeric"), ns(m.count)},
                                        {QStringLiteral("non_numeric"), ns(m.nonNumeric)},
                                        {QStringLiteral("fail"), ns(m.fail)},
                                        {QStringLiteral("marginal"), ns(m.marginal)},
                                        {QStringLiteral("expected"), ns(m.expected)},
                                        {QStringLiteral("mean"), m.mean},
                                        {QStringLiteral("stddev"), m.stddev},
                                        {QStringLiteral("min"), m.min},
                                        {QStringLiteral("max"), m.max},
                                        {QStringLiteral("cpk"), optional(m.cpk)}});
    }
    QJsonArray devices;
    for (const DeviceAvailability &d : s.devices) {
        devices.append(QJsonObject{{QStringLiteral("device"), d.device},
                                   {QStringLiteral("availability"), optional(d.availability)},
                                   {QStringLiteral("up_ns"), ns(d.upNs)},
                                   {QStringLiteral("down_ns"), ns(d.downNs)},
                                   {QStringLiteral("unknown_ns"), ns(d.unknownNs)},
                                   {QStringLiteral("fault_ns"), ns(d.faultNs)},
                                   {QStringLiteral("failure_episodes"), ns(d.failureEpisodes)},
                                   {QStringLiteral("mtbf_ns"), optional(d.mtbfNs)},
                                   {QStringLiteral("longest_outage_ns"), ns(d.longestOutageNs)},
                                   {QStringLiteral("longest_outage_start_ns"), ns(d.longestOutageStartNs)}});
    }
    QJsonArray faults;
    for (const FaultStatistics &f : s.faults) {
        faults.append(QJsonObject{{QStringLiteral("id"), ns(f.id)},
                                  {QStringLiteral("device"), f.device},
                                  {QStringLiteral("target"), f.target},
                                  {QStringLiteral("kind"), f.kind},
                                  {QStringLiteral("direction"), f.direction},
                                  {QStringLiteral("params"), f.params},
                                  {QStringLiteral("manual"), f.manual},
                                  {QStringLiteral("start_ns"), ns(f.startNs)},
                                  {QStringLiteral("end_ns"), optional(f.endNs)},
                                  {QStringLiteral("recovery_ns"), optional(f.recoveryNs)},
                                  {QStringLiteral("recovery_recorded"), f.recoveryRecorded},
                                  {QStringLiteral("failed_results"), ns(f.failedResults)},
                                  {QStringLiteral("bytes_dropped"), optional(f.bytesDropped)},
                                  {QStringLiteral("bytes_corrupted"), optional(f.bytesCorrupted)},
                                  {QStringLiteral("bytes_delayed"), optional(f.bytesDelayed)}});
    }
    QJsonObject eventKinds;
    for (auto it = s.eventKinds.cbegin(); it != s.eventKinds.cend(); ++it)
        eventKinds.insert(it.key(), ns(it.value()));
    QJsonArray failures;
    for (const FailureDetail &f : s.failures)
        failures.append(failureJson(f));

    QJsonObject summary{
        {QStringLiteral("verdict"), h.verdict},
        {QStringLiteral("headline"), s.findings.isEmpty() ? QString() : s.findings.first().title},
        {QStringLiteral("step_results"), ns(s.stepResultCount())},
        {QStringLiteral("samples"), ns(s.sampleCount())},
        {QStringLiteral("failures"), ns(s.failureCount)},
        {QStringLiteral("expected_failures"), ns(s.expectedCount)},
        {QStringLiteral("retried_tries"), ns(s.retriedCount)},
        {QStringLiteral("failure_rate"), proportionJson(s.failureRate)},
        {QStringLiteral("availability"), optional(s.availability)},
        {QStringLiteral("failure_episodes"), ns(s.failureEpisodes)},
        {QStringLiteral("mtbf_ns"), optional(s.mtbfNs)},
        {QStringLiteral("longest_fail_streak"), ns(s.longestFailStreak)},
        {QStringLiteral("longest_fail_streak_step"), s.longestFailStreakStep},
        {QStringLiteral("longest_fail_streak_start_ns"), ns(s.longestFailStreakStartNs)},
        {QStringLiteral("flaky_steps"), static_cast<int>(s.flakySteps().size())},
        {QStringLiteral("latency"), latencyJson(s.latency)},
        {QStringLiteral("latencies_excluded_by_stalls"), ns(s.stallExcludedCount)},
        {QStringLiteral("span_ns"), ns(s.spanNs)}};
    QJsonObject o{{QStringLiteral("format"), QStringLiteral("hil-report/1")},
                  {QStringLiteral("run"), run},
                  {QStringLiteral("summary"), summary},
                  {QStringLiteral("findings"), findings},
                  {QStringLiteral("steps"), steps},
                  {QStringLiteral("measurements"), measurements},
                  {QStringLiteral("devices"), devices},
                  {QStringLiteral("faults"), faults},
                  {QStringLiteral("faults_from_events"), s.faultsFromEvents},
                  {QStringLiteral("event_count"), ns(s.eventCount)},
                  {QStringLiteral("event_kinds"), eventKinds},
                  {QStringLiteral("failures"), failures}};
    if (comparison)
        o.insert(QStringLiteral("comparison"), comparisonJson(*comparison));
    return o;
}

bool writeJsonSummary(const QString &path, const RunStatistics &stats, const RunComparison *comparison,
                      QString *error) {
    const QByteArray data = QJsonDocument(runSummaryJson(stats, comparison)).toJson(QJsonDocument::Indented);
    return AtomicFile::writeWhole(path, data, error);
}

} // namespace hil
