#pragma once

// Event-loop helpers shared by the test suites that need Qt's event loop.

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>
#include <functional>

namespace hiltest {

// A QCoreApplication for the whole test module: BOOST_TEST_GLOBAL_FIXTURE(hiltest::QtApplicationFixture).
struct QtApplicationFixture {
    int argc = 1;
    char arg0[8] = "hiltest";
    char *argv[2] = {arg0, nullptr};
    QCoreApplication app{argc, argv};
};

// Runs an event loop until done() holds or timeoutMs passes, and returns done(). done() is checked each
// time the loop is about to block, i.e. after every batch of events, any of which may have made it true;
// nothing sleeps. A condition that changes outside this process (rows another process commits, say)
// wakes no event, so give pollMs to re-check it on a timer as well.
inline bool waitUntil(const std::function<bool()> &done, int timeoutMs = 10000, int pollMs = 0) {
    if (done())
        return true;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    const auto check = [&] {
        if (done())
            loop.quit();
    };
    QObject::connect(QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::aboutToBlock, &loop,
                     check);
    QTimer poll;
    if (pollMs > 0) {
        QObject::connect(&poll, &QTimer::timeout, &loop, check);
        poll.start(pollMs);
    }
    deadline.start(timeoutMs);
    loop.exec();
    return done();
}

} // namespace hiltest
