#pragma once

// In-process helpers of the simulator tests (tests/test_sim_*.cpp): answers of a protocol, DATA lines, the
// statistics the fault tests check against, and an ENV-1 on fake time.

#include "devicecore.h"
#include "envsample.h"
#include "envsensorconfig.h"
#include "envsensormodel.h"
#include "envsensorprotocol.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QRegularExpression>
#include <QString>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace simtest {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

inline std::string str(const QByteArray &bytes) {
    return bytes.toStdString();
}
inline std::string str(const QString &text) {
    return text.toStdString();
}

inline QByteArrayList answer(hilsim::EnvSensorProtocol &protocol, const char *line, nanoseconds now = 0ns) {
    return protocol.handleLine(QByteArrayView(line), now);
}

inline QByteArray single(hilsim::EnvSensorProtocol &protocol, const char *line, nanoseconds now = 0ns) {
    const QByteArrayList lines = answer(protocol, line, now);
    BOOST_REQUIRE_EQUAL(lines.size(), 1);
    return lines.first();
}

inline bool matches(const QByteArray &text, const char *pattern) {
    return QRegularExpression(QString::fromLatin1(pattern)).match(QString::fromLatin1(text)).hasMatch();
}

inline std::vector<hilsim::EnvSample> firstSamples(quint64 seed, quint64 count) {
    hilsim::EnvSensorModel model(seed);
    std::vector<hilsim::EnvSample> samples;
    for (quint64 k = 0; k < count; ++k)
        samples.push_back(model.advanceToIndex(k));
    return samples;
}

inline QByteArray dataLine(quint64 seq, const hilsim::EnvSample &sample) {
    return "DATA " + QByteArray::number(seq) + ' ' + QByteArray::number(sample.temperature, 'f', 3) + ' '
           + QByteArray::number(sample.humidity, 'f', 2);
}

// Least-squares slope of y over x.
inline double slope(const std::vector<double> &x, const std::vector<double> &y) {
    const auto n = static_cast<double>(x.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// The 99.9 % two-sided normal approximation of a binomial count: |k - np| <= 3.29 sqrt(np(1-p)).
inline bool withinBinomial(double k, double n, double p) {
    return std::abs(k - n * p) <= 3.29 * std::sqrt(n * p * (1.0 - p));
}

struct Data {
    quint64 seq = 0;
    double temperature = 0;
    double humidity = 0;
};

// The DATA lines in `bytes` (anything else is skipped).
inline std::vector<Data> dataLines(const QByteArray &bytes) {
    std::vector<Data> lines;
    for (const QByteArray &line : bytes.split('\n')) {
        const QByteArrayList fields = line.split(' ');
        if (fields.size() == 4 && fields[0] == "DATA")
            lines.push_back({fields[1].toULongLong(), fields[2].toDouble(), fields[3].toDouble()});
    }
    return lines;
}

// An ENV-1 with faults and power on fake time: what hil-sim runs, minus the clock and the sockets.
struct FakeSensor {
    explicit FakeSensor(hilsim::EnvSensorConfig config = {})
        : core(std::make_unique<hilsim::EnvSensorProtocol>(config), config.seed) {}

    // The control answer lines joined with "\n".
    QByteArray control(const char *line, nanoseconds now) { return core.control(line, now).join('\n'); }
    QByteArray send(const char *line, nanoseconds now) {
        return core.receive(QByteArray(QByteArray(line) + '\n'), now);
    }
    // Ticks every `step` from `from` to `to` (inclusive) and returns everything sent.
    QByteArray run(nanoseconds from, nanoseconds to, nanoseconds step = 10ms) {
        QByteArray out;
        for (nanoseconds t = from; t <= to; t += step)
            out += core.tick(t);
        return out;
    }
    quint64 counter(const char *name, nanoseconds now) {
        for (const QByteArray &line : core.control("COUNTERS?", now)) {
            if (line.startsWith(QByteArray(QByteArray(name) + ' ')))
                return line.mid(qstrlen(name) + 1).toULongLong();
        }
        BOOST_FAIL("no counter " << name);
        return 0;
    }

    hilsim::DeviceCore core;
};

} // namespace simtest
