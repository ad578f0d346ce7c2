#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hil::fuzz {

// Reads parameters off the front of a fuzz input; past the end it yields zeros, so every input is usable.
class FuzzInput {
public:
    FuzzInput(const std::uint8_t *data, std::size_t size)
        : m_data(data)
        , m_size(size) {}

    std::uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(byte() | (byte() << 8)); }
    double f64() {
        std::uint8_t raw[8] = {};
        for (std::uint8_t &b : raw)
            b = byte();
        double d;
        std::memcpy(&d, raw, sizeof d);
        return d;
    }
    QByteArray bytes(std::size_t n) {
        n = std::min(n, remaining());
        const QByteArray out(reinterpret_cast<const char *>(m_data + m_pos), static_cast<qsizetype>(n));
        m_pos += n;
        return out;
    }
    QByteArray rest() { return bytes(remaining()); }
    std::size_t remaining() const { return m_size - m_pos; }

private:
    const std::uint8_t *m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

} // namespace hil::fuzz
