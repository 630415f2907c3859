// The desktop application, offscreen: the setup panel explains invalid configs and gates
// Run; Run trains a real (tiny) run whose row and Pareto point appear; cancel stops a
// running run within 2 s; the table and the Pareto plot share one selection.
#include <QElapsedTimer>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QComboBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "common/runtime.h"
#include "main_window.h"
#include "importance_plot.h"
#include "parallel_plot.h"
#include "response_plot.h"
#include "pareto_plot.h"
#include "qcustomplot_include.h"
#include "run_controller.h"
#include "run_setup_panel.h"
#include "test_support.h"
#include "runs_panel.h"
#include "runs_table_model.h"
#include "sensitivity_view.h"
#include "train/layer_sensitivity.h"
#include "train/run_check.h"
#include "layer_table.h"
#include "config/run_config.h"
#include <QCheckBox>
#include <QUndoStack>
#include "store/run_store.h"
#include <QLineEdit>
#include <QListWidget>
#include <QToolTip>
#include "plot_export.h"

using namespace qn;
using namespace qn::ui;

namespace {

nlohmann::json tiny_config(int64_t steps) {
  return {{"task", "fashion-mnist"},
          {"device", "cpu"},
          {"data", {{"train_limit", 512}, {"eval_limit", 1000}}},
          {"model", {{"arch", "convnet"}, {"width", 8}, {"hidden", 32}}},
          {"train", {{"max_steps", steps}, {"batch_size", 32}, {"lr", 0.002}}},
          {"quant", {{"method", "int"}, {"bits", 4}}},
          {"noise", {{"mode", "quant-noise"}, {"p", 0.5}}}};
}

RunConfig tiny_run(int64_t steps) { return parse_run_config(tiny_config(steps)); }

// Asks for a reload and waits until the window shows what the store holds now.
void show_store(MainWindow& window) {
  QTRY_VERIFY(!window.store_busy());
  window.reload();
  QTRY_VERIFY(!window.store_busy());
}

RunStatus status_of(MainWindow& window, int64_t id) {
  show_store(window);
  const int row = window.runs_model()->row_of(id);
  return row < 0 ? RunStatus::Queued : window.runs_model()->run_at(row).status;
}

}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void initTestCase() {
    init_runtime();
    QStandardPaths::setTestModeEnabled(true);  // QSettings away from the user's
  }

  // The user's TorchScript model: its layers listed with their sizes; unchecking one leaves
  // it uncompressed (quant.exclude), and the size once compressed follows.
  void your_model_lists_its_layers_and_a_layer_can_be_left_uncompressed() {
    QProcess python;
    python.start(qn::test::python_with_torch(), {QNS_SOURCE_DIR "/tests/python/make_scripted_models.py",
                                      dir_.filePath("models")});
    QVERIFY(python.waitForFinished(120000) && python.exitCode() == 0);
    MainWindow window(dir_.filePath("your-model.sqlite"));
    auto* panel = window.setup_panel();
    panel->use_model_file(dir_.filePath("models/small_cnn.pt"));
    panel->quantizer()->setCurrentText("int8");
    QTRY_VERIFY(!panel->checking());
    QVERIFY2(panel->valid(), qPrintable(panel->status_text()));
    auto* table = panel->layer_table();
    QCOMPARE(table->rowCount(), 4);
    QCOMPARE(table->item(3, 0)->text(), QString("fc"));
    QCOMPARE(table->item(3, 5)->text(), QString::fromUtf8("10×256"));
    QCOMPARE(table->item(3, 4)->data(Qt::UserRole).toLongLong(), 2560);
    QCOMPARE(table->item(3, 1)->text(), QString("int8 (minmax)"));
    QVERIFY(table->item(3, 2)->data(Qt::UserRole).toLongLong() < 2560 * 4);  // int8
    const auto size_before = panel->status_text();

    table->item(3, 0)->setCheckState(Qt::Unchecked);
    QCOMPARE(panel->config().quant.exclude, std::vector<std::string>{"^fc$"});
    QTRY_VERIFY(!panel->checking());
    QCOMPARE(table->item(3, 0)->checkState(), Qt::Unchecked);
    QCOMPARE(table->item(3, 1)->text(), QString("fp32"));
    QCOMPARE(table->item(3, 2)->data(Qt::UserRole).toLongLong(), 2560 * 4);  // stored fp32
    QVERIFY(panel->status_text() != size_before);
    panel->undo_stack()->undo();
    QVERIFY(panel->config().quant.exclude.empty());
    QTRY_VERIFY(!panel->checking());

    // "stored as": the layer's own quantizer, a quant.layers entry for exactly that layer.
    const auto int8_bytes = table->item(3, 2)->data(Qt::UserRole).toLongLong();
    auto* storage = qobject_cast<QComboBox*>(table->cellWidget(3, 1));
    QVERIFY(storage);
    QCOMPARE(storage->currentText(), QString("int8 (minmax)"));  // as the run
    storage->setCurrentText("int4");
    QCOMPARE(panel->config().quant.layers.size(), size_t{1});
    QCOMPARE(panel->config().quant.layers[0].pattern, std::string("^fc$"));
    QCOMPARE(*panel->config().quant.layers[0].bits, 4);
    QTRY_VERIFY(!panel->checking());
    QCOMPARE(table->item(3, 1)->text(), QString("int4 (minmax)"));
    QVERIFY(table->item(3, 2)->data(Qt::UserRole).toLongLong() < int8_bytes);
    storage = qobject_cast<QComboBox*>(table->cellWidget(3, 1));  // the listing is new
    QCOMPARE(storage->currentText(), QString("int4"));
    QCOMPARE(table->item(2, 1)->text(), QString("int8 (minmax)"));  // the others as the run
    storage->setCurrentText("as the run");
    QVERIFY(panel->config().quant.layers.empty());
  }

  void an_invalid_block_size_disables_run_with_the_reason() {
    MainWindow window(dir_.filePath("invalid.sqlite"));
    auto* panel = window.setup_panel();
    panel->set_config(tiny_run(5));
    QTRY_VERIFY(!panel->checking());  // checked off the UI thread
    QVERIFY(panel->valid());
    QVERIFY(panel->run_button()->isEnabled());
    QVERIFY(panel->status_text().contains("Size once compressed"));
    panel->quantizer()->setCurrentText("PQ");
    panel->conv_block()->setValue(4);  // the stem's kernels hold 1*3*3 = 9 weights
    QVERIFY(!panel->run_button()->isEnabled());  // at once, before the check has run
    QTRY_VERIFY(!panel->checking());
    QVERIFY(!panel->valid());
    QVERIFY(!panel->run_button()->isEnabled());
    QVERIFY2(panel->status_text().contains("block size 4 does not divide"),
             qPrintable(panel->status_text()));
    QVERIFY(panel->status_text().contains("stem"));
    panel->conv_block()->setValue(9);
    panel->linear_block()->setValue(4);  // hidden: 20*7*7 = 980 inputs, not a multiple of 8
    QTRY_VERIFY(!panel->checking());
    QVERIFY2(panel->valid(), qPrintable(panel->status_text()));
    QVERIFY(panel->run_button()->isEnabled());
    // Checked after a typing pause, off the UI thread: the answer arrives by itself.
    panel->conv_block()->setValue(4);
    QVERIFY(!panel->run_button()->isEnabled());
    QTRY_VERIFY(!panel->checking());
    QVERIFY(!panel->valid());
    QVERIFY2(panel->status_text().contains("block size 4 does not divide"), qPrintable(panel->status_text()));
    panel->conv_block()->setValue(9);
    QTRY_VERIFY(!panel->checking());
    QVERIFY(panel->valid());
    QVERIFY(panel->run_button()->isEnabled());
    // A model too big to build is refused before anything is allocated.
    panel->model_width()->setValue(4096);
    panel->model_hidden()->setValue(65536);
    QTRY_VERIFY(!panel->checking());
    QVERIFY(!panel->run_button()->isEnabled());
    QVERIFY2(panel->status_text().contains("would have at least"), qPrintable(panel->status_text()));
  }

  void setup_edits_undo_and_redo() {
    MainWindow window(dir_.filePath("undo.sqlite"));
    auto* panel = window.setup_panel();
    auto* stack = panel->undo_stack();
    panel->set_config(tiny_run(5));  // one step (taking a config over)
    QTRY_VERIFY(!panel->checking());
    const int start = stack->index();
    panel->centroids()->setValue(64);
    QTRY_VERIFY(!panel->checking());
    panel->max_steps()->setValue(9);
    QTRY_VERIFY(!panel->checking());
    QCOMPARE(stack->index(), start + 2);
    stack->undo();
    QCOMPARE(panel->max_steps()->value(), 5);
    QCOMPARE(panel->centroids()->value(), 64);
    stack->undo();
    QCOMPARE(panel->centroids()->value(), 256);
    stack->redo();
    stack->redo();
    QCOMPARE(panel->centroids()->value(), 64);
    QCOMPARE(panel->max_steps()->value(), 9);
    QCOMPARE(panel->config().train.max_steps, int64_t{9});
  }

  void run_trains_and_the_run_appears_in_the_table_and_the_pareto_plot() {
    MainWindow window(dir_.filePath("run.sqlite"));
    window.resize(1400, 900);
    window.show();
    auto config = tiny_run(5);
    config.model.hidden = 29;  // a model this process has not checked yet (the check ignores train)
    const auto checks_before = model_checks_performed();
    window.setup_panel()->set_config(config);
    QTRY_VERIFY(window.setup_panel()->ready());
    QTest::mouseClick(window.setup_panel()->run_button(), Qt::LeftButton);
    QTRY_COMPARE(window.runs_model()->rowCount(), 1);
    const int64_t id = window.runs_model()->run_at(0).id;
    QCOMPARE(window.selected_run_ids(), std::vector<int64_t>{id});  // the queued run
    QTRY_VERIFY_WITH_TIMEOUT(status_of(window, id) == RunStatus::Done, 120000);
    // The panel's check, queueing and training built the model to check it once in all.
    QCOMPARE(model_checks_performed() - checks_before, int64_t{1});
    window.show_view("pareto");
    QCOMPARE(window.pareto()->point_count(), 1);
    const auto row = window.runs_model()->run_at(window.runs_model()->row_of(id));
    QVERIFY(row.result->metric > 0.1);
    QVERIFY(window.pareto()->pixel_of(id).x() >= 0);
  }

  void cancel_stops_a_running_run_within_two_seconds() {
    MainWindow window(dir_.filePath("cancel.sqlite"));
    QSignalSpy progress(window.controller(), &RunController::progress);
    window.setup_panel()->set_config(tiny_run(1000000));
    QTRY_VERIFY(window.setup_panel()->ready());
    QTest::mouseClick(window.setup_panel()->run_button(), Qt::LeftButton);
    QTRY_COMPARE(window.runs_model()->rowCount(), 1);
    const int64_t id = window.runs_model()->run_at(0).id;
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 0, 60000);  // training, not loading
    // The queue shows the run's stage, step and time left, read from the store.
    const auto progress_cell = [&] {
      const auto* model = window.runs_model();
      return model->index(model->row_of(id), RunsTableModel::Progress).data().toString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(progress_cell().contains(" left"), 10000);
    QVERIFY2(progress_cell().startsWith("training "), qPrintable(progress_cell()));
    QVERIFY2(progress_cell().contains("/1000000"), qPrintable(progress_cell()));
    window.select_runs({id});
    QElapsedTimer clock;
    clock.start();
    window.store()->cancel_runs({id});
    QTRY_VERIFY_WITH_TIMEOUT(status_of(window, id) == RunStatus::Cancelled, 10000);
    qInfo("cancelled in %lld ms", static_cast<long long>(clock.elapsed()));
    QVERIFY(clock.elapsed() < 2000);
  }

  void a_first_start_fits_the_screen() {
    QSettings().remove("window/geometry");  // no saved settings: a first start
    MainWindow window(dir_.filePath("first.sqlite"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const auto available = window.screen()->availableGeometry();
    qInfo("first start on a %dx%d screen: %dx%d", available.width(), available.height(),
          window.width(), window.height());
    QVERIFY(available.contains(window.frameGeometry()) || available.contains(window.geometry()));
    QVERIFY(window.width() >= available.width() * 0.8);
    QVERIFY(window.height() >= available.height() * 0.8);
    // The views have room: the runs table and the plots are not squeezed.
    QVERIFY(window.runs_panel()->height() >= 120);
    QVERIFY(window.pareto()->width() >= 300);
  }

  void runs_that_differ_only_by_seed_group_into_one_point() {
    const auto db = dir_.filePath("seeds.sqlite").toStdString();
    {
      RunStore store(db);
      for (int64_t seed : {0, 1, 2}) {
        auto config = tiny_config(5);
        config["train"]["seed"] = seed;
        const auto id = store.begin_run(to_json(parse_run_config(config)), "cpu").id;
        store.finish(id, {"accuracy", 0.80 + 0.01 * static_cast<double>(seed), std::nullopt,
                          1000, 4000, 4.0, 1.0});
      }
    }
    MainWindow window(QString::fromStdString(db));
    window.resize(1400, 900);
    window.show();
    window.show_view("pareto");
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    show_store(window);
    QCOMPARE(window.pareto()->point_count(), 3);
    window.pareto()->group_seeds_box()->setChecked(true);
    QCOMPARE(window.pareto()->point_count(), 1);
    window.pareto()->plot()->replot();
    const auto pixel = window.pareto()->pixel_of(window.runs_model()->run_at(0).id).toPoint();
    QTest::mouseClick(window.pareto()->plot(), Qt::LeftButton, {}, pixel);
    QCOMPARE(window.selected_run_ids().size(), size_t{3});  // the group's runs
  }

  // A 2 x 2 grid (bits 4 / 8, noise none / Quant-Noise): the bits explain most of the
  // accuracy; dragging along the bits axis selects exactly the runs inside the range; the
  // response view draws the accuracy against the bits, a line for each noise mode.
  void sweep_insight_views_read_a_grid() {
    const auto db = dir_.filePath("grid.sqlite").toStdString();
    {
      RunStore store(db);
      for (const int bits : {4, 8}) {
        for (const char* mode : {"none", "quant-noise"}) {
          auto config = tiny_config(5);
          config["quant"]["bits"] = bits;
          config["noise"]["mode"] = mode;
          const auto id = store.begin_run(to_json(parse_run_config(config)), "cpu").id;
          const double metric = (bits == 8 ? 0.90 : 0.80) + (std::string(mode) == "none" ? 0 : 0.01);
          store.finish(id, {"accuracy", metric, std::nullopt, 100 * bits, 4000, 4.0, 1.0});
        }
      }
    }
    MainWindow window(QString::fromStdString(db));
    window.resize(1400, 900);
    window.show();
    window.show_view("parallel");
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    show_store(window);
    auto* parallel = window.parallel();
    const auto& table = parallel->table();
    QCOMPARE(table.run_ids.size(), size_t{4});
    std::vector<std::string> keys;
    for (const auto& axis : table.axes) keys.push_back(axis.key);
    QCOMPARE(keys, (std::vector<std::string>{"noise.mode", "quant.bits", "size_bytes", "accuracy"}));
    QCOMPARE(window.current_plot(), parallel->plot());

    // Drag from bits 7 up to 8 on the bits axis: the two 8-bit runs.
    parallel->plot()->replot();
    const auto from = parallel->pixel_of(1, 7).toPoint();
    const auto to = parallel->pixel_of(1, 8).toPoint() - QPoint(0, 5);
    QTest::mousePress(parallel->plot(), Qt::LeftButton, {}, from);
    QTest::mouseMove(parallel->plot(), to);
    QTest::mouseRelease(parallel->plot(), Qt::LeftButton, {}, to);
    QCOMPARE(parallel->brushes().size(), size_t{1});
    QCOMPARE(parallel->brushes()[0].axis, size_t{1});
    auto expected = runs_within(table, parallel->brushes());
    std::sort(expected.begin(), expected.end());
    QCOMPARE(expected.size(), size_t{2});
    auto selected = window.selected_run_ids();
    std::sort(selected.begin(), selected.end());
    QCOMPARE(selected, expected);
    // A second brush on the metric narrows it to the better of the two; a click on the bits
    // axis clears its brush, leaving the metric's.
    parallel->brush(3, 0.905, 1.0);
    QCOMPARE(window.selected_run_ids().size(), size_t{1});
    QCOMPARE(window.runs_model()->run_at(window.runs_model()->row_of(window.selected_run_ids()[0])).result->metric, 0.91);
    QTest::mouseClick(parallel->plot(), Qt::LeftButton, {}, from);
    QCOMPARE(parallel->brushes().size(), size_t{1});
    QCOMPARE(window.selected_run_ids().size(), size_t{1});
    parallel->clear_brushes();
    QVERIFY(window.selected_run_ids().empty());

    const auto& importance = window.importance()->importance();
    QCOMPARE(importance.size(), size_t{2});
    QCOMPARE(importance[0].keys, std::string("quant.bits"));
    QVERIFY(importance[0].share > 0.98);
    window.show_view("importance");
    QCOMPARE(window.current_plot(), window.importance()->plot());

    window.show_view("response");
    auto* response = window.response();
    QCOMPARE(window.current_plot(), response->plot());
    QCOMPARE(response->response().key, std::string("quant.bits"));
    QCOMPARE(response->response().lines.size(), size_t{2});
    for (const auto& line : response->response().lines) {
      QCOMPARE(line.points.size(), size_t{2});
      QCOMPARE(line.points[0].x, 4.0);
      QVERIFY(std::abs(line.points[1].mean - line.points[0].mean - 0.10) < 1e-9);  // 8 bits over 4
    }
    QCOMPARE(response->plot()->graphCount(), 4);  // a line of means and its seeds' dots, each
    QVERIFY(!response->show_against("noise.mode"));  // text: not an x axis
    QString error;
    QVERIFY2(export_plot(*window.current_plot(), dir_.filePath("importance.svg"), &error), qPrintable(error));
    QFile svg(dir_.filePath("importance.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QVERIFY(svg.readAll().contains("quant.bits"));
  }

  // Measure runs `qnoise sensitivity` on the setup's config and the heat map shows the stored
  // table; Propose runs `qnoise solve` on that table, the panel takes the mixed config, and
  // once a run of it is done the Pareto view joins the prediction to it.
  void sensitivity_heat_map_and_a_proposal_for_a_target_size() {
    MainWindow window(dir_.filePath("sensitivity.sqlite"));
    window.resize(1400, 900);
    window.show();
    window.show_view("sensitivity");
    auto config = tiny_config(5);
    config["quant"] = {{"method", "none"}};
    config["noise"] = {{"mode", "none"}};
    window.setup_panel()->set_config(parse_run_config(config));
    QTRY_VERIFY(window.setup_panel()->ready());
    auto* view = window.sensitivity();
    QVERIFY(!view->table());
    QTest::mouseClick(view->measure_button(), Qt::LeftButton);
    QVERIFY(!view->measure_button()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(view->table() != nullptr, 300000);
    QVERIFY(view->measure_button()->isEnabled());
    const auto& table = *view->table();
    QCOMPARE(table.candidates, default_candidate_names());
    QVERIFY(table.rows.size() >= 11);  // every layer has int8 at least
    {
      RunStore store(dir_.filePath("sensitivity.sqlite").toStdString());
      const auto stored = SensitivityStore(store.database()).ids();
      QCOMPARE(stored.size(), size_t{1});
      QCOMPARE(*table.id, stored[0]);  // the view shows the table the command stored
    }
    QString error;
    QVERIFY2(export_plot(*window.current_plot(), dir_.filePath("heat.svg"), &error), qPrintable(error));

    // x4 of fp32: the solver mixes int8 and below; the panel shows the proposal.
    auto* panel = window.setup_panel();
    panel->target_size()->setValue(4);
    QTest::mouseClick(panel->propose_button(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->proposal_text().startsWith("Proposed"), 120000);
    QVERIFY(!panel->config().quant.layers.empty());
    QTRY_VERIFY(panel->ready());
    QMetaObject::invokeMethod(panel->run_button(), "click");
    QTRY_VERIFY_WITH_TIMEOUT(window.runs_model()->rowCount() == 1 &&
                                 status_of(window, window.runs_model()->run_at(0).id) == RunStatus::Done,
                             120000);
    show_store(window);
    QCOMPARE(window.pareto()->joined_prediction_count(), 1);
  }

  void the_table_and_the_pareto_plot_share_the_selection() {
    const auto db = dir_.filePath("run.sqlite");  // the run of the test above
    MainWindow window(db);
    window.resize(1400, 900);
    window.show();
    window.show_view("pareto");
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    show_store(window);
    const int64_t id = window.runs_model()->run_at(0).id;
    window.select_runs({id});
    QCOMPARE(window.selected_run_ids(), std::vector<int64_t>{id});
    window.select_runs({});
    QVERIFY(window.selected_run_ids().empty());
    // The table's filter narrows the plot too.
    window.runs_panel()->text_filter()->setText("no such run");
    QCOMPARE(window.pareto()->point_count(), 0);
    window.runs_panel()->text_filter()->setText("int4");
    QCOMPARE(window.pareto()->point_count(), 1);
    window.runs_panel()->text_filter()->clear();
    // A click on the point selects the row.
    window.pareto()->plot()->replot();
    const auto pixel = window.pareto()->pixel_of(id).toPoint();
    QVERIFY(pixel.x() >= 0);
    QTest::mouseClick(window.pareto()->plot(), Qt::LeftButton, {}, pixel);
    QCOMPARE(window.selected_run_ids(), std::vector<int64_t>{id});
    // Hovering the point shows the run's config and result.
    const auto tip = window.pareto()->tip_of_run(id);
    for (const char* part : {"int4", "Quant-Noise p=0.50", "accuracy", "KB", "fashion-mnist",
                             "5 steps", "hidden 29"}) {
      QVERIFY2(tip.contains(part), qPrintable(part + (": " + tip)));
    }
    QTest::mouseMove(window.pareto()->plot(), pixel);
    QTRY_COMPARE(QToolTip::text(), tip);
  }

  void filters_by_task_and_quantizer_narrow_the_table_and_the_plot() {
    const auto db = dir_.filePath("filters.sqlite").toStdString();
    {
      RunStore store(db);
      for (const int bits : {4, 8}) {
        auto config = tiny_config(5);
        config["quant"]["bits"] = bits;
        const auto id = store.begin_run(to_json(parse_run_config(config)), "cpu").id;
        store.finish(id, {"accuracy", 0.8, std::nullopt, 1000 * bits, 32000, 32.0 / bits, 1.0});
      }
    }
    MainWindow window(QString::fromStdString(db));
    show_store(window);
    QCOMPARE(window.pareto()->point_count(), 2);
    auto* quantizers = window.runs_panel()->quantizer_filter();
    QCOMPARE(quantizers->count(), 3);  // all, int4, int8
    const int int8 = quantizers->findText("int8", Qt::MatchStartsWith);
    QVERIFY(int8 > 0);
    quantizers->setCurrentIndex(int8);
    QCOMPARE(window.runs_panel()->view()->model()->rowCount(), 1);
    QCOMPARE(window.pareto()->point_count(), 1);
    auto* tasks = window.runs_panel()->task_filter();
    tasks->setCurrentIndex(tasks->findText("fashion-mnist"));
    QCOMPARE(window.pareto()->point_count(), 1);
    quantizers->setCurrentIndex(0);  // all quantizers
    QCOMPARE(window.pareto()->point_count(), 2);
  }

  void a_done_run_re_runs_and_exports_and_plots_export() {
    const auto db = dir_.filePath("run.sqlite");  // the run of the test above
    MainWindow window(db);
    window.resize(1400, 900);
    window.show();
    show_store(window);
    const int64_t id = window.runs_model()->run_at(0).id;
    // Export .qnz, the decompressed state dict and TorchScript: files written and recorded.
    const auto qnz = dir_.filePath("exported.qnz");
    QSignalSpy exported(window.store(), &StoreWorker::exported);
    window.export_run_to(id, qnz, ExportFormat::Qnz);
    QTRY_COMPARE(exported.count(), 1);
    QFile file(qnz);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.read(4), QByteArray("\x89QNZ"));
    window.export_run_to(id, dir_.filePath("exported.pt"), ExportFormat::Float);
    QTRY_COMPARE(exported.count(), 2);
    // The built-in model as TorchScript holding its codes: a zip archive torch.jit.load reads.
    window.export_run_to(id, dir_.filePath("compact.pt"), ExportFormat::TorchScript);
    QTRY_COMPARE(exported.count(), 3);
    QFile compact(dir_.filePath("compact.pt"));
    QVERIFY(compact.open(QIODevice::ReadOnly));
    QCOMPARE(compact.read(2), QByteArray("PK"));
    QCOMPARE(RunStore(db.toStdString()).artifacts(id).size(), size_t{3});
    // Plots as PNG, SVG (text kept as text) and PDF; another suffix is refused.
    window.show_view("pareto");
    for (const char* name : {"plot.png", "plot.svg", "plot.pdf"}) {
      QString error;
      QVERIFY2(export_plot(*window.pareto()->plot(), dir_.filePath(name), &error), qPrintable(error));
    }
    QVERIFY(!QImage(dir_.filePath("plot.png")).isNull());
    QFile svg(dir_.filePath("plot.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const auto svg_text = svg.readAll();
    QVERIFY(svg_text.contains("<svg"));
    QVERIFY(svg_text.contains("exact size on disk"));
    QFile pdf(dir_.filePath("plot.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QCOMPARE(pdf.read(4), QByteArray("%PDF"));
    QString error;
    QVERIFY(!export_plot(*window.pareto()->plot(), dir_.filePath("plot.gif"), &error));
    QVERIFY(error.contains(".svg"));
    // Re-run: the same config, queued as a new run that trains to done.
    window.select_runs({id});
    window.rerun_selected();
    QTRY_COMPARE(window.runs_model()->rowCount(), 2);
    const auto again = window.selected_run_ids();
    QCOMPARE(again.size(), size_t{1});
    QVERIFY(again[0] != id);
    QCOMPARE(window.runs_model()->run_at(window.runs_model()->row_of(again[0])).config_text,
             window.runs_model()->run_at(window.runs_model()->row_of(id)).config_text);
    QTRY_VERIFY_WITH_TIMEOUT(status_of(window, again[0]) == RunStatus::Done, 120000);
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
