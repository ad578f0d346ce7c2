#include "core/session/cobsframer.h"

#include <cstring>

namespace hil {

CobsFramer::CobsFramer(const FramingSpec &spec)
    : BinaryFramer(spec)
    // COBS adds one code byte per 254 bytes, and one more.
    , m_limit(spec.maxFrame + spec.maxFrame / 254 + 1) {}

void CobsFramer::reset() {
    m_encoded.clear();
    m_discarding = false;
    m_dropped = 0;
    m_preview.clear();
}

QByteArray CobsFramer::cobsEncode(QByteArrayView bytes) {
    QByteArray out;
    out.reserve(bytes.size() + bytes.size() / 254 + 2);
    qsizetype codeAt = 0; // where the current block's code byte goes; -1: no block open
    out.append('\x01');
    quint8 code = 1;
    for (qsizetype k = 0; k < bytes.size(); ++k) {
        const char c = bytes[k];
        if (c == 0) {
            out[codeAt] = static_cast<char>(code);
            codeAt = out.size();
            out.append('\x01');
            code = 1;
            continue;
        }
        out.append(c);
        if (++code == 0xFF) { // a full block of 254 bytes, no zero implied after it
            out[codeAt] = static_cast<char>(code);
            codeAt = k + 1 < bytes.size() ? out.size() : -1;
            if (codeAt >= 0)
                out.append('\x01');
            code = 1;
        }
    }
    if (codeAt >= 0)
        out[codeAt] = static_cast<char>(code);
    return out;
}

std::optional<QByteArray> CobsFramer::cobsDecode(QByteArrayView encoded, QString *error) {
    QByteArray out;
    out.reserve(encoded.size());
    qsizetype i = 0;
    while (i < encoded.size()) {
        const auto code = static_cast<quint8>(encoded[i]);
        if (code == 0) {
            if (error)
                *error = QStringLiteral("COBS code 0x00 at byte %1").arg(i + 1);
            return std::nullopt;
        }
        if (i + code > encoded.size()) {
            if (error)
                *error = QStringLiteral("COBS code 0x%1 at byte %2 runs past the frame's end (%3 bytes)")
                             .arg(QString::number(code, 16).rightJustified(2, u'0').toUpper())
                             .arg(i + 1)
                             .arg(encoded.size());
            return std::nullopt;
        }
        out.append(encoded.data() + i + 1, code - 1);
        i += code;
        if (code != 0xFF && i < encoded.size())
            out.append('\0');
    }
    return out;
}

void CobsFramer::endFrame(const Sink &sink) {
    if (m_discarding) {
        overflow(m_preview, m_dropped, sink);
    } else if (!m_encoded.isEmpty()) {
        QString why;
        if (const std::optional<QByteArray> content = cobsDecode(m_encoded, &why))
            deliver(*content, sink);
        else
            reject(m_encoded, why, sink);
    }
    reset();
}

void CobsFramer::push(QByteArrayView chunk, const Sink &sink) {
    const char *p = chunk.data();
    const char *const end = p + chunk.size();
    while (p < end) {
        const char *at = static_cast<const char *>(std::memchr(p, 0, static_cast<size_t>(end - p)));
        const char *stop = at ? at : end;
        if (m_discarding) {
            m_dropped += stop - p;
        } else if (m_encoded.size() + (stop - p) > m_limit) {
            m_discarding = true;
            m_preview = m_encoded;
            m_preview.append(p, std::min<qsizetype>(stop - p, kPreviewBytes));
            m_preview.truncate(kPreviewBytes);
            m_dropped = m_encoded.size() + (stop - p);
            m_encoded.clear();
            m_encoded.squeeze();
        } else {
            m_encoded.append(p, stop - p);
        }
        if (!at)
            return;
        p = at + 1;
        endFrame(sink);
    }
}

std::optional<QByteArray> CobsFramer::encode(QByteArrayView text, QString *error) {
    const std::optional<QByteArray> content = contentOf(text, error);
    if (!content)
        return std::nullopt;
    QByteArray out = cobsEncode(*content);
    out.append('\0');
    return out;
}

} // namespace hil
