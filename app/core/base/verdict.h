#pragma once

#include <QString>
#include <QStringView>
#include <optional>

namespace hil {

// PASS: every check held. FAIL: the device failed a check. ERROR: the harness or bench failed (port gone,
// simulator crashed), never blamed on the device. ABORT: stopped by a person or a signal.
enum class Verdict { Pass, Fail, Error, Abort };

QString verdictName(Verdict v);
std::optional<Verdict> verdictFromName(QStringView name);

// The verdict of a group of results: ABORT over ERROR over FAIL over PASS.
Verdict combine(Verdict a, Verdict b);

// Process exit codes of `hil run`, one per verdict, plus bad input.
enum ExitCode : int { ExitPass = 0, ExitFail = 1, ExitBadInput = 2, ExitError = 3, ExitAbort = 130 };
int exitCodeFor(Verdict v);

} // namespace hil
