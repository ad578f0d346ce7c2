#include "core/export/junitreport.h"

#include "core/analysis/runstatistics.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"
#include "core/export/atomicfile.h"

#include <QDateTime>
#include <QTimeZone>
#include <QXmlStreamWriter>

namespace hil {

namespace {

// XML 1.0 cannot carry most control characters, not even as references: printable* escape them.
QString seconds(qint64 ns) {
    return QString::number(static_cast<double>(ns) / 1e9, 'f', 6);
}

QString ms(qint64 ns) {
    return QString::number(static_cast<double>(ns) / 1e6, 'f', 3);
}

} // namespace

bool writeJUnitReport(const RunStatistics &s, const QString &path, QString *error) {
    QByteArray xml;
    const RunHeader &h = s.run;
    QXmlStreamWriter x(&xml);
    x.setAutoFormatting(true);
    x.writeStartDocument();
    const auto property = [&x](const QString &name, const QString &value) {
        x.writeStartElement(QStringLiteral("property"));
        x.writeAttribute(QStringLiteral("name"), printableText(name));
        x.writeAttribute(QStringLiteral("value"), printableText(value));
        x.writeEndElement();
    };
    // A check of the steps phase that never passed fails, also when faults excused every failure of it
    // (the verdict rule, core/run/verdictrule.h).
    const auto neverPassed = [](const StepStatistics &st) {
        return st.phase == u"steps" && st.pass == 0 && st.expected > 0;
    };
    const auto outcome = [&neverPassed](const StepStatistics &st) {
        return st.error ? 3 : (st.fail || neverPassed(st)) ? 2 : st.abort ? 1 : 0;
    };
    int tests = 0, failures = 0, errors = 0, skipped = 0;
    for (const StepStatistics &st : s.steps) {
        ++tests;
        const int o = outcome(st);
        errors += o == 3;
        failures += o == 2;
        skipped += o == 1;
    }
    x.writeStartElement(QStringLiteral("testsuites"));
    x.writeAttribute(QStringLiteral("name"), printableText(h.scenario));
    x.writeAttribute(QStringLiteral("tests"), QString::number(tests));
    x.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    x.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    x.writeAttribute(QStringLiteral("skipped"), QString::number(skipped));
    x.writeAttribute(QStringLiteral("time"), seconds(h.durationNs.value_or(s.spanNs)));

    for (const QString &phase :
         {QStringLiteral("setup"), QStringLiteral("steps"), QStringLiteral("teardown")}) {
        QList<const StepStatistics *> cases;
        for (const StepStatistics &st : s.steps) {
            if (st.phase == phase)
                cases.append(&st);
        }
        if (cases.isEmpty())
            continue;
        int f = 0, e = 0, sk = 0;
        qint64 ns = 0;
        for (const StepStatistics *st : std::as_const(cases)) {
            const int o = outcome(*st);
            e += o == 3;
            f += o == 2;
            sk += o == 1;
            ns += st->totalNs;
        }
        const QString suite = printableText(h.scenario) + QLatin1Char('.') + phase;
        x.writeStartElement(QStringLiteral("testsuite"));
        x.writeAttribute(QStringLiteral("name"), suite);
        x.writeAttribute(QStringLiteral("tests"), QString::number(cases.size()));
        x.writeAttribute(QStringLiteral("failures"), QString::number(f));
        x.writeAttribute(QStringLiteral("errors"), QString::number(e));
        x.writeAttribute(QStringLiteral("skipped"), QString::number(sk));
        x.writeAttribute(QStringLiteral("time"), seconds(ns));
        x.writeAttribute(QStringLiteral("timestamp"),
                         QDateTime::fromMSecsSinceEpoch(h.startedAtNs / 1'000'000, QTimeZone::utc())
                             .toString(Qt::ISODate));
        x.writeAttribute(QStringLiteral("hostname"), printableText(h.host));
        x.writeStartElement(QStringLiteral("properties"));
        property(QStringLiteral("run.uuid"), h.uuid);
        property(QStringLiteral("fixture"), h.fixture);
        property(QStringLiteral("station"), h.station);
        property(QStringLiteral("dut_serial"), h.dutSerial);
        property(QStringLiteral("firmware"), h.firmware);
        property(QStringLiteral("seed"), QString::number(h.seed));
        property(QStringLiteral("run.verdict"), h.verdict);
        x.writeEndElement();

        for (const StepStatistics *st : std::as_const(cases)) {
            x.writeStartElement(QStringLiteral("testcase"));
            x.writeAttribute(QStringLiteral("classname"), suite);
            x.writeAttribute(QStringLiteral("name"), printableText(st->step));
            x.writeAttribute(QStringLiteral("time"), seconds(st->totalNs));
            x.writeStartElement(QStringLiteral("properties"));
            property(QStringLiteral("device"), st->device);
            property(QStringLiteral("runs"), QString::number(st->results));
            property(QStringLiteral("pass"), QString::number(st->pass));
            property(QStringLiteral("fail"), QString::number(st->fail));
            property(QStringLiteral("error"), QString::number(st->error));
            property(QStringLiteral("marginal"), QString::number(st->marginal));
            if (st->expected)
                property(QStringLiteral("expected"), QString::number(st->expected));
            if (st->retried)
                property(QStringLiteral("retried"), QString::number(st->retried));
            const LatencySummary &l = st->latency;
            if (l.count > 0) {
                property(QStringLiteral("latency.mean_ms"), QString::number(l.meanNs / 1e6, 'f', 3));
                property(QStringLiteral("latency.p50_ms"), ms(l.p50Ns));
                property(QStringLiteral("latency.p95_ms"), ms(l.p95Ns));
                property(QStringLiteral("latency.p99_ms"), ms(l.p99Ns));
                property(QStringLiteral("latency.max_ms"), ms(l.maxNs));
            }
            for (const MeasurementStatistics &m : s.measurements) {
                if (m.phase != st->phase || m.stepIndex != st->stepIndex || m.device != st->device)
                    continue;
                const QString p = m.name + QLatin1Char('.');
                property(p + QStringLiteral("unit"), m.unit);
                if (m.low)
                    property(p + QStringLiteral("low"), QString::number(*m.low));
                if (m.high)
                    property(p + QStringLiteral("high"), QString::number(*m.high));
                if (m.marginalLow)
                    property(p + QStringLiteral("marginal_low"), QString::number(*m.marginalLow));
                if (m.marginalHigh)
                    property(p + QStringLiteral("marginal_high"), QString::number(*m.marginalHigh));
                if (m.count > 0) {
                    property(p + QStringLiteral("min"), QString::number(m.min));
                    property(p + QStringLiteral("max"), QString::number(m.max));
                    property(p + QStringLiteral("mean"), QString::number(m.mean));
                    property(p + QStringLiteral("stddev"), QString::number(m.stddev));
                    if (m.cpk)
                        property(p + QStringLiteral("cpk"), QString::number(*m.cpk, 'f', 3));
                }
            }
            x.writeEndElement();
            const int o = outcome(*st);
            const QString first = st->firstFailures.isEmpty() ? QString() : st->firstFailures.first().message;
            if (o >= 2) {
                QStringList details;
                for (const FailureDetail &d : st->firstFailures) {
                    details.append(
                        QStringLiteral("iteration %1, repetition %2 at %3 s: %4 %5\n  device answered: %6")
                            .arg(d.iteration)
                            .arg(d.repetition)
                            .arg(seconds(d.startNs), d.verdict, printableText(d.message),
                                 d.responseSize == 0
                                     ? QStringLiteral("(nothing)")
                                     : QLatin1Char('"') + printableBytes(d.response) + QLatin1Char('"')));
                }
                const qint64 count = o == 3 ? st->error : st->fail;
                x.writeStartElement(o == 3 ? QStringLiteral("error") : QStringLiteral("failure"));
                x.writeAttribute(QStringLiteral("type"),
                                 o == 3 ? QStringLiteral("ERROR") : QStringLiteral("FAIL"));
                x.writeAttribute(
                    QStringLiteral("message"),
                    printableText(
                        count == 0 && neverPassed(*st)
                            ? QStringLiteral("0 of %1 runs passed, %2 during faults")
                                  .arg(st->results)
                                  .arg(st->expected)
                            : QStringLiteral("%1 of %2 runs: %3").arg(count).arg(st->results).arg(first)));
                x.writeCharacters(printableText(details.join(u'\n'), true));
                x.writeEndElement();
            } else if (o == 1) {
                x.writeStartElement(QStringLiteral("skipped"));
                x.writeAttribute(QStringLiteral("message"), printableText(first));
                x.writeEndElement();
            }
            if (st->retried > 0) {
                // Tries a later try followed are not failures: only the last try of an exchange counts.
                // They are listed here so that a step that passed on its third try still says so.
                QStringList tries{
                    QStringLiteral("%1 retried %2, not counted: only the last try of an exchange counts (%3 "
                                   "counted):")
                        .arg(st->retried)
                        .arg(st->retried == 1 ? QStringLiteral("try") : QStringLiteral("tries"))
                        .arg(st->results)};
                for (const FailureDetail &d : st->firstRetried) {
                    tries.append(
                        QStringLiteral("iteration %1, repetition %2, try %3 at %4 s: %5 %6\n  device "
                                       "answered: %7")
                            .arg(d.iteration)
                            .arg(d.repetition)
                            .arg(d.attempt)
                            .arg(seconds(d.startNs), d.verdict, printableText(d.message),
                                 d.responseSize == 0
                                     ? QStringLiteral("(nothing)")
                                     : QLatin1Char('"') + printableBytes(d.response) + QLatin1Char('"')));
                }
                if (st->retried > st->firstRetried.size())
                    tries.append(QStringLiteral("and %1 more").arg(st->retried - st->firstRetried.size()));
                x.writeTextElement(QStringLiteral("system-out"), printableText(tries.join(u'\n'), true));
            }
            x.writeEndElement();
        }
        x.writeEndElement();
    }
    x.writeEndElement();
    x.writeEndDocument();
    if (x.hasError()) {
        if (error)
            *error = QStringLiteral("cannot write %1: the XML could not be encoded").arg(path);
        return false;
    }
    return AtomicFile::writeWhole(path, xml, error);
}

} // namespace hil
