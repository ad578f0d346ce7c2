// LineFramer fed arbitrary chunks with an arbitrary terminator and maximum length, against a reference
// that splits the whole stream at once: the same frames in the same order whatever the chunking, no line
// longer than the maximum, no terminator inside a line, memory bounded, every byte accounted for.
//
// Input: [flags][max lo][max hi][terminator (1-4 bytes)] then chunks as [length][bytes]...
// flags: bits 0-1 terminator length - 1, bit 2 strip CR.
#include "core/session/lineframer.h"
#include "fuzzcheck.h"
#include "fuzzinput.h"

#include <QList>

namespace hil::fuzz {

namespace {

using Frame = LineFramer::Frame;

QList<Frame> referenceFrames(const QByteArray &stream, const QByteArray &term, qsizetype max, bool stripCr,
                             qsizetype *tail) {
    QList<Frame> out;
    qsizetype pos = 0;
    for (qsizetype at; (at = stream.indexOf(term, pos)) >= 0; pos = at + term.size()) {
        QByteArray line = stream.mid(pos, at - pos);
        if (line.size() > max) {
            out.append(Frame{Frame::Kind::Overflow, line.left(LineFramer::kPreviewBytes), line.size(), {}});
            continue;
        }
        if (stripCr && line.endsWith('\r'))
            line.chop(1);
        out.append(Frame{Frame::Kind::Line, line, 0, {}});
    }
    *tail = stream.size() - pos;
    return out;
}

} // namespace

void checkLineFramer(const std::uint8_t *data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t flags = in.byte();
    const qsizetype max = 1 + in.u16() % 600;
    QByteArray term = in.bytes(1 + (flags & 3));
    const bool stripCr = flags & 4;
    if (term.isEmpty())
        term = QByteArrayLiteral("\n");

    LineFramer framer(term, max, stripCr);
    const bool strips = stripCr && term == "\n";
    QList<Frame> got;
    const auto sink = [&](Frame &&f) { got.append(std::move(f)); };
    QByteArray stream;
    const auto push = [&](const QByteArray &chunk) {
        framer.push(chunk, sink);
        stream += chunk;
        // Memory stays bounded: at most a line and the start of a terminator is held.
        HIL_FUZZ_CHECK(framer.pending() <= max + term.size() - 1);
    };
    while (in.remaining() > 0)
        push(in.bytes(in.byte()));
    HIL_FUZZ_CHECK(framer.pending() <= stream.size());
    push(term); // ends whatever line is open, so that every byte shows up in a frame

    qsizetype tail = 0;
    const QList<Frame> want = referenceFrames(stream, term, max, strips, &tail);
    qint64 accounted = 0;
    for (const Frame &f : got) {
        if (f.kind == Frame::Kind::Line) {
            HIL_FUZZ_CHECK(f.data.size() <= max);
            HIL_FUZZ_CHECK(!f.data.contains(term));
            HIL_FUZZ_CHECK(f.droppedBytes == 0);
            accounted += f.data.size() + term.size();
        } else {
            HIL_FUZZ_CHECK(f.droppedBytes > max);
            HIL_FUZZ_CHECK(f.data.size() <= std::min<qint64>(LineFramer::kPreviewBytes, f.droppedBytes));
            accounted += f.droppedBytes + term.size();
        }
    }
    HIL_FUZZ_CHECK(got.size() == want.size());
    for (qsizetype i = 0; i < got.size(); ++i) {
        HIL_FUZZ_CHECK(got[i].kind == want[i].kind);
        HIL_FUZZ_CHECK(got[i].data == want[i].data);
        HIL_FUZZ_CHECK(got[i].droppedBytes == want[i].droppedBytes);
    }
    // Stripped carriage returns are the only bytes a Line frame does not carry.
    qint64 stripped = 0;
    if (strips) {
        qsizetype pos = 0;
        for (qsizetype at; (at = stream.indexOf(term, pos)) >= 0; pos = at + term.size())
            stripped += (at - pos <= max && at > pos && stream.at(at - 1) == '\r') ? 1 : 0;
    }
    HIL_FUZZ_CHECK(accounted + stripped + tail == stream.size());
    if (!framer.discarding())
        HIL_FUZZ_CHECK(framer.pending() == tail);
    else
        HIL_FUZZ_CHECK(tail > max && framer.pending() <= term.size() - 1);

    // After reset() the framer is as new.
    framer.reset();
    HIL_FUZZ_CHECK(framer.pending() == 0 && !framer.discarding());
}

} // namespace hil::fuzz
