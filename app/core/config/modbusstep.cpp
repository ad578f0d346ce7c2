#include "core/config/modbusstep.h"

#include "core/config/yamlreader.h"

#include <QStringList>

namespace hil {

namespace {

enum class Function {
    ReadCoils = 1,
    ReadDiscrete = 2,
    ReadHolding = 3,
    ReadInput = 4,
    WriteCoil = 5,
    WriteRegister = 6,
    WriteRegisters = 16
};

struct FunctionName {
    const char *key;
    Function function;
};

constexpr FunctionName kFunctions[] = {
    {"read_coils", Function::ReadCoils},           {"read_discrete", Function::ReadDiscrete},
    {"read_holding", Function::ReadHolding},       {"read_input", Function::ReadInput},
    {"write_coil", Function::WriteCoil},           {"write_register", Function::WriteRegister},
    {"write_registers", Function::WriteRegisters},
};

QString functionList() {
    QStringList names;
    for (const FunctionName &f : kFunctions)
        names.append(QString::fromLatin1(f.key));
    return names.join(u", ");
}

bool isBitRead(Function f) {
    return f == Function::ReadCoils || f == Function::ReadDiscrete;
}
bool isRead(Function f) {
    return static_cast<int>(f) <= 4;
}

QString hexByte(int v) {
    return QStringLiteral("%1").arg(v & 0xFF, 2, 16, QLatin1Char('0')).toUpper();
}
QString hexWord(int v) {
    return hexByte(v >> 8) + u' ' + hexByte(v);
}

// A whole number (decimal or 0x hex) in [min, max]; a `${...}` of a value known before the run is filled in.
std::optional<qint64> number(YamlReader &r, const YAML::Node &n, const QString &what, qint64 min,
                             qint64 max) {
    const auto text = r.scalarText(n, what);
    if (!text)
        return std::nullopt;
    bool ok = false;
    const qint64 v = text->trimmed().toLongLong(&ok, 0);
    if (!ok) {
        r.error(n, QStringLiteral("%1 must be a whole number, not '%2'").arg(what, *text));
        return std::nullopt;
    }
    if (v < min || v > max) {
        r.error(n, QStringLiteral("%1 must be between %2 and %3, not %4").arg(what).arg(min).arg(max).arg(v));
        return std::nullopt;
    }
    return v;
}

// A register value: 0..65535, or a negative 16-bit value sent as its two's complement.
std::optional<int> registerValue(YamlReader &r, const YAML::Node &n, const QString &what) {
    const auto v = number(r, n, what, -32768, 65535);
    return v ? std::optional<int>(static_cast<int>(*v) & 0xFFFF) : std::nullopt;
}

bool isCaptureName(const QString &s) {
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,31}$"));
    return re.match(s).hasMatch();
}

} // namespace

