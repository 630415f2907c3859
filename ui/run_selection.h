#pragma once

#include <QObject>
#include <cstdint>
#include <vector>

namespace qn::ui {

// The selected runs, by id: one object that the runs table, the Pareto plot, the live
// curves and the compare view all follow and all change. Ids outlive the rows that show
// them: a run selected before the table has it (just queued) or while a filter hides it
// stays selected and shows once it is there.
class RunSelection : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;

  const std::vector<int64_t>& ids() const { return ids_; }
  bool contains(int64_t run_id) const;
  // Emits changed() when `run_ids` differs from the selection (as a set), so views that
  // set what they already show cause nothing.
  void set(std::vector<int64_t> run_ids);

 Q_SIGNALS:
  void changed();

 private:
  std::vector<int64_t> ids_;  // in the order given
};

}  // namespace qn::ui
