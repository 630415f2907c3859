#include "run_selection.h"

#include <algorithm>

namespace qn::ui {

bool RunSelection::contains(int64_t run_id) const {
  return std::find(ids_.begin(), ids_.end(), run_id) != ids_.end();
}

void RunSelection::set(std::vector<int64_t> run_ids) {
  auto sorted_new = run_ids, sorted_old = ids_;
  std::sort(sorted_new.begin(), sorted_new.end());
  std::sort(sorted_old.begin(), sorted_old.end());
  sorted_new.erase(std::unique(sorted_new.begin(), sorted_new.end()), sorted_new.end());
  sorted_old.erase(std::unique(sorted_old.begin(), sorted_old.end()), sorted_old.end());
  if (sorted_new == sorted_old) return;
  ids_ = std::move(run_ids);
  Q_EMIT changed();
}

}  // namespace qn::ui
