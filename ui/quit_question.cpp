#include "quit_question.h"

#include <QMessageBox>
#include <QPushButton>

namespace qn::ui {

QuitChoice ask_how_to_quit(QWidget* parent, const QueueCounts& counts) {
  QMessageBox box(parent);
  box.setIcon(QMessageBox::Question);
  box.setWindowTitle("Quit QNStudio");
  box.setText(QStringLiteral("QNStudio is training: %1 running, %2 queued.")
                  .arg(counts.running)
                  .arg(counts.queued));
  box.setInformativeText(
      "Finish first: QNStudio quits once the queue is empty.\n"
      "Leave queued: quit now; the running run is marked interrupted and, with the queued "
      "ones, resumes when you open this store again.\n"
      "Cancel runs: the running and queued runs are cancelled.");
  auto* finish = box.addButton("&Finish first", QMessageBox::AcceptRole);
  auto* leave = box.addButton("&Leave queued", QMessageBox::DestructiveRole);
  auto* cancel_runs = box.addButton("Cancel &runs", QMessageBox::DestructiveRole);
  auto* stay = box.addButton("&Don't quit", QMessageBox::RejectRole);
  box.setDefaultButton(finish);
  box.setEscapeButton(stay);
  box.exec();
  const auto* clicked = box.clickedButton();
  if (clicked == finish) return QuitChoice::FinishFirst;
  if (clicked == leave) return QuitChoice::LeaveQueued;
  if (clicked == cancel_runs) return QuitChoice::CancelRuns;
  return QuitChoice::StayOpen;
}

}  // namespace qn::ui
