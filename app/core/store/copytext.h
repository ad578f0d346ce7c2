#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QVarLengthArray>
#include <optional>

namespace hil {

// PostgreSQL's COPY text format, both ways: one row per line, fields split by tabs, \N for NULL,
// backslash escapes for \, tab, newline and carriage return; bytea as \\x and hex. Store-internal.
namespace copytext {

void appendInt(QByteArray &out, qint64 v);
// Shortest text that reads back as the same double; Infinity, -Infinity and NaN as PostgreSQL spells them.
void appendReal(QByteArray &out, double v);
// Text, escaped. Bytes that are not valid UTF-8, and NUL, which a PostgreSQL text cannot hold, become
// U+FFFD (a device's raw bytes live in BLOB columns, which keep every byte).
void appendText(QByteArray &out, QByteArrayView utf8);
void appendBlob(QByteArray &out, QByteArrayView bytes);
inline void appendNull(QByteArray &out) {
    out += "\\N";
}

// The fields of one line, unescaped, without a copy where a field has no escape: views into the line or
// into the row's own buffer, valid until the next split into the same row. nullopt for \N.
struct Row {
    QVarLengthArray<std::optional<QByteArrayView>, 32> fields;
    QByteArray unescaped;
    std::optional<QByteArrayView> field(qsizetype i) const {
        return i < fields.size() ? fields[i] : std::nullopt;
    }
};
void splitRow(QByteArrayView line, Row *row);
// The bytes of a bytea's text form (\x0a0b...) into *bytes; false if it is not one.
bool decodeBytea(QByteArrayView text, QByteArray *bytes);

} // namespace copytext

} // namespace hil
