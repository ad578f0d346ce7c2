#pragma once

class QTableView;

namespace hil::gui::tableviews {

// The look every table of the app shares: compact rows, alternating colours, whole-row selection, the
// last column stretched, no grid.
void setUp(QTableView *view);

// Keeps the view at its last row as rows are appended, as long as the user has not scrolled away from it.
void followTail(QTableView *view);

} // namespace hil::gui::tableviews
