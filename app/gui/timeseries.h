#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace hil::gui {

// A growing series of (time, value) points for a live plot, with no Qt in it (PlotJuggler's model):
// times in seconds, non-decreasing (a point earlier than the last is stored at the last time), NaN and
// infinite values skipped.
//
// Bounded, like an oscilloscope's history: when it holds kMaxPoints, its older half is compacted to the
// minimum and the maximum of every kBlock points (in time order), so the newest points stay raw and the
// history gets coarser the older it is (each compaction of a stretch divides its points by kBlock / 2).
// Memory stays below kMaxPoints x 16 bytes however long the run; a spike or a dip survives in the
// history at every age, only the points between extremes go.
//
// window() reduces what lies in a time window to what a plot of `columns` pixel columns can show: every
// point when there are at most two per column, else the minimum and the maximum of each column in time
// order, so that spikes survive at any zoom. A summary of every block of kBlock points (its minimum and
// maximum) lets a column that spans many points skip over whole blocks, so a window of a million points
// costs a few hundred thousand comparisons rather than a million.
class TimeSeries {
public:
    struct Point {
        double t = 0;
        double v = 0;
    };
    struct Window {
        std::vector<Point> points; // in time order, with the neighbours just outside the window
        double min = 0;            // of the values inside the window
        double max = 0;
        std::size_t inside = 0; // points inside the window
        bool decimated = false;
    };

    void append(double t, double v);
    void clear();
    void reserve(std::size_t n);

    std::size_t size() const { return m_t.size(); }
    bool isEmpty() const { return m_t.empty(); }
    double lastTime() const { return m_t.empty() ? 0 : m_t.back(); }
    double lastValue() const { return m_v.empty() ? 0 : m_v.back(); }
    Point at(std::size_t i) const { return {m_t[i], m_v[i]}; }

    // The points in [t0, t1] for a plot `columns` wide (columns >= 1), into out (reused).
    void window(double t0, double t1, int columns, Window *out) const;

    static constexpr std::size_t kBlock = 64;
    static constexpr std::size_t kMaxPoints = std::size_t{1} << 16; // 1 MiB of points
    // Points appended in all, and how many compactions folded older ones into the history.
    std::size_t appended() const { return m_appended; }
    std::size_t compactions() const { return m_compactions; }

private:
    struct Block {
        std::size_t minAt = 0;
        std::size_t maxAt = 0;
    };
    // Where the minimum and the maximum of [a, b) are (b > a).
    std::pair<std::size_t, std::size_t> extremes(std::size_t a, std::size_t b) const;
    // Folds the older half into min/max pairs per block and rebuilds the block summaries.
    void compact();

    std::vector<double> m_t;
    std::vector<double> m_v;
    std::vector<Block> m_blocks; // block k covers points [k * kBlock, (k + 1) * kBlock)
    std::size_t m_appended = 0;
    std::size_t m_compactions = 0;
};

} // namespace hil::gui
