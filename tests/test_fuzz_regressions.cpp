#define BOOST_TEST_MODULE fuzz_regressions
#include "fuzzcheck.h"

#include <QDir>
#include <QFile>
#include <boost/test/unit_test.hpp>
#include <stdexcept>
#include <string>

namespace {

struct BrokenInvariant : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void throwBroken(const char *condition, const char *file, int line) {
    throw BrokenInvariant(std::string(file) + ':' + std::to_string(line)
                          + ": invariant broken: " + condition);
}

// Runs every file kept for `target` (its seed corpus and every input that once failed) through its check.
void replay(const hil::fuzz::Target &target) {
    const QString dir = QStringLiteral(HIL_TEST_DATA_DIR "/fuzz/") + QString::fromLatin1(target.name);
    const QStringList files = QDir(dir).entryList(QDir::Files, QDir::Name);
    BOOST_TEST_REQUIRE(files.size() >= 3, "too few inputs in " << dir.toStdString());
    hil::fuzz::setFailureHandler(throwBroken);
    for (const QString &name : files) {
        BOOST_TEST_CONTEXT(target.name << '/' << name.toStdString()) {
            QFile f(dir + u'/' + name);
            BOOST_TEST_REQUIRE(f.open(QIODevice::ReadOnly));
            const QByteArray data = f.readAll();
            try {
                target.check(reinterpret_cast<const std::uint8_t *>(data.constData()),
                             std::size_t(data.size()));
            } catch (const std::exception &e) {
                BOOST_ERROR(e.what());
            }
        }
    }
    hil::fuzz::setFailureHandler(nullptr);
}

} // namespace

BOOST_AUTO_TEST_SUITE(replay_kept_inputs)

BOOST_AUTO_TEST_CASE(lineframer) {
    replay(hil::fuzz::kTargets[0]);
}
BOOST_AUTO_TEST_CASE(measurement) {
    replay(hil::fuzz::kTargets[1]);
}
BOOST_AUTO_TEST_CASE(scenarioloader) {
    replay(hil::fuzz::kTargets[2]);
}
BOOST_AUTO_TEST_CASE(fixtureloader) {
    replay(hil::fuzz::kTargets[3]);
}

BOOST_AUTO_TEST_SUITE_END()
