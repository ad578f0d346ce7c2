#include "core/export/csvexport.h"

#include "core/base/printable.h"
#include "core/export/atomicfile.h"
#include "core/store/bindingsjson.h"
#include "core/store/runscan.h"

#include <QDir>
#include <charconv>
#include <string>

namespace hil {

namespace {

// A CSV file written through a buffer, committed atomically (AtomicFile) when complete.
class CsvFile {
public:
    explicit CsvFile(const QString &path)
        : m_file(path) {}

    bool open() { return m_file.open(); }
    QString errorString() const { return m_file.errorString(); }
    QString fileName() const { return m_file.path(); }

    // A cell of text that came from a device or a file.
    void text(const QString &s) { raw(guard(s.toUtf8())); }
    void text(const QByteArray &utf8) { raw(guard(utf8)); }
    // A number or a fixed word, written as it is.
    void plain(QByteArrayView s) {
        sep();
        m_buf.append(s.data(), static_cast<size_t>(s.size()));
    }
    void number(qint64 v) { plain(QByteArray::number(v)); }
    void number(double v) { plain(QByteArray::number(v, 'g', 15)); }
    void optional(const std::optional<qint64> &v) { v ? number(*v) : plain({}); }
    void optional(const std::optional<double> &v) { v ? number(*v) : plain({}); }
    // A value as the database holds it: numbers in their shortest exact form, text as text, NULL as empty.
    void column(const StoredValue &v) {
        char buf[32];
        switch (v.type) {
        case StoredValue::Type::Null:
            plain({});
            break;
        case StoredValue::Type::Integer: {
            const auto r = std::to_chars(buf, buf + sizeof buf, v.integer);
            plain(QByteArrayView(buf, r.ptr - buf));
            break;
        }
        case StoredValue::Type::Real: {
            const auto r = std::to_chars(buf, buf + sizeof buf, v.real);
            plain(QByteArrayView(buf, r.ptr - buf));
            break;
        }
        case StoredValue::Type::Bytes:
            text(v.bytes.toByteArray());
        }
    }
    // A cell already made by cell() (for values that repeat on every row).
    void made(const QByteArray &cell) {
        sep();
        m_buf.append(cell.constData(), static_cast<size_t>(cell.size()));
    }
    // The finished CSV form of a text cell, for made().
    static QByteArray cell(const QString &s) {
        CsvFile scratch{QString()};
        scratch.text(s);
        return QByteArray::fromStdString(scratch.m_buf);
    }
    void endRow() {
        m_buf.append("\r\n");
        m_first = true;
        if (m_buf.size() > (1 << 20))
            flush();
    }
    void header(std::initializer_list<const char *> names) {
        for (const char *n : names)
            plain(QByteArrayView(n));
        endRow();
    }
    bool commit() {
        flush();
        return m_file.commit();
    }

private:
    void sep() {
        if (!m_first)
            m_buf.push_back(',');
        m_first = false;
    }
    static QByteArray guard(QByteArray s) {
        if (!s.isEmpty()
            && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
            s.prepend('\'');
        return s;
    }
    void raw(const QByteArray &s) {
        sep();
        bool quote = false;
        for (char c : s) {
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                quote = true;
                break;
            }
        }
        if (!quote) {
            m_buf.append(s.constData(), static_cast<size_t>(s.size()));
            return;
        }
        m_buf.push_back('"');
        for (char c : s) {
            if (c == '"')
                m_buf.push_back('"');
            m_buf.push_back(c);
        }
        m_buf.push_back('"');
    }
    void flush() {
        if (!m_buf.empty())
            m_file.write(m_buf.data(), static_cast<qint64>(m_buf.size())); // a failure fails commit()
        m_buf.clear();
    }

    AtomicFile m_file;
    std::string m_buf;
    bool m_first = true;
};

class Exporter {
public:
    Exporter(const RunQuery &db, const RunStatistics &stats, const QString &dir, QStringList *written)
        : m_db(db)
        , m_s(stats)
        , m_dir(dir)
        , m_written(written) {}

    bool run(QString *error) {
        if (!QDir().mkpath(m_dir)) {
            *error = QStringLiteral("cannot create directory %1").arg(m_dir);
            return false;
        }
        const bool ok = steps() && measurements() && sweeps() && devices() && faults() && events()
                        && stepResults() && samples();
        if (!ok)
            *error = m_error;
        return ok;
    }

private:
    bool begin(CsvFile &f) {
        if (f.open())
            return true;
        m_error = f.errorString();
        return false;
    }
    bool end(CsvFile &f) {
        if (!f.commit()) {
            m_error = f.errorString();
            return false;
        }
        if (m_written)
            m_written->append(f.fileName());
        return true;
    }
    QString path(const char *name) const { return QDir(m_dir).filePath(QString::fromLatin1(name)); }
    bool readFail(const QString &why) {
        m_error = QStringLiteral("reading %1: %2").arg(m_db.path(), why);
        return false;
    }

