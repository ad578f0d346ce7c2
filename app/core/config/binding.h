#pragma once

#include <QList>
#include <QString>
#include <QVariant>

namespace hil {

// A sweep variable's value in one iteration of a `for_each:` (a double, a bool or a string).
struct Binding {
    QString name;
    QVariant value;

    bool operator==(const Binding &o) const { return name == o.name && value == o.value; }
};

using Bindings = QList<Binding>;

// "V=3.3, N=2": for step names and messages.
QString bindingsText(const Bindings &bindings);

} // namespace hil
