// The GUI's one connection to the store, on its own thread: reads (run list, curves,
// progress), edits (queue, cancel, hide, delete, export), a store that cannot be opened,
// and the window kept live while another process holds the store locked.
#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <algorithm>
#include <chrono>
#include <thread>

#include "common/runtime.h"
#include "main_window.h"
#include "run_setup_panel.h"
#include "runs_table_model.h"
#include "store/sqlite_database.h"
#include "store_worker.h"

using namespace qn;
using namespace qn::ui;
using nlohmann::json;

namespace {

json tiny_config(int64_t steps) {
  return to_json(parse_run_config(
      {{"device", "cpu"},
       {"data", {{"train_limit", 512}, {"eval_limit", 1000}}},
       {"model", {{"width", 8}, {"hidden", 32}}},
       {"train", {{"max_steps", steps}, {"batch_size", 32}}},
       {"quant", {{"method", "int"}, {"bits", 4}}}}));
}

int64_t add_done_run(RunStore& store, int64_t seed) {
  auto config = tiny_config(5);
  config["train"]["seed"] = seed;
  const auto id = store.begin_run(config, "cpu").id;
  store.add_metrics(id, {{1, "loss", 2.0}, {2, "loss", 1.5}, {2, "accuracy", 0.5}});
  store.finish(id, {"accuracy", 0.5, std::nullopt, 1000, 4000, 4.0, 1.0});
  return id;
}

// The longest gap between the ticks of a 5 ms timer on the UI thread, beyond its period,
// while the test waits (QTRY_ and qWait run the event loop).
class StallProbe : public QObject {
 public:
  StallProbe() {
    clock_.start();
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(5);
    connect(&timer_, &QTimer::timeout, this, [this] {
      const auto now = clock_.nsecsElapsed();
      longest_ms_ = std::max(longest_ms_, (now - last_) / 1e6 - 5);
      last_ = now;
    });
    timer_.start();
  }
  double longest_ms() const { return longest_ms_; }

 private:
  QElapsedTimer clock_;
  QTimer timer_;
  qint64 last_ = 0;
  double longest_ms_ = 0;
};

// Answers the next modal question (Delete's "are you sure") with Yes.
void answer_yes_soon() {
  QTimer::singleShot(50, [] {
    if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
      box->button(QMessageBox::Yes)->click();
    }
  });
}

}  // namespace

