// The expression language of scenarios (`${...}`): the engine's values, its functions, and its errors.
#include "core/expr/expression.h"
#include "core/expr/expressionengine.h"
#include "core/expr/template.h"

#include <boost/test/unit_test.hpp>

namespace {

std::string str(const QString &s) {
    return s.toStdString();
}

struct Eval {
    hil::ExpressionEngine engine;
    hil::VarScope scope;
    QString error;

    std::optional<QVariant> operator()(const QString &source) {
        error.clear();
        return engine.evaluate(source, scope, &error);
    }
    std::string text(const QString &source) {
        const auto v = (*this)(source);
        BOOST_TEST_REQUIRE(v.has_value(), str(source) << ": " << str(error));
        return str(hil::valueText(*v));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(expressions)

BOOST_AUTO_TEST_CASE(arithmetic_comparison_and_logic) {
    Eval e;
    e.scope.set(QStringLiteral("N"), 21.0);
    e.scope.set(QStringLiteral("ready"), true);
    e.scope.set(QStringLiteral("state"), QStringLiteral("READY"));
    BOOST_TEST(e.text(QStringLiteral("N*2")) == "42");
    BOOST_TEST(e.text(QStringLiteral("N / 2")) == "10.5");
    BOOST_TEST(e.text(QStringLiteral("N % 4 == 1 and not (N > 100) or false")) == "true");
    BOOST_TEST(e.text(QStringLiteral("state == 'READY' and ready")) == "true");
    BOOST_TEST(e.text(QStringLiteral("N > 30 ? 'hi' : 'lo'")) == "lo");
    BOOST_TEST(e.text(QStringLiteral("'calc ' + N")) == "calc 21");
    // The words are operators only outside strings.
    BOOST_TEST(e.text(QStringLiteral("'not this and that' + ''")) == "not this and that");
    const auto v = e(QStringLiteral("N*2"));
    BOOST_TEST(v->typeId() == QMetaType::Double);
    BOOST_TEST(e(QStringLiteral("N > 1"))->typeId() == QMetaType::Bool);
}

BOOST_AUTO_TEST_CASE(functions) {
    Eval e;
    e.scope.set(QStringLiteral("v"), 3.14159);
    e.scope.set(QStringLiteral("sn"), QStringLiteral("  ab12 "));
    BOOST_TEST(e.text(QStringLiteral("abs(-2) + min(3, 1, 2) + max(1, 5)")) == "8");
    BOOST_TEST(e.text(QStringLiteral("round(v, 2)")) == "3.14");
    BOOST_TEST(e.text(QStringLiteral("round(2.5)")) == "3");
    BOOST_TEST(e.text(QStringLiteral("round(-2.5)")) == "-3");
    BOOST_TEST(e.text(QStringLiteral("floor(v) + ceil(v)")) == "7");
    BOOST_TEST(e.text(QStringLiteral("sqrt(16) + pow(2, 10)")) == "1028");
    BOOST_TEST(e.text(QStringLiteral("num('42') + 1")) == "43");
    BOOST_TEST(e.text(QStringLiteral("int('7.9')")) == "7");
    BOOST_TEST(e.text(QStringLiteral("str(5) + 5")) == "55");
    BOOST_TEST(e.text(QStringLiteral("hex(255, 4)")) == "00FF");
    BOOST_TEST(e.text(QStringLiteral("upper(trim(sn)) + len(sn)")) == "AB127");
    BOOST_TEST(e.text(QStringLiteral("lower('ABC')")) == "abc");
}

BOOST_AUTO_TEST_CASE(fmt_follows_printf) {
    Eval e;
    BOOST_TEST(e.text(QStringLiteral("fmt('%.2f', 3.14159)")) == "3.14");
    BOOST_TEST(e.text(QStringLiteral("fmt('%05d', 42)")) == "00042");
    BOOST_TEST(e.text(QStringLiteral("fmt('%5d|%-5d|', -42, 7)")) == "  -42|7    |");
    BOOST_TEST(e.text(QStringLiteral("fmt('%x %X %o', 255, 255, 8)")) == "ff FF 10");
    BOOST_TEST(e.text(QStringLiteral("fmt('%+.1e', 12345)")) == "+1.2e+04");
    BOOST_TEST(e.text(QStringLiteral("fmt('%g', 0.0001)")) == "0.0001");
    BOOST_TEST(e.text(QStringLiteral("fmt('%s=%d%%', 'duty', 50)")) == "duty=50%");
    BOOST_TEST(e.text(QStringLiteral("fmt('%-4s|', 'ab')")) == "ab  |");
    BOOST_TEST(e.text(QStringLiteral("fmt('%.3s', 'abcdef')")) == "abc");
    BOOST_TEST(!e(QStringLiteral("fmt('%d %d', 1)")));
    BOOST_TEST(str(e.error).find("needs more values") != std::string::npos);
    BOOST_TEST(!e(QStringLiteral("fmt('%d', 1, 2)")));
    BOOST_TEST(str(e.error).find("takes 1 value(s), 2 given") != std::string::npos);
    BOOST_TEST(!e(QStringLiteral("fmt('%d', 'abc')")));
    BOOST_TEST(str(e.error).find("'abc' is not a number") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(errors_name_what_is_wrong) {
    Eval e;
    e.scope.set(QStringLiteral("s"), QStringLiteral("abc"));
    BOOST_TEST(!e(QStringLiteral("serial + 1")));
    BOOST_TEST(str(e.error) == "'serial' has no value yet (no answer has captured it so far)");
    BOOST_TEST(!e(QStringLiteral("s * 2")));
    BOOST_TEST(str(e.error).find("not a number (NaN)") != std::string::npos);
    BOOST_TEST(!e(QStringLiteral("s.nothing")));
    BOOST_TEST(str(e.error).find("undefined") != std::string::npos);
    BOOST_TEST(!e(QStringLiteral("s = 1")));
    BOOST_TEST(str(e.error).find("cannot assign") != std::string::npos);
    BOOST_TEST(!e(QStringLiteral("s += 'x'")));
    BOOST_TEST(!e(QStringLiteral("s++")));
    BOOST_TEST(!e(QStringLiteral("1; 2")));
    BOOST_TEST(!e(QStringLiteral("'open")));
    BOOST_TEST(str(e.error).find("not closed") != std::string::npos);
    BOOST_TEST(!e(QStringLiteral("1 +")));
    BOOST_TEST(str(e.error).find("SyntaxError") != std::string::npos);
    BOOST_TEST(!e(QStringLiteral("   ")));
    // Comparisons are not assignments.
    e.scope.set(QStringLiteral("n"), 2.0);
    BOOST_TEST(e.text(QStringLiteral("n == 2 and n != 3 and n <= 2 and n >= 2")) == "true");
}

BOOST_AUTO_TEST_CASE(names_and_substitution) {
    QString error;
    int at = -1;
    const auto names =
        hil::expressionNames(QStringLiteral("a.b + fmt('%d', c) + 'd' + abs(e) + e"), &error, &at);
    BOOST_TEST_REQUIRE(names.has_value());
    QStringList got;
    for (const hil::NameUse &n : *names)
        got.append(n.name);
    BOOST_TEST(str(got.join(u',')) == "a,c,e");
    BOOST_TEST(names->at(1).offset == 16);
    QHash<QString, QVariant> values{{QStringLiteral("V"), 3.3},
                                    {QStringLiteral("mode"), QStringLiteral("it's")}};
    BOOST_TEST(str(hil::substituteNames(QStringLiteral("V * k + mode + x.V"), values))
               == "(3.3) * k + (\"it's\") + x.V");
}

BOOST_AUTO_TEST_CASE(templates) {
    QString error;
    int at = -1;
    const auto t = hil::parseTemplate(QStringLiteral("VOLT ${fmt('%.1f}', V)} $${literal}"), &error, &at);
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST(t->parts.size() == 3u);
    BOOST_TEST(str(t->parts[1].text) == "fmt('%.1f}', V)");
    BOOST_TEST(t->parts[1].offset == 7);
    BOOST_TEST(str(t->parts[2].text) == " ${literal}");
    Eval e;
    e.scope.set(QStringLiteral("V"), 3.26);
    const auto v = e.engine.evaluate(*t, e.scope, &error);
    BOOST_TEST_REQUIRE(v.has_value(), str(error));
    BOOST_TEST(str(v->toString()) == "VOLT 3.3} ${literal}");
    // In a pattern the values are literal text.
    e.scope.set(QStringLiteral("sn"), QStringLiteral("a.b+"));
    const auto p = hil::parseTemplate(QStringLiteral("^${sn}$"), &error, &at);
    BOOST_TEST(str(e.engine.evaluate(*p, e.scope, &error, true)->toString()) == "^a\\.b\\+$");
    BOOST_TEST(!hil::parseTemplate(QStringLiteral("x ${open"), &error, &at));
    BOOST_TEST(at == 2);
}

BOOST_AUTO_TEST_CASE(scalar_values) {
    BOOST_TEST(hil::scalarValue(QStringLiteral("3.5")).typeId() == QMetaType::Double);
    BOOST_TEST(hil::scalarValue(QStringLiteral("true")).typeId() == QMetaType::Bool);
    BOOST_TEST(hil::scalarValue(QStringLiteral("007")).typeId() == QMetaType::QString);
    BOOST_TEST(hil::scalarValue(QStringLiteral("0.5")).typeId() == QMetaType::Double);
    BOOST_TEST(hil::scalarValue(QStringLiteral("SN1")).typeId() == QMetaType::QString);
    BOOST_TEST(str(hil::valueText(QVariant(0.1 + 0.2))) == "0.30000000000000004");
    BOOST_TEST(str(hil::valueText(QVariant(1e21))) == "1e+21");
    BOOST_TEST(str(hil::valueText(QVariant(-4.0))) == "-4");
}

BOOST_AUTO_TEST_SUITE_END()
