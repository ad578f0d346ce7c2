#include "framingbenchmark.h"

#include "core/base/hextext.h"
#include "core/config/fixture.h"
#include "core/session/framerfactory.h"

#include <QElapsedTimer>
#include <algorithm>
#include <vector>

namespace hilbench {

namespace {

constexpr qsizetype kPayload = 64;
constexpr qsizetype kRead = 4096;

struct Variant {
    QString name;
    hil::DeviceConfig config;
    QByteArray wire;
    std::vector<double> mbPerS;
};

hil::DeviceConfig binary(hil::FramingSpec::Kind kind, hil::FrameCrc crc) {
    hil::DeviceConfig d;
    d.framing.kind = kind;
    d.framing.crc = crc;
    return d;
}

bool buildWire(Variant &v, int frames, QString *error) {
    auto framer = hil::makeFramer(v.config);
    QByteArray payload(kPayload, '\0');
    const bool text = !v.config.framing.isBinary();
    for (qsizetype i = 0; i < kPayload; ++i)
        payload[i] = text ? static_cast<char>('A' + i % 26) : static_cast<char>((i * 37) & 0xFF);
    const QByteArray send = text ? payload : hil::toHexText(payload);
    const auto one = framer->encode(send, error);
    if (!one)
        return false;
    v.wire.reserve(one->size() * frames);
    for (int i = 0; i < frames; ++i)
        v.wire.append(*one);
    return true;
}

bool runRound(Variant &v, int frames, QString *error) {
    auto framer = hil::makeFramer(v.config);
    qint64 got = 0;
    const hil::Framer::Sink sink = [&got](hil::Framer::Frame &&f) {
        if (f.kind == hil::Framer::Frame::Kind::Line)
            ++got;
    };
    QElapsedTimer timer;
    timer.start();
    for (qsizetype at = 0; at < v.wire.size(); at += kRead)
        framer->push(QByteArrayView(v.wire).sliced(at, std::min(kRead, v.wire.size() - at)), sink);
    const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    if (got != frames) {
        *error = QStringLiteral("%1 framer gave %2 frames of %3").arg(v.name).arg(got).arg(frames);
        return false;
    }
    v.mbPerS.push_back(static_cast<double>(frames) * kPayload / 1e6 / seconds);
    return true;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

bool runFramingBenchmark(const FramingOptions &options, QTextStream &out, QString *error) {
    using K = hil::FramingSpec::Kind;
    std::vector<Variant> variants;
    variants.push_back({QStringLiteral("lines"), hil::DeviceConfig{}, {}, {}});
    variants.push_back({QStringLiteral("length-prefixed+crc16"),
                        binary(K::LengthPrefixed, hil::FrameCrc::Crc16Modbus),
                        {},
                        {}});
    variants.push_back({QStringLiteral("slip"), binary(K::Slip, hil::FrameCrc::None), {}, {}});
    variants.push_back({QStringLiteral("cobs"), binary(K::Cobs, hil::FrameCrc::None), {}, {}});
    for (Variant &v : variants)
        if (!buildWire(v, options.frames, error))
            return false;
    for (int r = 0; r < options.rounds; ++r)
        for (Variant &v : variants)
            if (!runRound(v, options.frames, error))
                return false;
    const double line = median(variants[0].mbPerS);
    out << "framing throughput (" << options.frames << " frames of " << kPayload << " payload bytes, "
        << kRead << "-byte reads, median of " << options.rounds << " rounds):\n";
    for (const Variant &v : variants) {
        const double mb = median(v.mbPerS);
        out << "  " << v.name.leftJustified(24) << QString::number(mb, 'f', 1).rightJustified(8) << " MB/s";
        if (&v != &variants[0])
            out << "   ratio to lines " << QString::number(mb / line, 'f', 2);
        out << '\n';
    }
    return true;
}

} // namespace hilbench
