#include "core/export/junitwriter.h"

#include <QDateTime>
#include <QFile>
#include <QSaveFile>
#include <QTimeZone>
#include <QXmlStreamWriter>
#include <cmath>

namespace hil {

namespace {

// XML 1.0 cannot carry most control characters, not even escaped: a device's raw bytes are shown
// printable, with the rest as \xNN.
QString printable(const QByteArray &bytes) {
    QString out;
    const QString s = QString::fromUtf8(bytes);
    for (QChar c : s) {
        const char16_t u = c.unicode();
        if (u == u'\t' || u == u'\n' || u == u'\r'
            || (u >= 0x20 && u != 0xFFFE && u != 0xFFFF && !(u >= 0x7F && u < 0xA0)))
            out += c;
        else
            out += QStringLiteral("\\x%1").arg(static_cast<int>(u), 2, 16, QLatin1Char('0'));
    }
    return out;
}

QString printable(const QString &s) {
    return printable(s.toUtf8());
}

QString seconds(qint64 ns) {
    return QString::number(static_cast<double>(ns) / 1e9, 'f', 6);
}

} // namespace

JUnitWriter::JUnitWriter(QString path)
    : m_path(std::move(path)) {}

void JUnitWriter::runStarted(const RunInfo &info) {
    m_info = info;
}

void JUnitWriter::stepFinished(const StepResult &r) {
    Case &c = m_cases[{static_cast<int>(r.phase), r.stepIndex}];
    c.name = r.step;
    c.device = r.device;
    ++c.runs;
    c.totalNs += std::max<qint64>(0, r.endNs - r.startNs);
    if (r.latencyNs >= 0) {
        ++c.latencyN;
        c.latencySum += static_cast<double>(r.latencyNs);
        c.latencyMax = std::max(c.latencyMax, r.latencyNs);
    }
    if (r.marginal)
        ++c.marginal;
    switch (r.verdict) {
    case Verdict::Pass:
        break;
    case Verdict::Fail:
        ++c.fails;
        break;
    case Verdict::Error:
        ++c.errors;
        break;
    case Verdict::Abort:
        ++c.aborts;
        break;
    }
    if (r.verdict != Verdict::Pass && c.firstMessage.isEmpty())
        c.firstMessage = r.message;
    if ((r.verdict == Verdict::Fail || r.verdict == Verdict::Error) && c.details.size() < kMaxDetails) {
        c.details.append(QStringLiteral("iteration %1, repetition %2 at %3 s: %4 %5\n  device answered: %6")
                             .arg(r.iteration)
                             .arg(r.repetition)
                             .arg(seconds(r.startNs), verdictName(r.verdict), r.message,
                                  r.response.isEmpty()
                                      ? QStringLiteral("(nothing)")
                                      : QLatin1Char('"') + printable(r.response) + QLatin1Char('"')));
    }
    for (const MeasurementResult &m : r.measurements) {
        MeasurementStats &s = c.measurements[m.name];
        s.unit = m.unit;
        s.limits = m.limits;
        s.marginal = m.marginalBand;
        if (!std::isfinite(m.value))
            continue;
        s.min = s.n == 0 ? m.value : std::min(s.min, m.value);
        s.max = s.n == 0 ? m.value : std::max(s.max, m.value);
        s.sum += m.value;
        ++s.n;
    }
}

void JUnitWriter::runFinished(const RunSummary &summary) {
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        m_error = QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString());
        return;
    }
    QXmlStreamWriter x(&file);
    x.setAutoFormatting(true);
    x.writeStartDocument();
    qint64 tests = 0, failures = 0, errors = 0, skipped = 0;
    for (const Case &c : std::as_const(m_cases)) {
        ++tests;
        if (c.errors)
            ++errors;
        else if (c.fails)
            ++failures;
        else if (c.aborts)
            ++skipped;
    }
    x.writeStartElement(QStringLiteral("testsuites"));
    x.writeAttribute(QStringLiteral("name"), printable(m_info.scenario));
    x.writeAttribute(QStringLiteral("tests"), QString::number(tests));
    x.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    x.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    x.writeAttribute(QStringLiteral("skipped"), QString::number(skipped));
    x.writeAttribute(QStringLiteral("time"), seconds(summary.durationNs));

    for (Phase phase : {Phase::Setup, Phase::Steps, Phase::Teardown}) {
        QList<const Case *> cases;
        for (auto it = m_cases.cbegin(); it != m_cases.cend(); ++it) {
            if (it.key().first == static_cast<int>(phase))
                cases.append(&it.value());
        }
        if (cases.isEmpty())
            continue;
        qint64 f = 0, e = 0, s = 0, ns = 0;
        for (const Case *c : cases) {
            e += c->errors ? 1 : 0;
            f += !c->errors && c->fails ? 1 : 0;
            s += !c->errors && !c->fails && c->aborts ? 1 : 0;
            ns += c->totalNs;
        }
        const QString suite = printable(m_info.scenario) + QLatin1Char('.') + phaseName(phase);
        x.writeStartElement(QStringLiteral("testsuite"));
        x.writeAttribute(QStringLiteral("name"), suite);
        x.writeAttribute(QStringLiteral("tests"), QString::number(cases.size()));
        x.writeAttribute(QStringLiteral("failures"), QString::number(f));
        x.writeAttribute(QStringLiteral("errors"), QString::number(e));
        x.writeAttribute(QStringLiteral("skipped"), QString::number(s));
        x.writeAttribute(QStringLiteral("time"), seconds(ns));
        x.writeAttribute(
            QStringLiteral("timestamp"),
            QDateTime::fromMSecsSinceEpoch(m_info.startedWallNs / 1'000'000, Qt::UTC).toString(Qt::ISODate));
        x.writeAttribute(QStringLiteral("hostname"), printable(m_info.host));
        x.writeStartElement(QStringLiteral("properties"));
        const auto property = [&x](const QString &name, const QString &value) {
            x.writeStartElement(QStringLiteral("property"));
            x.writeAttribute(QStringLiteral("name"), name);
            x.writeAttribute(QStringLiteral("value"), printable(value));
            x.writeEndElement();
        };
        property(QStringLiteral("run.uuid"), m_info.uuid);
        property(QStringLiteral("fixture"), m_info.fixture);
        property(QStringLiteral("station"), m_info.station);
        property(QStringLiteral("dut_serial"), m_info.dutSerial);
        property(QStringLiteral("firmware"), m_info.firmware);
        property(QStringLiteral("seed"), QString::number(m_info.seed));
        property(QStringLiteral("run.verdict"), verdictName(summary.verdict));
        x.writeEndElement();

        for (const Case *c : cases) {
            x.writeStartElement(QStringLiteral("testcase"));
            x.writeAttribute(QStringLiteral("classname"), suite);
            x.writeAttribute(QStringLiteral("name"), printable(c->name));
            x.writeAttribute(QStringLiteral("time"), seconds(c->totalNs));
            x.writeStartElement(QStringLiteral("properties"));
            property(QStringLiteral("device"), c->device);
            property(QStringLiteral("runs"), QString::number(c->runs));
            property(QStringLiteral("pass"), QString::number(c->runs - c->fails - c->errors - c->aborts));
            property(QStringLiteral("fail"), QString::number(c->fails));
            property(QStringLiteral("error"), QString::number(c->errors));
            property(QStringLiteral("marginal"), QString::number(c->marginal));
            if (c->latencyN > 0) {
                property(QStringLiteral("latency.mean_ms"),
                         QString::number(c->latencySum / c->latencyN / 1e6, 'f', 3));
                property(QStringLiteral("latency.max_ms"),
                         QString::number(static_cast<double>(c->latencyMax) / 1e6, 'f', 3));
            }
            for (auto m = c->measurements.cbegin(); m != c->measurements.cend(); ++m) {
                const QString p = m.key() + QLatin1Char('.');
                const MeasurementStats &st = m.value();
                property(p + QStringLiteral("unit"), st.unit);
                if (st.limits.low)
                    property(p + QStringLiteral("low"), QString::number(*st.limits.low));
                if (st.limits.high)
                    property(p + QStringLiteral("high"), QString::number(*st.limits.high));
                if (st.marginal.low)
                    property(p + QStringLiteral("marginal_low"), QString::number(*st.marginal.low));
                if (st.marginal.high)
                    property(p + QStringLiteral("marginal_high"), QString::number(*st.marginal.high));
                if (st.n > 0) {
                    property(p + QStringLiteral("min"), QString::number(st.min));
                    property(p + QStringLiteral("max"), QString::number(st.max));
                    property(p + QStringLiteral("mean"), QString::number(st.sum / static_cast<double>(st.n)));
                }
            }
            x.writeEndElement();
            const QString counts =
                QStringLiteral("%1 of %2 runs").arg(c->errors ? c->errors : c->fails).arg(c->runs);
            if (c->errors || c->fails) {
                x.writeStartElement(c->errors ? QStringLiteral("error") : QStringLiteral("failure"));
                x.writeAttribute(QStringLiteral("type"),
                                 c->errors ? QStringLiteral("ERROR") : QStringLiteral("FAIL"));
                x.writeAttribute(QStringLiteral("message"),
                                 printable(counts + QStringLiteral(": ") + c->firstMessage));
                x.writeCharacters(printable(c->details.join(u'\n')));
                x.writeEndElement();
            } else if (c->aborts) {
                x.writeStartElement(QStringLiteral("skipped"));
                x.writeAttribute(QStringLiteral("message"), printable(c->firstMessage));
                x.writeEndElement();
            }
            x.writeEndElement();
        }
        x.writeEndElement();
    }
    x.writeEndElement();
    x.writeEndDocument();
    if (!file.commit())
        m_error = QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString());
}

} // namespace hil
