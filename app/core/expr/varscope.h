#pragma once

#include <QHash>
#include <QString>
#include <QVariant>

namespace hil {

// The variables a run knows at a point of it: the bench's and the scenario's `vars:`, `--var` overrides,
// and, as the run goes, the named captures of answers, measurements and operators' answers to prompts.
// Values are doubles, bools or strings (QVariant of those types).
class VarScope {
public:
    void set(const QString &name, const QVariant &value) { m_values.insert(name, value); }
    bool contains(const QString &name) const { return m_values.contains(name); }
    QVariant value(const QString &name) const { return m_values.value(name); }
    const QHash<QString, QVariant> &values() const { return m_values; }

private:
    QHash<QString, QVariant> m_values;
};

} // namespace hil
