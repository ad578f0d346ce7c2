// Binary framings: the CRCs against their catalogue check values, each framer's round trip, frames split
// at every byte boundary, garbage between frames, CRC errors, overflow and resynchronisation, SLIP and
// COBS edge cases, and the `bytes:` masks of a scenario.
#define BOOST_TEST_MODULE binary_framing
#include "core/base/crc.h"
#include "core/base/hextext.h"
#include "core/base/linechecksum.h"
#include "core/config/binarystep.h"
#include "core/session/cobsframer.h"
#include "core/session/framerfactory.h"

#include <QList>
#include <QRegularExpression>
#include <boost/test/unit_test.hpp>

using hil::FrameCrc;
using hil::Framer;
using hil::FramingSpec;

namespace {

struct Collected {
    QList<QByteArray> frames; // Line frames (hex text)
    QList<Framer::Frame> bad;
    QList<Framer::Frame> overflows;
};

std::unique_ptr<Framer> framer(const FramingSpec &spec) {
    hil::DeviceConfig d;
    d.framing = spec;
    return hil::makeFramer(d);
}

void feed(Framer &f, QByteArrayView bytes, Collected &c) {
    f.push(bytes, [&c](Framer::Frame &&frame) {
        switch (frame.kind) {
        case Framer::Frame::Kind::Line:
            c.frames.append(frame.data);
            break;
        case Framer::Frame::Kind::Bad:
            c.bad.append(frame);
            break;
        case Framer::Frame::Kind::Overflow:
            c.overflows.append(frame);
            break;
        }
    });
}

void feed(Framer &f, const QByteArray &bytes, Collected &c) {
    feed(f, QByteArrayView(bytes), c);
}

QByteArray encode(Framer &f, const char *hex) {
    QString why;
    const auto bytes = f.encode(QByteArray(hex), &why);
    BOOST_REQUIRE_MESSAGE(bytes, why.toStdString());
    return *bytes;
}

FramingSpec spec(FramingSpec::Kind kind, FrameCrc crc = FrameCrc::None) {
    FramingSpec s;
    s.kind = kind;
    s.crc = crc;
    return s;
}

// Every framing worth round-tripping: each kind, each CRC, both orders, odd length fields.
QList<FramingSpec> allSpecs() {
    QList<FramingSpec> out;
    for (auto crc :
         {FrameCrc::None, FrameCrc::Crc8, FrameCrc::Crc16Modbus, FrameCrc::Crc16Ccitt, FrameCrc::Crc32}) {
        for (bool big : {false, true}) {
            for (auto kind : {FramingSpec::Kind::Slip, FramingSpec::Kind::Cobs}) {
                FramingSpec s = spec(kind, crc);
                s.crcBigEndian = big;
                out.append(s);
            }
            for (int size : {1, 2, 4}) {
                FramingSpec s = spec(FramingSpec::Kind::LengthPrefixed, crc);
                s.crcBigEndian = big;
                s.lengthSize = size;
                s.lengthBigEndian = !big;
                s.lengthIncludesCrc = size != 2;
                s.lengthAdjust = size == 4 ? -4 : 0; // a length that counts itself
                out.append(s);
            }
        }
    }
    return out;
}

// Payloads that exercise the escapes: SLIP's END and ESC, COBS's zeros and 254-byte blocks.
QList<QByteArray> payloads() {
    QByteArray ramp;
    for (int i = 0; i < 300; ++i)
        ramp.append(static_cast<char>(i % 256));
    QByteArray noZeros;
    for (int i = 0; i < 254; ++i)
        noZeros.append(static_cast<char>(1 + i % 255));
    return {QByteArray("\x01\x03\x04\x00\xFA\x00\x10", 7),
            QByteArray("\xC0\xDB\xDC\xDD\xC0", 5),
            QByteArray(1, '\0'),
            QByteArray(3, '\0'),
            QByteArray("\x11", 1),
            noZeros,
            noZeros + QByteArray(1, '\0'),
            ramp};
}

} // namespace

BOOST_AUTO_TEST_CASE(crcs_give_their_catalogue_check_values) {
    const QByteArray check("123456789");
    BOOST_TEST(hil::crc8(check) == 0xF4);
    BOOST_TEST(hil::crc8Maxim(check) == 0xA1);
    BOOST_TEST(hil::crc16Modbus(check) == 0x4B37);
    BOOST_TEST(hil::crc16Ccitt(check) == 0x29B1);
    BOOST_TEST(hil::crc32(check) == 0xCBF43926u);
    BOOST_TEST(hil::crc16Modbus({}) == 0xFFFF);
    BOOST_TEST(hil::crc32({}) == 0u);
    // The text-line checksums are the same implementation.
    BOOST_TEST(hil::computeChecksum(hil::LineChecksum::Crc16Modbus, check) == 0x4B37u);
    BOOST_TEST(hil::computeChecksum(hil::LineChecksum::Crc16Ccitt, check) == 0x29B1u);
    BOOST_TEST(hil::computeChecksum(hil::LineChecksum::Crc32, check) == 0xCBF43926u);
    // A Modbus request as the standard prints it: 01 03 00 00 00 0A, CRC C5 CD (low byte first).
    BOOST_TEST(hil::crc16Modbus(QByteArray("\x01\x03\x00\x00\x00\x0A", 6)) == 0xCDC5);
}

