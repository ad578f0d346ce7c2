#define BOOST_TEST_MODULE framing
#include "core/session/lineframer.h"

#include <QByteArray>
#include <QList>
#include <boost/test/unit_test.hpp>

using hil::LineFramer;

namespace {

struct Collected {
    QList<QByteArray> lines;
    QList<LineFramer::Frame> overflows;
};

Collected feed(LineFramer &f, const QList<QByteArray> &chunks) {
    Collected c;
    for (const QByteArray &chunk : chunks) {
        f.push(chunk, [&c](LineFramer::Frame &&frame) {
            if (frame.kind == LineFramer::Frame::Kind::Line)
                c.lines.append(frame.data);
            else
                c.overflows.append(frame);
        });
    }
    return c;
}

} // namespace

BOOST_AUTO_TEST_CASE(lines_split_at_the_terminator) {
    LineFramer f;
    const Collected c = feed(f, {"TEMP 22.5\nHUM 45\n"});
    BOOST_TEST(c.lines.size() == 2);
    BOOST_TEST(c.lines[0] == QByteArray("TEMP 22.5"));
    BOOST_TEST(c.lines[1] == QByteArray("HUM 45"));
    BOOST_TEST(f.pending() == 0);
}

BOOST_AUTO_TEST_CASE(partial_reads_are_joined) {
    LineFramer f;
    const Collected c = feed(f, {"TE", "MP 2", "2.5", "\nHU", "M 45\n", "OK"});
    BOOST_TEST(c.lines.size() == 2);
    BOOST_TEST(c.lines[0] == QByteArray("TEMP 22.5"));
    BOOST_TEST(c.lines[1] == QByteArray("HUM 45"));
    BOOST_TEST(f.pending() == 2); // "OK" waits for its terminator
}

BOOST_AUTO_TEST_CASE(crlf_is_stripped_for_newline_terminated_devices) {
    LineFramer f;
    const Collected c = feed(f, {"OK\r\n", "A\r", "\n"});
    BOOST_TEST(c.lines.size() == 2);
    BOOST_TEST(c.lines[0] == QByteArray("OK"));
    BOOST_TEST(c.lines[1] == QByteArray("A"));
}

BOOST_AUTO_TEST_CASE(a_multi_byte_terminator_split_across_reads) {
    LineFramer f(QByteArrayLiteral("\r\n"));
    const Collected c = feed(f, {"ONE\r", "\nTWO\r", "\n\r", "\n", "LONE\rCR\r\n"});
    BOOST_TEST(c.lines.size() == 4);
    BOOST_TEST(c.lines[0] == QByteArray("ONE"));
    BOOST_TEST(c.lines[1] == QByteArray("TWO"));
    BOOST_TEST(c.lines[2] == QByteArray(""));
    BOOST_TEST(c.lines[3] == QByteArray("LONE\rCR")); // a lone CR is data when the terminator is CRLF
}

BOOST_AUTO_TEST_CASE(every_byte_in_its_own_read) {
    LineFramer f(QByteArrayLiteral("<END>"));
    const QByteArray stream("alpha<END>beta<EN<END>gamma<END>");
    QList<QByteArray> chunks;
    for (char ch : stream)
        chunks.append(QByteArray(1, ch));
    const Collected c = feed(f, chunks);
    BOOST_TEST(c.lines.size() == 3);
    BOOST_TEST(c.lines[0] == QByteArray("alpha"));
    BOOST_TEST(c.lines[1] == QByteArray("beta<EN"));
    BOOST_TEST(c.lines[2] == QByteArray("gamma"));
}

BOOST_AUTO_TEST_CASE(an_oversize_line_in_one_read_is_reported_not_delivered) {
    LineFramer f(QByteArrayLiteral("\n"), 16);
    const Collected c = feed(f, {QByteArray(40, 'x') + "\nOK\n"});
    BOOST_TEST(c.lines.size() == 1);
    BOOST_TEST(c.lines[0] == QByteArray("OK"));
    BOOST_TEST(c.overflows.size() == 1);
    BOOST_TEST(c.overflows[0].droppedBytes == 40);
    BOOST_TEST(c.overflows[0].data == QByteArray(40, 'x'));
}

BOOST_AUTO_TEST_CASE(a_line_of_exactly_the_limit_is_delivered) {
    LineFramer f(QByteArrayLiteral("\n"), 16);
    const Collected c = feed(f, {QByteArray(16, 'y'), "\n"});
    BOOST_TEST(c.lines.size() == 1);
    BOOST_TEST(c.overflows.empty());
}

BOOST_AUTO_TEST_CASE(ten_megabytes_without_a_terminator_keep_memory_bounded) {
    LineFramer f(QByteArrayLiteral("\n"), 4096);
    const QByteArray chunk(64 * 1024, 'G');
    qsizetype maxPending = 0;
    int overflows = 0;
    qint64 dropped = 0;
    for (int i = 0; i < 160; ++i) { // 10 MiB
        f.push(chunk, [&](LineFramer::Frame &&) { ++overflows; });
        maxPending = std::max(maxPending, f.pending());
    }
    BOOST_TEST(overflows == 0); // reported once the line ends
    BOOST_TEST(f.discarding());
    BOOST_TEST(maxPending <= 4096);
    QList<QByteArray> after;
    f.push("tail\nREADY\n", [&](LineFramer::Frame &&frame) {
        if (frame.kind == LineFramer::Frame::Kind::Overflow) {
            ++overflows;
            dropped = frame.droppedBytes;
            BOOST_TEST(frame.data.size() == LineFramer::kPreviewBytes);
        } else {
            after.append(frame.data);
        }
    });
    BOOST_TEST(overflows == 1);
    BOOST_TEST(dropped == 160 * 64 * 1024 + 4);
    BOOST_TEST(after.size() == 1);
    BOOST_TEST(after[0] == QByteArray("READY"));
    BOOST_TEST(!f.discarding());
}

BOOST_AUTO_TEST_CASE(nul_bytes_and_invalid_utf8_pass_through_as_bytes) {
    LineFramer f;
    const QByteArray raw("A\0B\xff\xfe", 5);
    const Collected c = feed(f, {raw + "\n"});
    BOOST_TEST(c.lines.size() == 1);
    BOOST_TEST(c.lines[0] == raw);
}
