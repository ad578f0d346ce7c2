#include "core/store/centralcolumns.h"

#include "core/store/schema.h"

#include <cstring>

namespace hil {

// Versions 6 and 7 added only derived data (the rollups, rebuilt from the rows by runfetch) and indexes:
// the central schema does not carry them.
static_assert(kSchemaVersion == 7, "a new results schema version: add its columns to centralcolumns.cpp "
                                   "and migrate the central schema (centralschema.cpp)");

const QList<CentralTable> &centralTables() {
    using T = ColumnType;
    static const QList<CentralTable> tables = {
        {"runs",
         1,
         {{"uuid", T::Text, 1, "NULL"},
          {"scenario", T::Text, 1, "NULL"},
          {"scenario_path", T::Text, 1, "NULL"},
          {"fixture", T::Text, 1, "NULL"},
          {"fixture_path", T::Text, 1, "NULL"},
          {"station", T::Text, 1, "NULL"},
          {"dut_serial", T::Text, 1, "NULL"},
          {"firmware", T::Text, 1, "NULL"},
          {"host", T::Text, 1, "NULL"},
          {"seed", T::Int, 1, "0"},
          {"started_at_ns", T::Int, 1, "0"},
          {"ended_at_ns", T::Int, 1, "NULL"},
          {"duration_ns", T::Int, 1, "NULL"},
          {"verdict", T::Text, 1, "NULL"},
          {"reason", T::Text, 1, "NULL"},
          {"iterations", T::Int, 1, "0"},
          {"n_pass", T::Int, 1, "0"},
          {"n_fail", T::Int, 1, "0"},
          {"n_error", T::Int, 1, "0"},
          {"n_abort", T::Int, 1, "0"},
          {"n_marginal", T::Int, 1, "0"},
          {"n_expected", T::Int, 2, "0"},
          {"writer_pid", T::Int, 3, "NULL"},
          {"writer_host", T::Text, 3, "NULL"},
          {"heartbeat_at_ns", T::Int, 3, "NULL"},
          {"n_retried", T::Int, 5, "0"},
          {"vars", T::Text, 5, "NULL"}}},
        {"step_results", 1, {{"phase", T::Text, 1, "NULL"},     {"iteration", T::Int, 1, "0"},
                             {"step_index", T::Int, 1, "0"},    {"repetition", T::Int, 1, "0"},
                             {"step", T::Text, 1, "NULL"},      {"device", T::Text, 1, "NULL"},
                             {"start_ns", T::Int, 1, "0"},      {"end_ns", T::Int, 1, "0"},
                             {"latency_ns", T::Int, 1, "NULL"}, {"lateness_ns", T::Int, 1, "0"},
                             {"verdict", T::Text, 1, "NULL"},   {"marginal", T::Int, 1, "0"},
                             {"message", T::Text, 1, "NULL"},   {"response", T::Blob, 1, "NULL"},
                             {"expected", T::Int, 2, "0"},      {"fault_id", T::Int, 2, "NULL"},
                             {"exchange", T::Text, 4, "NULL"},  {"stall_ns", T::Int, 4, "NULL"},
                             {"attempt", T::Int, 5, "1"},       {"retried", T::Int, 5, "0"},
                             {"bindings", T::Text, 5, "NULL"}}},
        {"measurements",
         1,
         {{"step_result_id", T::Int, 1, "0"},
          {"name", T::Text, 1, "NULL"},
          {"value", T::Real, 1, "NULL"},
          {"unit", T::Text, 1, "NULL"},
          {"low", T::Real, 1, "NULL"},
          {"high", T::Real, 1, "NULL"},
          {"marginal_low", T::Real, 1, "NULL"},
          {"marginal_high", T::Real, 1, "NULL"},
          {"verdict", T::Text, 1, "NULL"},
          {"marginal", T::Int, 1, "0"},
          {"t_ns", T::Int, 1, "0"}}},
        {"events",
         1,
         {{"t_ns", T::Int, 1, "0"},
          {"kind", T::Text, 1, "NULL"},
          {"device", T::Text, 1, "NULL"},
          {"detail", T::Text, 1, "NULL"}}},
        {"exchanges",
         1,
         {{"t_ns", T::Int, 1, "0"},
          {"device", T::Text, 1, "NULL"},
          {"direction", T::Text, 1, "NULL"},
          {"data", T::Blob, 1, "NULL"}}},
        {"faults",
         2,
         {{"device", T::Text, 2, "NULL"},
          {"target", T::Text, 2, "NULL"},
          {"kind", T::Text, 2, "NULL"},
          {"direction", T::Text, 2, "NULL"},
          {"params", T::Text, 2, "NULL"},
          {"seed", T::Int, 2, "NULL"},
          {"manual", T::Int, 2, "0"},
          {"start_ns", T::Int, 2, "0"},
          {"end_ns", T::Int, 2, "NULL"},
          {"recovery_ns", T::Int, 2, "NULL"},
          {"bytes_dropped", T::Int, 2, "NULL"},
          {"bytes_corrupted", T::Int, 2, "NULL"},
          {"bytes_delayed", T::Int, 2, "NULL"}}},
    };
    return tables;
}

const CentralTable &centralTable(const char *name) {
    for (const CentralTable &t : centralTables())
        if (std::strcmp(t.name, name) == 0)
            return t;
    Q_UNREACHABLE();
}

} // namespace hil