    bool steps() {
        CsvFile f(path("steps.csv"));
        if (!begin(f))
            return false;
        f.header({"phase",
                  "step_index",
                  "step",
                  "device",
                  "results",
                  "pass",
                  "fail",
                  "error",
                  "abort",
                  "marginal",
                  "expected",
                  "failure_rate",
                  "failure_rate_low95",
                  "failure_rate_high95",
                  "flips",
                  "longest_fail_streak",
                  "latency_count",
                  "latency_min_ns",
                  "latency_p50_ns",
                  "latency_p90_ns",
                  "latency_p95_ns",
                  "latency_p99_ns",
                  "latency_p999_ns",
                  "latency_max_ns",
                  "latency_mean_ns",
                  "retried"});
        for (const StepStatistics &s : m_s.steps) {
            f.text(s.phase);
            f.number(static_cast<qint64>(s.stepIndex));
            f.text(printableText(s.step));
            f.text(printableText(s.device));
            for (qint64 v : {s.results, s.pass, s.fail, s.error, s.abort, s.marginal, s.expected})
                f.number(v);
            f.number(s.failureRate.rate);
            f.number(s.failureRate.low);
            f.number(s.failureRate.high);
            f.number(s.flips);
            f.number(s.longestFailStreak);
            const LatencySummary &l = s.latency;
            f.number(l.count);
            if (l.count > 0) {
                for (qint64 v : {l.minNs, l.p50Ns, l.p90Ns, l.p95Ns, l.p99Ns, l.p999Ns, l.maxNs})
                    f.number(v);
                f.number(l.meanNs);
            } else {
                for (int i = 0; i < 8; ++i)
                    f.plain({});
            }
            f.number(s.retried); // last: added with schema 5, after the columns scripts already read
            f.endRow();
        }
        return end(f);
    }

    bool measurements() {
        CsvFile f(path("measurements.csv"));
        if (!begin(f))
            return false;
        f.header({"phase",    "step_index",   "step",          "device",  "name",    "unit",        "low",
                  "high",     "marginal_low", "marginal_high", "samples", "numeric", "non_numeric", "fail",
                  "marginal", "expected",     "mean",          "stddev",  "min",     "max",         "cpk"});
        for (const MeasurementStatistics &m : m_s.measurements) {
            f.text(m.phase);
            f.number(static_cast<qint64>(m.stepIndex));
            f.text(printableText(m.step));
            f.text(printableText(m.device));
            f.text(printableText(m.name));
            f.text(printableText(m.unit));
            for (const auto &v : {m.low, m.high, m.marginalLow, m.marginalHigh})
                f.optional(v);
            for (qint64 v : {m.samples, m.count, m.nonNumeric, m.fail, m.marginal, m.expected})
                f.number(v);
            if (m.count > 0) {
                for (double v : {m.mean, m.stddev, m.min, m.max})
                    f.number(v);
            } else {
                for (int i = 0; i < 4; ++i)
                    f.plain({});
            }
            f.optional(m.cpk);
            f.endRow();
        }
        return end(f);
    }

    // One row per point of each sweep (a run without swept steps writes no sweeps.csv): the measurement,
    // the variables' values (the JSON of step_results.bindings, and the x variable's value on its own),
    // and the samples' figures. Retried tries are left out.
    bool sweeps() {
        if (m_s.sweeps.isEmpty())
            return true;
        CsvFile f(path("sweeps.csv"));
        if (!begin(f))
            return false;
        f.header({"name", "unit", "x_variable", "x", "curve", "bindings", "samples", "non_numeric", "mean",
                  "min", "max", "pass", "fail", "marginal"});
        for (const SweepStatistics &sw : m_s.sweeps) {
            for (const SweepPoint &p : sw.points) {
                f.text(printableText(sw.measurement));
                f.text(printableText(sw.unit));
                f.text(printableText(sw.xVariable));
                const QVariant x = sw.xOf(p);
                if (sw.numericX)
                    f.number(x.toDouble());
                else
                    f.text(printableText(sweepValueText(x)));
                f.text(printableText(sw.curveOf(p)));
                f.text(printableText(bindingsToJson(p.values)));
                f.number(p.samples);
                f.number(p.nonNumeric);
                if (p.samples > 0) {
                    for (double v : {p.mean, p.min, p.max})
                        f.number(v);
                } else {
                    for (int i = 0; i < 3; ++i)
                        f.plain({});
                }
                for (qint64 v : {p.pass, p.fail, p.marginal})
                    f.number(v);
                f.endRow();
            }
        }
        return end(f);
    }

    bool devices() {
        CsvFile f(path("devices.csv"));
        if (!begin(f))
            return false;
        f.header({"device", "up_ns", "down_ns", "unknown_ns", "fault_ns", "availability", "failure_episodes",
                  "mtbf_ns", "longest_outage_ns", "longest_outage_start_ns"});
        for (const DeviceAvailability &d : m_s.devices) {
            f.text(printableText(d.device));
            f.number(d.upNs);
            f.number(d.downNs);
            f.number(d.unknownNs);
            f.number(d.faultNs);
            f.optional(d.availability);
            f.number(d.failureEpisodes);
            f.optional(d.mtbfNs);
            f.number(d.longestOutageNs);
            f.number(d.longestOutageStartNs);
            f.endRow();
        }
        return end(f);
    }

