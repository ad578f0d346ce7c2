#pragma once

#include "core/config/fieldspec.h"

#include <QByteArray>
#include <QMap>
#include <QString>

namespace hil {

// Decodes `fields` from a binary frame given as hex text (base/hextext.h): name -> the value as text
// (integers exactly, floats with 9 significant digits). A field that reaches past the end of the frame
// is left out, so a measurement of it fails as missing. Pure.
QMap<QString, QString> decodeFields(const FieldSpecs &fields, QByteArrayView frameHex);

// The same from the frame's bytes.
QMap<QString, QString> decodeFieldBytes(const FieldSpecs &fields, QByteArrayView frame);

// Bytes a field of this type reads (Bit: 1).
int fieldWidth(FieldSpec::Type type);

} // namespace hil
