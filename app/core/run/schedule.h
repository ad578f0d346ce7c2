#pragma once

#include "core/config/scenario.h"

namespace hil {

// Loop arithmetic on absolute deadlines: slot n of a loop started at startNs is due at start + n * every.
struct SlotStep {
    qint64 slot = 0;    // the slot the next run goes in
    qint64 skipped = 0; // slots passed over because they were too far overdue
};

// The slot after `slot`. A slot more than half a period overdue is skipped rather than run late: after a
// hang, the loop goes on at its pace instead of firing a burst of catch-up requests at the device.
SlotStep nextSlot(const Repeat &repeat, qint64 startNs, qint64 slot, qint64 nowNs);
// Whether a loop that has run `done` times goes on, its next run being in `slot`.
bool repeatsAgain(const Repeat &repeat, qint64 startNs, qint64 done, qint64 slot, qint64 nowNs);
// When `slot` is due: start + slot * every, or now for a loop without a period.
qint64 slotDeadline(const Repeat &repeat, qint64 startNs, qint64 slot, qint64 nowNs);

} // namespace hil
