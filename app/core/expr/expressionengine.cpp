#include "core/expr/expressionengine.h"

#include "core/expr/expression.h"

#include <QCoreApplication>
#include <QJSEngine>
#include <QRegularExpression>
#include <cmath>

namespace hil {

namespace {

// The functions of the language, as JavaScript. fmt() follows C's printf for %d %i %o %x %X %f %e %E %g %G
// %s %% with flags -+0 and space, width and precision.
constexpr const char *kPrelude = R"js(
(function (g) {
  'use strict';
  function toNum(x, fn) {
    var n = (typeof x === 'string' && x.trim() === '') ? NaN : Number(x);
    if (typeof x === 'boolean' || isNaN(n))
      throw new TypeError(fn + ": '" + x + "' is not a number");
    return n;
  }
  g.abs = function (x) { return Math.abs(toNum(x, 'abs')); };
  g.min = function () { var a = []; for (var i = 0; i < arguments.length; ++i) a.push(toNum(arguments[i], 'min')); return Math.min.apply(null, a); };
  g.max = function () { var a = []; for (var i = 0; i < arguments.length; ++i) a.push(toNum(arguments[i], 'max')); return Math.max.apply(null, a); };
  g.round = function (x, d) { var m = Math.pow(10, d === undefined ? 0 : toNum(d, 'round')); x = toNum(x, 'round'); return Math.sign(x) * Math.round(Math.abs(x) * m) / m; };
  g.floor = function (x) { return Math.floor(toNum(x, 'floor')); };
  g.ceil = function (x) { return Math.ceil(toNum(x, 'ceil')); };
  g.sqrt = function (x) { return Math.sqrt(toNum(x, 'sqrt')); };
  g.pow = function (x, y) { return Math.pow(toNum(x, 'pow'), toNum(y, 'pow')); };
  g.num = function (x) { return toNum(x, 'num'); };
  g.int = function (x) { return Math.trunc(toNum(x, 'int')); };
  g.str = function (x) { return String(x); };
  g.len = function (x) { return String(x).length; };
  g.upper = function (x) { return String(x).toUpperCase(); };
  g.lower = function (x) { return String(x).toLowerCase(); };
  g.trim = function (x) { return String(x).trim(); };
  g.hex = function (x, w) {
    var s = Math.trunc(toNum(x, 'hex')).toString(16).toUpperCase();
    while (w !== undefined && s.length < w) s = '0' + s;
    return s;
  };
  // fmt: each format is parsed once (a regular expression per call would cost ~15 us); then each
  // conversion is a few string operations.
  var formats = new Map();
  function parseFormat(f) {
    var tokens = [], re = /%([-+ 0#]*)(\d*)(?:\.(\d+))?([dioxXfFeEgGs%])/g, last = 0, m;
    while ((m = re.exec(f)) !== null) {
      if (m.index > last) tokens.push(f.substring(last, m.index));
      if (m[4] === '%') tokens.push('%');
      else tokens.push({ flags: m[1], width: m[2] === '' ? 0 : +m[2],
                         prec: m[3] === undefined ? undefined : +m[3], conv: m[4] });
      last = re.lastIndex;
    }
    if (last < f.length) tokens.push(f.substring(last));
    return tokens;
  }
  function convert(t, v) {
    var s, numeric = t.conv !== 's', p = t.prec, flags = t.flags;
    if (numeric) v = toNum(v, 'fmt');
    switch (t.conv) {
    case 'd': case 'i': s = String(Math.abs(Math.trunc(v))); break;
    case 'o': s = Math.abs(Math.trunc(v)).toString(8); break;
    case 'x': s = Math.abs(Math.trunc(v)).toString(16); break;
    case 'X': s = Math.abs(Math.trunc(v)).toString(16).toUpperCase(); break;
    case 'f': case 'F': s = Math.abs(v).toFixed(p === undefined ? 6 : p); break;
    case 'e': case 'E':
      s = Math.abs(v).toExponential(p === undefined ? 6 : p).replace(/e([+-])(\d)$/, 'e$10$2');
      if (t.conv === 'E') s = s.toUpperCase();
      break;
    case 'g': case 'G':
      s = String(Number(Math.abs(v).toPrecision(p === undefined ? 6 : Math.max(p, 1))));
      if (t.conv === 'G') s = s.toUpperCase();
      break;
    default: s = String(v); if (p !== undefined) s = s.substr(0, p);
    }
    var sign = '';
    if (numeric) sign = (v < 0 || Object.is(v, -0)) && s !== '0' ? '-' : flags.indexOf('+') >= 0 ? '+' : flags.indexOf(' ') >= 0 ? ' ' : '';
    var pad = t.width - sign.length - s.length;
    if (pad > 0) {
      if (flags.indexOf('-') >= 0) return sign + s + ' '.repeat(pad);
      if (numeric && flags.indexOf('0') >= 0) return sign + '0'.repeat(pad) + s;
      return ' '.repeat(pad) + sign + s;
    }
    return sign + s;
  }
  g.fmt = function (f) {
    f = String(f);
    var tokens = formats.get(f);
    if (tokens === undefined) {
      tokens = parseFormat(f);
      if (formats.size < 256) formats.set(f, tokens);
    }
    var out = '', k = 0, given = arguments.length - 1;
    for (var i = 0; i < tokens.length; ++i) {
      var t = tokens[i];
      if (typeof t === 'string') { out += t; continue; }
      if (k >= given)
        throw new TypeError("fmt: '" + f + "' needs more values than the " + given + ' given');
      out += convert(t, arguments[++k]);
    }
    if (k < given)
      throw new TypeError("fmt: '" + f + "' takes " + k + ' value(s), ' + given + ' given');
    return out;
  };
})(this)
)js";

QJSValue toJs(const QVariant &v) {
    switch (v.typeId()) {
    case QMetaType::Bool:
        return QJSValue(v.toBool());
    case QMetaType::Double:
    case QMetaType::Int:
    case QMetaType::LongLong:
        return QJSValue(v.toDouble());
    default:
        return QJSValue(v.toString());
    }
}

// "TypeError: fmt: 'x' is not a number" -> "fmt: 'x' is not a number"; JavaScript's own messages keep
// their kind.
QString errorText(const QJSValue &error) {
    const QString message = error.property(QStringLiteral("message")).toString();
    const QString name = error.property(QStringLiteral("name")).toString();
    if (name == u"TypeError" && message.contains(u':'))
        return message;
    return QStringLiteral("%1: %2").arg(name, message);
}

} // namespace

ExpressionEngine::ExpressionEngine() = default;
ExpressionEngine::~ExpressionEngine() = default;

bool ExpressionEngine::ensureEngine(QString *error) {
    if (m_engine)
        return true;
    // QJSEngine needs the application object (every executable of the project has one); a library user
    // without it gets an error rather than an abort.
    if (!QCoreApplication::instance()) {
        if (error)
            *error = QStringLiteral("expressions cannot be evaluated here (no QCoreApplication)");
        return false;
    }
    m_engine = std::make_unique<QJSEngine>();
    m_engine->evaluate(QString::fromUtf8(kPrelude));
    return true;
}

int ExpressionEngine::compile(const QString &source, QString *error) {
    if (const auto it = m_bySource.constFind(source); it != m_bySource.cend())
        return *it;
    QString why;
    int at = 0;
    const auto uses = expressionNames(source, &why, &at);
    if (!uses) {
        if (error)
            *error = why;
        return -1;
    }
    if (!ensureEngine(error))
        return -1;
    Compiled c;
    for (const NameUse &u : *uses)
        c.names.append(u.name);
    const QString code = QStringLiteral("(function(%1) { 'use strict'; return (%2\n); })")
                             .arg(c.names.join(u','), expressionToJavaScript(source));
    c.function = m_engine->evaluate(code);
    if (c.function.isError() || !c.function.isCallable()) {
        if (error)
            *error = c.function.isError() ? QStringLiteral("not an expression: %1").arg(errorText(c.function))
                                          : QStringLiteral("not an expression");
        return -1;
    }
    const int handle = static_cast<int>(m_compiled.size());
    m_compiled.append(std::move(c));
    m_bySource.insert(source, handle);
    return handle;
}

const QStringList &ExpressionEngine::names(int handle) const {
    return m_compiled.at(handle).names;
}

std::optional<QVariant> ExpressionEngine::evaluate(int handle, const VarScope &scope, QString *error) {
    const Compiled &c = m_compiled.at(handle);
    m_args.clear();
    for (const QString &name : c.names) {
        const auto it = scope.values().constFind(name);
        if (it == scope.values().cend()) {
            if (error)
                *error = QStringLiteral("'%1' has no value yet (no answer has captured it so far)").arg(name);
            return std::nullopt;
        }
        m_args.append(toJs(*it));
    }
    const QJSValue result = c.function.call(m_args);
    if (result.isError()) {
        if (error)
            *error = errorText(result);
        return std::nullopt;
    }
    if (result.isBool())
        return QVariant(result.toBool());
    if (result.isNumber()) {
        const double v = result.toNumber();
        if (std::isnan(v)) {
            if (error)
                *error =
                    QStringLiteral("the value is not a number (NaN): is a text used in arithmetic? num() "
                                   "reads a number from a text");
            return std::nullopt;
        }
        return QVariant(v);
    }
    if (result.isString())
        return QVariant(result.toString());
    if (error)
        *error = QStringLiteral("the value is %1, not a number, text or true/false")
                     .arg(result.isUndefined() ? QStringLiteral("undefined")
                          : result.isNull()    ? QStringLiteral("null")
                                               : QStringLiteral("an object"));
    return std::nullopt;
}

std::optional<QVariant> ExpressionEngine::evaluate(const QString &source, const VarScope &scope,
                                                   QString *error) {
    const int handle = compile(source, error);
    if (handle < 0)
        return std::nullopt;
    return evaluate(handle, scope, error);
}

std::optional<QVariant> ExpressionEngine::evaluate(const Template &t, const VarScope &scope, QString *error,
                                                   bool regexLiteral) {
    if (t.isWholeExpression() && !regexLiteral)
        return evaluate(t.parts.front().text, scope, error);
    QString out;
    for (const TemplatePart &p : t.parts) {
        if (!p.isExpression) {
            out += p.text;
            continue;
        }
        const auto v = evaluate(p.text, scope, error);
        if (!v)
            return std::nullopt;
        out += regexLiteral ? QRegularExpression::escape(valueText(*v)) : valueText(*v);
    }
    return QVariant(out);
}

} // namespace hil
