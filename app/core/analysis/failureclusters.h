#pragma once

#include <QList>
#include <QtGlobal>

namespace hil {

// When a run's unexpected failures came (docs/reports.md, "What broke"): the bursts that stand out, and
// the steady background they stand out from.
struct FailureCluster {
    qint64 startNs = 0;
    qint64 endNs = 0;
    qint64 failures = 0;
};

struct FailureClusters {
    QList<FailureCluster> clusters; // in time order
    double backgroundPerBin = 0;    // failures per time bin outside the clusters; 0 when there is none
    qint64 backgroundFailures = 0;  // failures outside the clusters
};

// From the failures per time bin of the run's timeline (`RunStatistics::failuresOverTime`, bins of
// binNs). A run with at most kFewFailures failures has no statistics to speak of: each run of bins with
// failures (merged across a gap of one bin) is its own cluster. Otherwise the failures are taken as a
// Poisson background of a constant rate plus bursts: a block of 1, 2, 4, ... bins is part of a cluster
// when its count is improbable under the background (one chance in a hundred for the whole run, over all
// blocks), and the rate is estimated again from the bins outside the clusters until the clusters settle.
// Uniform noise gives no cluster and its rate; a device that fails for the second half of the run gives
// one cluster over that half.
FailureClusters failureClusters(const QList<qint64> &bins, qint64 binNs);

constexpr qint64 kFewFailures = 20;

// The smallest count k with P(X >= k) < p for X ~ Poisson(mean): exact for small means, the normal
// approximation (with continuity correction) for large ones. Any count above 0 for a mean of 0.
qint64 poissonUpperThreshold(double mean, double p);

} // namespace hil