    bool faults() {
        CsvFile f(path("faults.csv"));
        if (!begin(f))
            return false;
        f.header({"id", "device", "target", "kind", "direction", "params", "seed", "manual", "start_ns",
                  "end_ns", "recovery_ns", "recovery_recorded", "failed_results", "bytes_dropped",
                  "bytes_corrupted", "bytes_delayed"});
        for (const FaultStatistics &x : m_s.faults) {
            f.number(x.id);
            f.text(printableText(x.device));
            f.text(printableText(x.target));
            f.text(printableText(x.kind));
            f.text(printableText(x.direction));
            f.text(printableText(x.params));
            f.optional(x.seed);
            f.number(static_cast<qint64>(x.manual));
            f.number(x.startNs);
            f.optional(x.endNs);
            f.optional(x.recoveryNs);
            f.number(static_cast<qint64>(x.recoveryRecorded));
            f.number(x.failedResults);
            f.optional(x.bytesDropped);
            f.optional(x.bytesCorrupted);
            f.optional(x.bytesDelayed);
            f.endRow();
        }
        return end(f);
    }

    bool events() {
        CsvFile f(path("events.csv"));
        if (!begin(f))
            return false;
        f.header({"t_ns", "kind", "device", "detail"});
        QString why;
        const bool read = RunScan(m_db, m_s.run.id)
                              .forEachStoredEvent(
                                  [&f](const StoredEventRow &e) {
                                      f.column(e.tNs);
                                      for (const QString *c : {&e.kind, &e.device, &e.detail})
                                          f.text(printableText(*c, true));
                                      f.endRow();
                                      return true;
                                  },
                                  &why);
        if (!read)
            return readFail(why);
        return end(f);
    }

    bool stepResults() {
        CsvFile f(path("step_results.csv"));
        if (!begin(f))
            return false;
        f.header({"id",       "phase",    "iteration", "step_index", "repetition",  "step",
                  "device",   "start_ns", "end_ns",    "latency_ns", "lateness_ns", "verdict",
                  "marginal", "expected", "fault_id",  "exchange",   "stall_ns",    "attempt",
                  "retried",  "bindings", "message",   "response"});
        QString why;
        const bool read =
            RunScan(m_db, m_s.run.id)
                .forEachStoredStepResult(
                    [&f](const StoredStepResultRow &r) {
                        for (const StoredValue *v :
                             {&r.id, &r.phase, &r.iteration, &r.stepIndex, &r.repetition})
                            f.column(*v);
                        f.text(printableText(r.step));
                        f.text(printableText(r.device));
                        for (const StoredValue *v : {&r.startNs, &r.endNs, &r.latencyNs, &r.latenessNs,
                                                     &r.verdict, &r.marginal, &r.expected, &r.faultId})
                            f.column(*v);
                        f.text(printableText(r.exchange));
                        f.column(r.stallNs);
                        f.column(r.attempt);
                        f.column(r.retried);
                        f.text(printableText(r.bindings));
                        f.text(printableText(r.message, true));
                        f.text(r.response ? printableBytes(*r.response) : QString());
                        f.endRow();
                        return true;
                    },
                    &why);
        if (!read)
            return readFail(why);
        return end(f);
    }

    bool samples() {
        CsvFile f(path("samples.csv"));
        if (!begin(f))
            return false;
        f.header({"id", "step_result_id", "name", "value", "unit", "low", "high", "marginal_low",
                  "marginal_high", "verdict", "marginal", "t_ns"});
        // Names and units repeat on every row: each distinct one is made into a cell once.
        QByteArray lastName, nameCell, lastUnit, unitCell;
        QString why;
        const bool read =
            RunScan(m_db, m_s.run.id)
                .forEachStoredSample(
                    [&](const StoredSampleRow &r) {
                        f.column(r.id);
                        f.column(r.stepResultId);
                        if (r.name != lastName) {
                            lastName = r.name.toByteArray();
                            nameCell = CsvFile::cell(printableText(QString::fromUtf8(lastName)));
                        }
                        f.made(nameCell);
                        f.column(r.value);
                        if (r.unit != lastUnit) {
                            lastUnit = r.unit.toByteArray();
                            unitCell = CsvFile::cell(printableText(QString::fromUtf8(lastUnit)));
                        }
                        f.made(unitCell);
                        for (const StoredValue *v : {&r.low, &r.high, &r.marginalLow, &r.marginalHigh,
                                                     &r.verdict, &r.marginal, &r.tNs})
                            f.column(*v);
                        f.endRow();
                        return true;
                    },
                    &why);
        if (!read)
            return readFail(why);
        return end(f);
    }

    const RunQuery &m_db;
    const RunStatistics &m_s;
    QString m_dir;
    QStringList *m_written;
    QString m_error;
};

} // namespace

bool exportCsv(const RunQuery &db, const RunStatistics &stats, const QString &dir, QStringList *written,
               QString *error) {
    Exporter e(db, stats, dir, written);
    QString why;
    if (e.run(&why))
        return true;
    if (error)
        *error = why;
    return false;
}

} // namespace hil
