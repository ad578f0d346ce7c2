#pragma once

#include <QTextStream>

namespace hilbench {

struct MqttBenchOptions {
    int exchanges = 5000; // measured per client
    int blocks = 10;      // the clients take turns block by block
    int warmup = 20;      // unmeasured exchanges per block
};

// Section 12 of docs/benchmarks.md: MQTT publish -> receive latency on one mosquitto broker that the
// benchmark starts (on a free port of 127.0.0.1): the harness (hil::DeviceSession over
// hil::MqttTransport, as a run drives an `mqtt:` device, directly and through the in-process
// FaultProxy a run puts in front of the broker) beside a blocking libmosquitto client (mosquitto_loop(),
// the way mosquitto_pub/mosquitto_sub drive the library). Each client publishes `ping N` to a topic it
// subscribes to and waits for the message to come back. Prints percentiles and the ratio; false with
// *error when the broker cannot be started or an exchange fails.
bool runMqttBenchmark(const MqttBenchOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
