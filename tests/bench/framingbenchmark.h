#pragma once

#include <QString>
#include <QTextStream>

namespace hilbench {

struct FramingOptions {
    int frames = 200000; // frames of 64 payload bytes per round and framing
    int rounds = 5;      // rounds of each framing, alternating
};

// Receive throughput of the framers on the same payload volume: the line framer on 64-character lines
// against length-prefixed + CRC-16/MODBUS, SLIP and COBS on 64-byte binary payloads (which the framer also
// turns into hex text, as it does in a run), fed in 4 KiB reads. Prints payload MB/s (median of the
// rounds) and each binary framing's ratio to the line framer; false with *error if a framer loses frames.
bool runFramingBenchmark(const FramingOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
