#pragma once

// Helpers the link fault tests (tests/test_faults_*.cpp) share: a parsed spec from its text form and
// deterministic test data.

#include "core/config/faultspecparser.h"
#include "core/link/faultpipeline.h"

#include <QByteArray>
#include <QString>
#include <boost/test/unit_test.hpp>
#include <ostream>
#include <string>

// How Boost.Test prints a QByteArray in a failed check (found by argument-dependent lookup).
inline std::ostream &boost_test_print_type(std::ostream &os, const QByteArray &b) {
    return os << b.size() << " B \"" << b.left(64).toPercentEncoding(" ,;:=/").toStdString()
              << (b.size() > 64 ? "...\"" : "\"");
}

namespace faulttest {

inline std::string str(const QString &s) {
    return s.toStdString();
}

inline hil::LinkFaultSpec spec(const char *text) {
    QString error;
    const auto f = hil::parseLinkFault(QString::fromLatin1(text), &error);
    BOOST_REQUIRE_MESSAGE(f, text << ": " << str(error));
    return f->spec;
}

// Deterministic test data (not the pipeline's generator).
inline QByteArray pseudoRandomBytes(qsizetype n, quint32 seed) {
    QByteArray b(n, Qt::Uninitialized);
    quint32 x = seed * 2654435761U + 1;
    for (qsizetype i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = static_cast<char>(x & 0xff);
    }
    return b;
}

} // namespace faulttest
