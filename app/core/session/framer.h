#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <functional>
#include <optional>

namespace hil {

// Cuts a device's byte stream into frames, and turns what a step sends into the bytes on the wire. A text
// device's frames are its lines; a binary device's frames are hex text ("01 03 04 00 FA", base/hextext.h)
// with their framing and CRC removed, so everything above the framer (matching, queues, late answers,
// reports, the traffic console) handles both alike. Not thread-safe; one framer per stream.
class Framer {
public:
    struct Frame {
        enum class Kind {
            Line,     // a frame (a text line, or a binary frame as hex text)
            Overflow, // longer than the limit: `data` is a preview, `droppedBytes` were discarded
            Bad,      // failed its check (CRC, escape, length): `data` is the raw frame as hex, `reason` why
        };
        Kind kind = Kind::Line;
        QByteArray data;
        qint64 droppedBytes = 0;
        QString reason;
    };
    using Sink = std::function<void(Frame &&)>;

    virtual ~Framer() = default;

    virtual void push(QByteArrayView chunk, const Sink &sink) = 0;
    // The bytes to write for `text` (a line without its terminator, or hex text for a binary framing);
    // nullopt and *error when the text cannot be sent this way (not hex, too long for the length field).
    virtual std::optional<QByteArray> encode(QByteArrayView text, QString *error) = 0;
    // Forgets a partial frame (a new connection starts clean).
    virtual void reset() = 0;
    // Bytes held for an unfinished frame.
    virtual qsizetype pending() const = 0;
};

} // namespace hil
