#pragma once

#include "core/config/mqttmessage.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace hil {

// How an MQTT message crosses the Transport seam between MqttTransport and the session's framer
// (MqttFramer). libmosquitto hands over whole messages, while a Transport carries bytes: a message is
// written as one record, in both directions:
//
//   'M' | qos (1 byte) | retain (1 byte, 0 or 1) | topic length (u16, big endian) | topic
//       | payload length (u32, big endian) | payload
//
// The record is internal to the harness (it never goes on a wire); this file is its only reader and writer.
QByteArray encodeMqttRecord(const MqttMessage &message);

// Takes the first whole record off the front of `buffer`. nullopt with an empty *error: the record is not
// complete yet; nullopt with *error set: the buffer does not start with a record (it is then useless).
std::optional<MqttMessage> takeMqttRecord(QByteArray &buffer, QString *error);

} // namespace hil