void readModbusStep(YamlReader &r, const YAML::Node &n, const ModbusStepContext &context, Step &step) {
    if (!r.requireMap(n, QStringLiteral("modbus")))
        return;
    r.checkKeys(n, {"to", "read_coils", "read_discrete", "read_holding", "read_input", "write_coil",
                    "write_register", "write_registers", "names", "within"});
    const YAML::Node to = n["to"];
    const std::optional<QString> device = context.device(to ? &to : nullptr);
    const DeviceConfig *config = device && context.fixture ? context.fixture->device(*device) : nullptr;
    if (config && config->framing.kind != FramingSpec::Kind::ModbusTcp
        && config->framing.kind != FramingSpec::Kind::ModbusRtu) {
        r.error(to ? to : n, QStringLiteral("device '%1' is not a Modbus device (its fixture entry has no "
                                            "modbus: and is no sim model modbus)")
                                 .arg(*device));
        return;
    }

    std::optional<Function> function;
    YAML::Node args;
    for (const FunctionName &f : kFunctions) {
        if (!n[f.key])
            continue;
        if (function) {
            r.error(n[f.key],
                    QStringLiteral("a modbus step does one function (one of %1)").arg(functionList()));
            return;
        }
        function = f.function;
        args = n[f.key];
    }
    if (!function) {
        r.error(n, QStringLiteral("modbus needs a function: one of %1").arg(functionList()));
        return;
    }
    if (!r.requireMap(args, QStringLiteral("the modbus function")))
        return;
    const int unit = config ? config->modbusUnit : 1;
    const int fc = static_cast<int>(*function);
    QString request = hexByte(unit) + u' ' + hexByte(fc);
    QString response; // the regex of the normal answer
    QStringList names;
    int values = 0;  // how many values a read gives
    QString summary; // for the step's default name

    if (isRead(*function)) {
        r.checkKeys(args, {"address", "count"});
        const qint64 maxCount = isBitRead(*function) ? 2000 : 125;
        if (!args["address"]) {
            r.error(args, QStringLiteral("a modbus read needs an address"));
            return;
        }
        const qint64 address = number(r, args["address"], QStringLiteral("address"), 0, 65535).value_or(-1);
        const qint64 count =
            args["count"] ? number(r, args["count"], QStringLiteral("count"), 1, maxCount).value_or(-1) : 1;
        if (address < 0 || count < 0)
            return;
        if (address + count > 65536) {
            r.error(args["count"] ? args["count"] : args,
                    QStringLiteral("address %1 + count %2 runs past 65535").arg(address).arg(count));
            return;
        }
        values = static_cast<int>(count);
        summary = QStringLiteral("address %1 count %2").arg(address).arg(count);
        const int bytes = isBitRead(*function) ? (values + 7) / 8 : values * 2;
        request += u' ' + hexWord(static_cast<int>(address)) + u' ' + hexWord(values);
        response = QStringLiteral("^%1 %2 %3(?: [0-9A-F]{2}){%4}$")
                       .arg(hexByte(unit), hexByte(fc), hexByte(bytes))
                       .arg(bytes);
    } else if (*function == Function::WriteCoil || *function == Function::WriteRegister) {
        r.checkKeys(args, {"address", "value"});
        if (!args["address"] || !args["value"]) {
            r.error(args, QStringLiteral("a modbus write needs an address and a value"));
            return;
        }
        const auto address = number(r, args["address"], QStringLiteral("address"), 0, 65535);
        std::optional<int> value;
        if (*function == Function::WriteCoil) {
            if (const auto b = r.boolean(args["value"], QStringLiteral("a coil value (true or false)")))
                value = *b ? 0xFF00 : 0x0000;
        } else {
            value = registerValue(r, args["value"], QStringLiteral("value"));
        }
        if (!address || !value)
            return;
        request += u' ' + hexWord(static_cast<int>(*address)) + u' ' + hexWord(*value);
        summary = QStringLiteral("address %1 = %2")
                      .arg(*address)
                      .arg(*function == Function::WriteCoil ? QString::fromLatin1(*value ? "true" : "false")
                                                            : QString::number(*value));
        response = u'^' + request + u'$'; // the server echoes the request
    } else {
        r.checkKeys(args, {"address", "values"});
        if (!args["address"] || !args["values"]) {
            r.error(args, QStringLiteral("write_registers needs an address and values: [..]"));
            return;
        }
        const auto address = number(r, args["address"], QStringLiteral("address"), 0, 65535);
        const YAML::Node list = args["values"];
        if (!r.requireSequence(list, QStringLiteral("values (a list of register values)")))
            return;
        if (list.size() < 1 || list.size() > 123) {
            r.error(list,
                    QStringLiteral("write_registers writes 1 to 123 registers, not %1").arg(list.size()));
            return;
        }
        QStringList words;
        QStringList decimals;
        for (const YAML::Node &v : list) {
            if (const auto value = registerValue(r, v, QStringLiteral("a register value"))) {
                words.append(hexWord(*value));
                decimals.append(QString::number(*value));
            }
        }
        if (!address || words.size() != static_cast<qsizetype>(list.size()))
            return;
        if (*address + words.size() > 65536) {
            r.error(
                list,
                QStringLiteral("address %1 + %2 registers runs past 65535").arg(*address).arg(words.size()));
            return;
        }
        summary = QStringLiteral("address %1 = [%2]")
                      .arg(*address)
                      .arg(words.size() <= 8 ? decimals.join(u", ")
                                             : QStringLiteral("%1 registers").arg(words.size()));
        const QString head =
            hexWord(static_cast<int>(*address)) + u' ' + hexWord(static_cast<int>(words.size()));
        request += u' ' + head + u' ' + hexByte(static_cast<int>(words.size() * 2)) + u' ' + words.join(u' ');
        response = QStringLiteral("^%1 %2 %3$").arg(hexByte(unit), hexByte(fc), head);
    }

    if (const YAML::Node list = n["names"]) {
        if (!isRead(*function)) {
            r.error(list, QStringLiteral("names: is for reads, which give values"));
        } else if (r.requireSequence(list, QStringLiteral("names (a list of capture names)"))) {
            for (const YAML::Node &v : list) {
                const auto name = r.string(v, QStringLiteral("a name"));
                if (!name)
                    continue;
                if (!isCaptureName(*name))
                    r.error(v, QStringLiteral("'%1' is no capture name (letters, digits and _, not first a "
                                              "digit)")
                                   .arg(*name));
                else if (names.contains(*name))
                    r.error(v, QStringLiteral("name '%1' is given twice").arg(*name));
                names.append(*name);
            }
            if (names.size() != values)
                r.error(list,
                        QStringLiteral("names gives %1 names for %2 values").arg(names.size()).arg(values));
        }
    }
    ExpectSpec expect;
    expect.modbus = true;
    if (device) {
        step.send = SendSpec{*device, request.toUtf8()};
        expect.device = *device;
    }
    for (int i = 0; i < values; ++i) {
        FieldSpec f;
        f.name = i < names.size() ? names[i]
                                  : (isBitRead(*function) ? QStringLiteral("c") : QStringLiteral("r"))
                                        + QString::number(i);
        if (isBitRead(*function)) {
            f.type = FieldSpec::Type::Bit;
            f.offset = 3 + i / 8;
            f.bit = i % 8;
        } else {
            f.type = FieldSpec::Type::U16Be;
            f.offset = 3 + 2 * i;
        }
        response += QStringLiteral("(?<%1>)").arg(f.name);
        expect.fields.append(f);
    }
    expect.match = QRegularExpression(response);
    expect.match.optimize();
    if (const YAML::Node within = n["within"]) {
        if (const auto w = r.duration(within, QStringLiteral("within"))) {
            if (w->count() <= 0)
                r.error(within, QStringLiteral("within must be longer than zero"));
            expect.within = *w;
        }
    } else if (config) {
        expect.within = config->timeout;
    }
    step.expect = expect;
    if (step.name.isEmpty()) {
        QString key;
        for (const FunctionName &f : kFunctions)
            if (f.function == *function)
                key = QString::fromLatin1(f.key);
        step.name = QStringLiteral("modbus %1 %2").arg(key, summary);
    }
}

QString modbusUnknownValueText(const QString &name, const FieldSpecs &fields) {
    if (fields.isEmpty())
        return QStringLiteral("the modbus step gives no values (a write), so nothing to measure as '%1'")
            .arg(name);
    QStringList names;
    for (const FieldSpec &f : fields)
        names.append(f.name);
    if (names.size() > 6)
        names = names.first(3) + QStringList{QStringLiteral("..."), names.last()};
    return QStringLiteral("the modbus step gives %1, not '%2'").arg(names.join(u", "), name);
}

} // namespace hil
