#pragma once

#include <QStringList>

// `hil merge --into FLEET.db A.db B.db ...`: copies every run of the sources into FLEET.db (created if
// missing) with new ids; runs already there (same uuid) are skipped. Exit codes: 0 merged, 2 bad input
// (a source missing or not a results database), 3 the merge failed (the runs merged before are kept) or
// a run is recording into FLEET.db (refused: the merge would hold the lock that run needs).
int mergeCommand(const QStringList &args);
