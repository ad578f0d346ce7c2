#include "core/base/crc.h"

#include <array>

namespace hil {

namespace {

// Table for a CRC of `Bits` bits computed most significant bit first.
template<typename T, int Bits>
constexpr std::array<T, 256> forwardTable(T poly) {
    std::array<T, 256> table{};
    constexpr T top = T(1) << (Bits - 1);
    for (unsigned b = 0; b < 256; ++b) {
        T crc = static_cast<T>(b << (Bits - 8));
        for (int i = 0; i < 8; ++i)
            crc = static_cast<T>((crc & top) ? (crc << 1) ^ poly : crc << 1);
        table[b] = crc;
    }
    return table;
}

// Table for a reflected CRC (least significant bit first); `poly` is the reversed polynomial.
template<typename T>
constexpr std::array<T, 256> reflectedTable(T poly) {
    std::array<T, 256> table{};
    for (unsigned b = 0; b < 256; ++b) {
        T crc = static_cast<T>(b);
        for (int i = 0; i < 8; ++i)
            crc = static_cast<T>((crc & 1) ? (crc >> 1) ^ poly : crc >> 1);
        table[b] = crc;
    }
    return table;
}

constexpr auto kCrc8 = forwardTable<quint8, 8>(0x07);
constexpr auto kCrc8Maxim = reflectedTable<quint8>(0x8C);
constexpr auto kCrc16Modbus = reflectedTable<quint16>(0xA001);
constexpr auto kCrc16Ccitt = forwardTable<quint16, 16>(0x1021);
constexpr auto kCrc32 = reflectedTable<quint32>(0xEDB88320u);

quint8 byteAt(QByteArrayView bytes, qsizetype i) {
    return static_cast<quint8>(bytes[i]);
}

} // namespace

quint8 crc8(QByteArrayView bytes) {
    quint8 crc = 0;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        crc = kCrc8[crc ^ byteAt(bytes, i)];
    return crc;
}

quint8 crc8Maxim(QByteArrayView bytes) {
    quint8 crc = 0;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        crc = kCrc8Maxim[crc ^ byteAt(bytes, i)];
    return crc;
}

quint16 crc16Modbus(QByteArrayView bytes) {
    quint16 crc = 0xFFFF;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        crc = static_cast<quint16>((crc >> 8) ^ kCrc16Modbus[(crc ^ byteAt(bytes, i)) & 0xFF]);
    return crc;
}

quint16 crc16Ccitt(QByteArrayView bytes) {
    quint16 crc = 0xFFFF;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        crc = static_cast<quint16>((crc << 8) ^ kCrc16Ccitt[((crc >> 8) ^ byteAt(bytes, i)) & 0xFF]);
    return crc;
}

quint32 crc32(QByteArrayView bytes) {
    quint32 crc = 0xFFFFFFFFu;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        crc = (crc >> 8) ^ kCrc32[(crc ^ byteAt(bytes, i)) & 0xFF];
    return ~crc;
}

} // namespace hil
