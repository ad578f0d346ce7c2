#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace hil::gui {

// A growing series of (time, value) points for a live plot, with no Qt in it (PlotJuggler's model):
// times in seconds, non-decreasing (a point earlier than the last is stored at the last time), NaN and
// infinite values skipped. Unbounded: a million points take 16 MB.
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

private:
    struct Block {
        std::size_t minAt = 0;
        std::size_t maxAt = 0;
    };
    // Where the minimum and the maximum of [a, b) are (b > a).
    std::pair<std::size_t, std::size_t> extremes(std::size_t a, std::size_t b) const;

    std::vector<double> m_t;
    std::vector<double> m_v;
    std::vector<Block> m_blocks; // block k covers points [k * kBlock, (k + 1) * kBlock)
};

} // namespace hil::gui