BOOST_AUTO_TEST_CASE(every_framing_round_trips_split_at_every_byte) {
    for (const FramingSpec &s : allSpecs()) {
        for (const QByteArray &payload : payloads()) {
            auto f = framer(s);
            const QByteArray hex = hil::toHexText(payload);
            QString why;
            const auto wire = f->encode(hex, &why);
            if (!wire) {
                // Only a 1-byte length field may refuse, and only a payload that does not fit it.
                BOOST_TEST(s.lengthSize == 1);
                BOOST_TEST(payload.size() > 250);
                continue;
            }
            for (qsizetype cut = 0; cut <= wire->size(); ++cut) {
                BOOST_TEST_CONTEXT("kind " << int(s.kind) << " crc " << int(s.crc) << " size "
                                           << payload.size() << " cut " << cut) {
                    auto g = framer(s);
                    Collected c;
                    feed(*g, QByteArrayView(*wire).first(cut), c);
                    feed(*g, QByteArrayView(*wire).sliced(cut), c);
                    BOOST_TEST_REQUIRE(c.frames.size() == 1);
                    BOOST_TEST(c.frames[0] == hex);
                    BOOST_TEST(c.bad.isEmpty());
                    BOOST_TEST(c.overflows.isEmpty());
                    BOOST_TEST(g->pending() == 0);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(frames_arrive_byte_by_byte_and_back_to_back) {
    for (auto kind : {FramingSpec::Kind::Slip, FramingSpec::Kind::Cobs, FramingSpec::Kind::LengthPrefixed}) {
        auto f = framer(spec(kind, FrameCrc::Crc16Ccitt));
        QByteArray wire;
        for (const QByteArray &p : payloads())
            wire += encode(*f, hil::toHexText(p).constData());
        Collected c;
        for (const char b : wire)
            feed(*f, QByteArrayView(&b, 1), c);
        BOOST_TEST(c.frames.size() == payloads().size());
        for (qsizetype i = 0; i < c.frames.size(); ++i)
            BOOST_TEST(c.frames[i] == hil::toHexText(payloads()[i]));
    }
}

BOOST_AUTO_TEST_CASE(a_bad_crc_is_a_bad_frame_with_its_bytes_and_both_values) {
    auto f = framer(spec(FramingSpec::Kind::Slip, FrameCrc::Crc16Modbus));
    QByteArray wire = encode(*f, "01 03 00 00 00 0A");
    BOOST_TEST(hil::toHexText(wire) == QByteArray("C0 01 03 00 00 00 0A C5 CD C0"));
    wire[3] = 0x01; // a flipped bit in the payload
    Collected c;
    feed(*f, wire + encode(*f, "01 06"), c);
    BOOST_TEST_REQUIRE(c.bad.size() == 1);
    BOOST_TEST(c.bad[0].data == QByteArray("01 03 01 00 00 0A C5 CD"));
    const quint16 computed = hil::crc16Modbus(QByteArray("\x01\x03\x01\x00\x00\x0A", 6));
    BOOST_TEST(c.bad[0].reason
               == QString(QStringLiteral("crc16-modbus 0xCDC5, expected 0x")
                          + QString::number(computed, 16).toUpper().rightJustified(4, u'0')));
    BOOST_TEST(c.frames == QList<QByteArray>{"01 06"}); // the next frame is read as usual

    // A frame shorter than its CRC.
    auto g = framer(spec(FramingSpec::Kind::Cobs, FrameCrc::Crc32));
    Collected d;
    feed(*g, QByteArray("\x02\x07\x00", 3), d);
    BOOST_TEST_REQUIRE(d.bad.size() == 1);
    BOOST_TEST(d.bad[0].reason == QStringLiteral("frame of 1 bytes is shorter than its crc32"));
}

BOOST_AUTO_TEST_CASE(slip_skips_noise_and_empty_frames_and_rejects_bad_escapes) {
    auto f = framer(spec(FramingSpec::Kind::Slip));
    Collected c;
    // Empty frames (END END), a bad escape (ESC 0x41), an escape right before END, then a good frame.
    feed(*f, QByteArray("\xC0\xC0\x01\xDB\x41\x02\xC0\x05\xDB\xC0\x07\xDB\xDC\xC0", 14), c);
    BOOST_TEST_REQUIRE(c.bad.size() == 2);
    BOOST_TEST(c.bad[0].data == QByteArray("01 DB 41 02"));
    BOOST_TEST(c.bad[0].reason == QStringLiteral("bad SLIP escape 0xDB 0x41 at byte 2"));
    BOOST_TEST(c.bad[1].data == QByteArray("05 DB"));
    BOOST_TEST(c.frames == QList<QByteArray>{"07 C0"});
}

BOOST_AUTO_TEST_CASE(cobs_matches_the_published_examples_and_rejects_bad_codes) {
    using hil::CobsFramer;
    const auto enc = [](const QByteArray &b) { return hil::toHexText(CobsFramer::cobsEncode(b)); };
    BOOST_TEST(enc(QByteArray(1, '\0')) == QByteArray("01 01"));
    BOOST_TEST(enc(QByteArray(2, '\0')) == QByteArray("01 01 01"));
    BOOST_TEST(enc(QByteArray("\x00\x11\x00", 3)) == QByteArray("01 02 11 01"));
    BOOST_TEST(enc(QByteArray("\x11\x22\x00\x33", 4)) == QByteArray("03 11 22 02 33"));
    BOOST_TEST(enc(QByteArray("\x11\x22\x33\x44", 4)) == QByteArray("05 11 22 33 44"));
    QByteArray b254;
    for (int i = 1; i <= 254; ++i)
        b254.append(static_cast<char>(i));
    BOOST_TEST(CobsFramer::cobsEncode(b254)
               == QByteArray(QByteArray(1, '\xFF') + b254)); // no trailing code byte
    QByteArray b255 = b254 + QByteArray(1, '\xFF');
    BOOST_TEST(CobsFramer::cobsEncode(b255)
               == QByteArray(QByteArray(1, '\xFF') + b254 + QByteArray("\x02\xFF", 2)));

    auto f = framer(spec(FramingSpec::Kind::Cobs));
    Collected c;
    feed(*f, QByteArray("\x05\x11\x22\x00\x03\x11\x22\x00", 8), c); // a code past the end, then good
    BOOST_TEST_REQUIRE(c.bad.size() == 1);
    BOOST_TEST(c.bad[0].data == QByteArray("05 11 22"));
    BOOST_TEST(c.bad[0].reason
               == QStringLiteral("COBS code 0x05 at byte 1 runs past the frame's end (3 bytes)"));
    BOOST_TEST(c.frames == QList<QByteArray>{"11 22"});
}

BOOST_AUTO_TEST_CASE(delimited_framings_overflow_once_and_resync_at_the_next_delimiter) {
    for (auto kind : {FramingSpec::Kind::Slip, FramingSpec::Kind::Cobs}) {
        FramingSpec s = spec(kind, FrameCrc::Crc8);
        s.maxFrame = 16;
        auto f = framer(s);
        QByteArray big(40, '\x55');
        const QByteArray wire =
            encode(*f, "AA") + encode(*f, hil::toHexText(big).constData()) + encode(*f, "BB");
        Collected c;
        // In small pieces, so that memory must stay bounded while the long frame is dropped.
        for (qsizetype i = 0; i < wire.size(); i += 3) {
            feed(*f, QByteArrayView(wire).sliced(i, std::min<qsizetype>(3, wire.size() - i)), c);
            BOOST_TEST(f->pending() <= s.maxFrame + 4);
        }
        BOOST_TEST(c.frames == (QList<QByteArray>{"AA", "BB"}));
        BOOST_TEST_REQUIRE(c.overflows.size() == 1);
        BOOST_TEST(c.overflows[0].droppedBytes >= 40);
        BOOST_TEST(c.overflows[0].data.contains("55 55 55")); // COBS: after its code byte
    }
}

BOOST_AUTO_TEST_CASE(length_prefixed_skips_a_long_frame_and_drops_the_buffer_on_nonsense) {
    FramingSpec s = spec(FramingSpec::Kind::LengthPrefixed, FrameCrc::Crc16Modbus);
    s.maxFrame = 16;
    auto f = framer(s);
    // A real frame of 40 bytes: skipped whole, the frame after it is read.
    QByteArray big(38, '\x55');
    FramingSpec wide = s;
    wide.maxFrame = 4096;
    const QByteArray wire = encode(*framer(wide), hil::toHexText(big).constData()) + encode(*f, "01 02");
    Collected c;
    for (qsizetype i = 0; i < wire.size(); i += 5)
        feed(*f, QByteArrayView(wire).sliced(i, std::min<qsizetype>(5, wire.size() - i)), c);
    BOOST_TEST_REQUIRE(c.overflows.size() == 1);
    BOOST_TEST(c.overflows[0].droppedBytes == 42);
    BOOST_TEST(c.frames == QList<QByteArray>{"01 02"});

    // A length no device would send (line noise): what is held is dropped, the next read starts afresh.
    Collected d;
    feed(*f, QByteArray("\xFF\xFF\x01\x02\x03", 5), d);
    BOOST_TEST(d.overflows.size() == 1);
    BOOST_TEST(f->pending() == 0);
    feed(*f, encode(*f, "0A"), d);
    BOOST_TEST(d.frames == QList<QByteArray>{"0A"});

    // A bad CRC drops what follows it in the buffer too: the length field may be what was corrupted.
    QByteArray two = encode(*f, "01") + encode(*f, "02");
    two[2] = 0x11;
    Collected e;
    feed(*f, two, e);
    BOOST_TEST(e.bad.size() == 1);
    BOOST_TEST(e.frames.isEmpty());
    BOOST_TEST(f->pending() == 0);
}

BOOST_AUTO_TEST_CASE(length_field_options_are_on_the_wire_as_configured) {
    FramingSpec s = spec(FramingSpec::Kind::LengthPrefixed, FrameCrc::Crc16Ccitt);
    s.lengthSize = 2;
    s.lengthBigEndian = false;
    s.lengthIncludesCrc = false;
    s.crcBigEndian = true;
    auto f = framer(s);
    const quint16 crc = hil::crc16Ccitt(QByteArray("\x01\x02\x03", 3));
    BOOST_TEST(encode(*f, "01 02 03")
               == QByteArray(QByteArray("\x03\x00\x01\x02\x03", 5) + QByteArray(1, char(crc >> 8))
                             + QByteArray(1, char(crc & 0xFF))));
    s.lengthSize = 1;
    s.lengthIncludesCrc = true;
    s.lengthAdjust = -1; // the length counts itself
    s.crc = FrameCrc::None;
    BOOST_TEST(encode(*framer(s), "AA BB") == QByteArray("\x03\xAA\xBB", 3));
    QString why;
    BOOST_TEST(!framer(s)->encode(hil::toHexText(QByteArray(300, 'x')), &why));
    BOOST_TEST(why == QStringLiteral("a frame of 300 bytes does not fit a 1-byte length field (value 301)"));
}

BOOST_AUTO_TEST_CASE(fixed_frames_and_refusals_of_what_cannot_be_sent) {
    FramingSpec s = spec(FramingSpec::Kind::Fixed, FrameCrc::Crc8);
    s.fixedSize = 4;
    auto f = framer(s);
    const QByteArray a = encode(*f, "01 02 03");
    Collected c;
    feed(*f, a + a.first(2), c);
    BOOST_TEST(c.frames == QList<QByteArray>{"01 02 03"});
    BOOST_TEST(f->pending() == 2);
    QString why;
    BOOST_TEST(!f->encode("01 02", &why));
    BOOST_TEST(why == QStringLiteral("fixed frames are 4 bytes (CRC included); this one is 3"));
    BOOST_TEST(!f->encode("READ? TEMP", &why));
    BOOST_TEST(why == QStringLiteral("hex text, column 1: 'R' is not a hex digit"));
}

BOOST_AUTO_TEST_CASE(bytes_masks_compile_to_anchored_patterns_over_hex_text) {
    QString why;
    int col = -1;
    const auto p = hil::bytesPattern(QStringLiteral("01 03 04 ?? ?? 1? ?f"), &why, &col);
    BOOST_REQUIRE(p);
    const QRegularExpression re(*p);
    BOOST_TEST(re.match(QStringLiteral("01 03 04 00 FA 1C 0F")).hasMatch());
    BOOST_TEST(!re.match(QStringLiteral("01 03 04 00 FA 2C 0F")).hasMatch());
    BOOST_TEST(!re.match(QStringLiteral("01 03 04 00 FA 1C 0F 00")).hasMatch()); // anchored
    BOOST_TEST(!re.match(QStringLiteral("00 01 03 04 00 FA 1C 0F")).hasMatch());
    const QRegularExpression rest(*hil::bytesPattern(QStringLiteral("01 ..."), &why, &col));
    BOOST_TEST(rest.match(QStringLiteral("01")).hasMatch());
    BOOST_TEST(rest.match(QStringLiteral("01 02 03")).hasMatch());
    BOOST_TEST(!rest.match(QStringLiteral("02 01")).hasMatch());
    BOOST_TEST(!hil::bytesPattern(QStringLiteral("01 0G"), &why, &col));
    BOOST_TEST(col == 4);
    BOOST_TEST(why == QStringLiteral("bytes: 'G' is not a hex digit or ? (any nibble)"));
    BOOST_TEST(!hil::bytesPattern(QStringLiteral("01 123"), &why, &col));
    BOOST_TEST(col == 3);
    BOOST_TEST(!hil::bytesPattern(QStringLiteral("... 01"), &why, &col));
}
