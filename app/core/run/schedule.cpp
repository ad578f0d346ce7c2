#include "core/run/schedule.h"

namespace hil {

SlotStep nextSlot(const Repeat &repeat, qint64 startNs, qint64 slot, qint64 nowNs) {
    if (!repeat.every)
        return {slot + 1, 0};
    const qint64 period = repeat.every->count();
    const qint64 next = slot + 1;
    if (nowNs - (startNs + next * period) <= period / 2)
        return {next, 0};
    const qint64 first = (nowNs - startNs + period - 1) / period; // the first slot not in the past
    return {first, first - next};
}

bool repeatsAgain(const Repeat &repeat, qint64 startNs, qint64 done, qint64 slot, qint64 nowNs) {
    if (repeat.count)
        return done < *repeat.count;
    if (repeat.forDuration) {
        const qint64 end = startNs + repeat.forDuration->count();
        if (repeat.every)
            return startNs + slot * repeat.every->count() < end;
        return nowNs < end;
    }
    return false;
}

qint64 slotDeadline(const Repeat &repeat, qint64 startNs, qint64 slot, qint64 nowNs) {
    return repeat.every ? startNs + slot * repeat.every->count() : nowNs;
}

} // namespace hil
