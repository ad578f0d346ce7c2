#pragma once

// Debian's pymodbus (python3-pymodbus, installed by cmake/setup.sh) as a peer nobody here wrote. Its
// absence is a failed test, never a skipped one: a Modbus test that passes without its peer proves nothing.

#include <QProcess>
#include <QString>
#include <QStringList>
#include <boost/test/unit_test.hpp>

namespace hiltest {

// Debian's interpreter: the `python3` on PATH may be another one, without Debian's modules.
inline QString debianPython() {
    return QStringLiteral("/usr/bin/python3");
}

inline bool havePymodbus() {
    QProcess p;
    p.start(debianPython(),
            {QStringLiteral("-c"), QStringLiteral("import pymodbus, serial, serial_asyncio")});
    return p.waitForFinished(20000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace hiltest

#define REQUIRE_PYMODBUS()                                                                                   \
    BOOST_REQUIRE_MESSAGE(hiltest::havePymodbus(),                                                           \
                          "python3-pymodbus (with python3-serial and python3-serial-asyncio) is not "        \
                          "installed for /usr/bin/python3: run cmake/setup.sh")
