#pragma once

#include <QByteArray>
#include <QString>
#include <initializer_list>
#include <utility>

namespace hil {

// Prometheus's text exposition format, version 0.0.4: HELP and TYPE lines, samples with labels whose
// values are escaped as the format requires (backslash, double quote, newline), numbers as Go prints
// them (+Inf, -Inf, NaN).
class PrometheusText {
public:
    using Labels = std::initializer_list<std::pair<const char *, QString>>;

    explicit PrometheusText(qsizetype reserve = 4096) { m_out.reserve(reserve); }

    // `# HELP name help` and `# TYPE name type`; the help text must not hold a newline or backslash.
    void family(const char *name, const char *type, const char *help);
    // `name{k="v",...} value`.
    void sample(const char *name, Labels labels, double value);

    const QByteArray &text() const { return m_out; }

    static void appendLabelValue(QByteArray &out, const QString &value);
    static void appendNumber(QByteArray &out, double value);

private:
    QByteArray m_out;
};

} // namespace hil
