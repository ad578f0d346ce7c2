#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace hil {

// The checksums binary framings and checksummed text lines use, table-driven, one implementation each.
// Each is named after the reveng catalogue entry it computes; the check value is that of "123456789".

// CRC-8 (CRC-8/SMBUS): poly 0x07, init 0x00, not reflected, no xorout. Check 0xF4.
quint8 crc8(QByteArrayView bytes);
// CRC-8/MAXIM (Dallas 1-Wire): poly 0x31 reflected, init 0x00. Check 0xA1.
quint8 crc8Maxim(QByteArrayView bytes);
// CRC-16/MODBUS: poly 0x8005 reflected, init 0xFFFF. Check 0x4B37. Sent low byte first on Modbus RTU.
quint16 crc16Modbus(QByteArrayView bytes);
// CRC-16/CCITT-FALSE (CRC-16/IBM-3740): poly 0x1021, init 0xFFFF, not reflected. Check 0x29B1.
quint16 crc16Ccitt(QByteArrayView bytes);
// CRC-32 (IEEE 802.3, zlib, PNG): poly 0x04C11DB7 reflected, init and xorout 0xFFFFFFFF. Check 0xCBF43926.
quint32 crc32(QByteArrayView bytes);

} // namespace hil
