#pragma once

#include "roundtripbenchmark.h"

#include <QString>

class QTextStream;

namespace hilbench {

// The link fault machinery's own cost, each figure beside a baseline measured in the same run
// (docs/benchmarks.md, section 3):
// - the round trip `READ? TEMP` -> `TEMP x.xxx` against one `hil-sim envsensor --tcp 0` from a blocking
//   POSIX client: direct to the simulator, through a hil::FaultProxy with no fault, and through one with
//   a fault that changes nothing (corrupt p=0 both ways, so every chunk takes the pipeline's full path).
//   The proxies run on their own thread and event loop; the three take turns in alternating blocks, as in
//   the round-trip benchmark (exchanges, blocks and warm-up from `roundTrip`).
// - hil::FaultPipeline::push() per chunk with no fault and with the do-nothing fault, beside a plain
//   std::function call that takes the chunk and the bare Qt signal emission that push() ends in.
// Prints its tables to `out`. Must be called on the main thread (it starts the simulator through
// hil::SimProcess). Returns false with *error if the simulator or the proxy cannot be started or an
// exchange fails.
bool runLinkBenchmark(const RoundTripOptions &roundTrip, QTextStream &out, QString *error);

} // namespace hilbench