class TestStoreWorker : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void initTestCase() {
    init_runtime();
    QStandardPaths::setTestModeEnabled(true);
  }

  void reads_the_run_list_curves_and_progress() {
    const auto path = dir_.filePath("reads.sqlite");
    int64_t done = 0;
    {
      RunStore store(path.toStdString());
      done = add_done_run(store, 0);
      store.begin_run(tiny_config(5), "cpu");  // running, no progress recorded yet
    }
    StoreWorker worker(path);
    QSignalSpy runs(&worker, &StoreWorker::runsRead);
    QSignalSpy curves(&worker, &StoreWorker::curvesRead);
    QSignalSpy progress(&worker, &StoreWorker::progressRead);
    worker.request({done}, /*force_run_list=*/true);
    QVERIFY(worker.reading());
    QTRY_VERIFY(!worker.reading());
    QCOMPARE(runs.count(), 1);
    const auto list = runs.takeFirst().at(0).value<RunList>();
    QCOMPARE(list->size(), size_t{2});
    QCOMPARE(curves.count(), 1);
    const auto curve = curves.takeFirst().at(0).value<CurveMap>().at(done);
    QCOMPARE(curve.losses, (QVector<double>{2.0, 1.5}));
    QCOMPARE(curve.eval_values, QVector<double>{0.5});
    QVERIFY(curve.final);
    QCOMPARE(progress.count(), 1);
    // Unchanged store, no forced read: the run list is not sent again.
    worker.request({});
    QTRY_VERIFY(!worker.reading());
    QCOMPARE(runs.count(), 0);
  }

  void edits_run_in_order_and_say_what_they_did() {
    const auto path = dir_.filePath("edits.sqlite");
    int64_t done = 0;
    {
      RunStore store(path.toStdString());
      done = add_done_run(store, 0);
    }
    StoreWorker worker(path);
    QSignalSpy queued(&worker, &StoreWorker::runsQueued);
    QSignalSpy edited(&worker, &StoreWorker::edited);
    QSignalSpy failed(&worker, &StoreWorker::editFailed);
    QSignalSpy editing(&worker, &StoreWorker::editingChanged);
    worker.enqueue_runs({parse_run_config(tiny_config(5)), parse_run_config(tiny_config(6))});
    QVERIFY(worker.editing());
    QTRY_COMPARE(queued.count(), 1);
    const auto ids = queued.takeFirst().at(0).value<QList<qint64>>();
    QCOMPARE(ids.size(), 2);
    worker.cancel_runs({ids[0]});
    worker.set_hidden({done}, true);
    worker.remove_runs({ids[1]});
    worker.export_run(ids[0], dir_.filePath("never.qnz"), ExportFormat::Qnz);  // not done
    QTRY_VERIFY(!worker.editing());
    QCOMPARE(edited.count(), 3);
    QCOMPARE(edited.at(0).at(0).toString(), QString("Cancelled 1 run"));
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QString("export"));
    QVERIFY2(failed.at(0).at(1).toString().contains(QString::number(ids[0])),
             qPrintable(failed.at(0).at(1).toString()));
    // Busy, then idle, for the enqueue and again for the four edits queued behind each other.
    QCOMPARE(editing.count(), 4);
    QCOMPARE(editing.at(2).at(0).toBool(), true);
    QCOMPARE(editing.at(3).at(0).toBool(), false);
    RunStore store(path.toStdString());
    QVERIFY(store.run(ids[0])->status == RunStatus::Cancelled);
    QVERIFY(!store.run(ids[1]));
    QVERIFY(store.run(done)->hidden);
    QCOMPARE(json::parse(store.run(ids[0])->config_text), tiny_config(5));
  }

  void a_store_that_cannot_be_opened_is_explained() {
    QFile junk(dir_.filePath("junk.sqlite"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(4096, 'x'));
    junk.close();
    StoreWorker worker(junk.fileName());
    QSignalSpy failed(&worker, &StoreWorker::openFailed);
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY(!failed.at(0).at(0).toString().isEmpty());
  }

  // Another process holds the store's write lock for 5 s (a sweep committing, a backup)
  // while the user clicks Run, Cancel and Delete: the window never waits on it, and every
  // edit is made once the lock is released.
  void a_locked_store_never_freezes_the_window_and_loses_nothing() {
    const auto path = dir_.filePath("locked.sqlite");
    int64_t queued_before = 0, to_delete = 0, kept = 0;
    {
      RunStore store(path.toStdString());
      kept = add_done_run(store, 0);
      to_delete = add_done_run(store, 1);
      queued_before = store.add_run(tiny_config(1000000));
    }
    MainWindow window(path);
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_COMPARE(window.runs_model()->rowCount(), 3);
    window.setup_panel()->set_config(parse_run_config(tiny_config(1000000)));
    QTRY_VERIFY(window.setup_panel()->ready());

    std::atomic<bool> locked{false};
    std::thread locker([&] {
      SqliteDatabase holder(path.toStdString());
      holder.execute("BEGIN EXCLUSIVE");
      locked = true;
      std::this_thread::sleep_for(std::chrono::seconds(5));
      holder.execute("COMMIT");
      locked = false;
    });
    QTRY_VERIFY(locked.load());
    StallProbe probe;
    QElapsedTimer clicks;
    clicks.start();
    QTest::mouseClick(window.setup_panel()->run_button(), Qt::LeftButton);
    window.select_runs({queued_before});
    window.cancel_selected();
    window.select_runs({to_delete});
    answer_yes_soon();
    window.delete_selected();
    const auto clicks_ms = clicks.elapsed();
    QTRY_VERIFY(window.store_busy());
    QTRY_VERIFY_WITH_TIMEOUT(!locked.load(), 10000);
    locker.join();
    QTRY_VERIFY_WITH_TIMEOUT(!window.store()->editing(), 10000);
    const double stall = probe.longest_ms();
    qInfo("the store locked for 5 s: three clicks took %lld ms (with Delete's question); "
          "longest UI-thread stall %.1f ms", static_cast<long long>(clicks_ms), stall);
    QVERIFY2(stall < 1000, "the UI thread waited on the locked store");

    // The queued run was cancelled (or, had the engine claimed it first, stopped at once).
    QTRY_VERIFY_WITH_TIMEOUT(RunStore(path.toStdString()).run(queued_before)->status ==
                                 RunStatus::Cancelled, 10000);
    RunStore store(path.toStdString());
    QVERIFY(!store.run(to_delete));
    QVERIFY(store.run(kept)->result);
    QCOMPARE(store.runs().size(), size_t{3});  // kept, cancelled, and the new run
    int64_t new_run = 0;
    for (const auto& run : store.runs()) new_run = std::max(new_run, run.id);
    QVERIFY(new_run > queued_before);
    window.select_runs({new_run});
    window.cancel_selected();  // stop its million steps
    QTRY_VERIFY_WITH_TIMEOUT(RunStore(path.toStdString()).run(new_run)->status ==
                                 RunStatus::Cancelled, 60000);
  }
};

QTEST_MAIN(TestStoreWorker)
#include "test_store_worker.moc"
