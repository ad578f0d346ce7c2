// Hex text (how binary frames are shown and matched) and the decoding of `fields:` from a frame.
#define BOOST_TEST_MODULE fields
#include "core/base/hextext.h"
#include "core/run/fielddecode.h"

#include <boost/test/unit_test.hpp>

using hil::FieldSpec;

namespace {

FieldSpec field(const char *name, int offset, FieldSpec::Type type, double scale = 1.0, double add = 0.0) {
    FieldSpec f;
    f.name = QString::fromLatin1(name);
    f.offset = offset;
    f.type = type;
    f.scale = scale;
    f.add = add;
    return f;
}

} // namespace

BOOST_AUTO_TEST_CASE(hex_text_round_trips_every_byte) {
    QByteArray all;
    for (int b = 0; b < 256; ++b)
        all.append(static_cast<char>(b));
    const QByteArray text = hil::toHexText(all);
    BOOST_TEST(text.startsWith("00 01 02"));
    BOOST_TEST(text.endsWith("FE FF"));
    BOOST_TEST(text.size() == 256 * 3 - 1);
    BOOST_TEST(hil::fromHexText(text).value() == all);
    BOOST_TEST(hil::toHexText({}).isEmpty());
}

BOOST_AUTO_TEST_CASE(hex_text_accepts_common_spellings_and_names_the_column_of_a_mistake) {
    BOOST_TEST(hil::fromHexText("0x01,0X02 0a\tFf").value() == QByteArray("\x01\x02\x0a\xff", 4));
    BOOST_TEST(hil::fromHexText("0102 0304").value() == QByteArray("\x01\x02\x03\x04", 4));
    QString why;
    BOOST_TEST(!hil::fromHexText("01 0G", &why));
    BOOST_TEST(why == QStringLiteral("hex text, column 5: 'G' is not a hex digit"));
    BOOST_TEST(!hil::fromHexText("01 123", &why));
    BOOST_TEST(why == QStringLiteral("hex text, column 4: a byte needs two hex digits"));
}

BOOST_AUTO_TEST_CASE(fields_decode_by_position_type_and_scale) {
    using T = FieldSpec::Type;
    // 01 03 04 | FF 38 (-200 as i16be) | 00 10 | 42 28 00 00 (42.0f as f32be) | 05
    const QByteArray frame = "01 03 04 FF 38 00 10 42 28 00 00 05";
    FieldSpec bit = field("b2", 11, T::Bit);
    bit.bit = 2;
    const auto v =
        hil::decodeFields({field("temp", 3, T::I16Be, 0.1), field("hum", 5, T::U16Be),
                           field("le", 5, T::U16Le), field("f", 7, T::F32Be), field("raw", 3, T::U16Be),
                           field("off", 0, T::U8, 1.0, -1.0), bit, field("past", 11, T::U16Be)},
                          frame);
    BOOST_TEST(v.value(QStringLiteral("temp")) == QStringLiteral("-20"));
    BOOST_TEST(v.value(QStringLiteral("hum")) == QStringLiteral("16"));
    BOOST_TEST(v.value(QStringLiteral("le")) == QStringLiteral("4096"));
    BOOST_TEST(v.value(QStringLiteral("f")) == QStringLiteral("42"));
    BOOST_TEST(v.value(QStringLiteral("raw")) == QStringLiteral("65336"));
    BOOST_TEST(v.value(QStringLiteral("off")) == QStringLiteral("0"));
    BOOST_TEST(v.value(QStringLiteral("b2")) == QStringLiteral("1"));
    BOOST_TEST(!v.contains(QStringLiteral("past"))); // reaches past the end: missing, so a measure FAILs
}
