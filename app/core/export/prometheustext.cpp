#include "core/export/prometheustext.h"

#include <charconv>
#include <cmath>

namespace hil {

void PrometheusText::appendLabelValue(QByteArray &out, const QString &value) {
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

void PrometheusText::appendNumber(QByteArray &out, double v) {
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

void PrometheusText::family(const char *name, const char *type, const char *help) {
    m_out += "# HELP ";
    m_out += name;
    m_out += ' ';
    m_out += help;
    m_out += "\n# TYPE ";
    m_out += name;
    m_out += ' ';
    m_out += type;
    m_out += '\n';
}

void PrometheusText::sample(const char *name, Labels labels, double value) {
    m_out += name;
    if (labels.size() > 0) {
        m_out += '{';
        bool first = true;
        for (const auto &[k, v] : labels) {
            if (!first)
                m_out += ',';
            first = false;
            m_out += k;
            m_out += "=\"";
            appendLabelValue(m_out, v);
            m_out += '"';
        }
        m_out += '}';
    }
    m_out += ' ';
    appendNumber(m_out, value);
    m_out += '\n';
}

} // namespace hil
