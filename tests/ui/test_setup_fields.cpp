// The setup panel's fields refuse nonsense visibly, and greyed fields show the value that
// applies; the Pareto plot's multi-selection (Ctrl-click, a rectangle).
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest>

#include "common/runtime.h"
#include "config/choices.h"
#include "pareto_plot.h"
#include "qcustomplot_include.h"
#include "run_selection.h"
#include "run_setup_panel.h"
#include "text_data_fields.h"

using namespace qn;
using namespace qn::ui;

namespace {

// Types `text` into `box` as a user does: everything selected, then the keys.
void type_into(QAbstractSpinBox* box, const QString& text) {
  box->setFocus();
  box->selectAll();
  QTest::keyClicks(box, text);
}

int choice_index(const std::string& label) {
  const auto& choices = quantizer_choices();
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i].label == label) return static_cast<int>(i);
  }
  return -1;
}

StoredRun done_run(int64_t id, const std::string& method, double accuracy, int64_t bytes) {
  StoredRun run;
  run.id = id;
  run.status = RunStatus::Done;
  run.config = parse_run_config({{"quant", {{"method", method}}}, {"train", {{"seed", id}}}});
  run.config_text = to_json(*run.config).dump();
  run.config_hash = config_hash(to_json(*run.config));
  run.result = StoredResult{"accuracy", accuracy, accuracy, bytes, 4000000, 4000000.0 / bytes, 1};
  return run;
}

}  // namespace

class TestSetupFields : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    init_runtime();
    QStandardPaths::setTestModeEnabled(true);
  }

  // The texts' fields give back what they were given (a file name may hold a comma: files
  // are separated by ';'), and read lists as a user types them, spaces and all.
  void text_fields_round_trip_and_read_typed_lists() {
    DataConfig data;
    data.eval_paths = {"/data/dev_matched.tsv", "/data/dev, mismatched.tsv"};
    data.text_columns = {"sentence1", "sentence2"};
    data.label_column = "gold_label";
    data.labels = {"entailment", "neutral", "contradiction"};
    data.tokenizer = "/models/roberta-base";
    data.max_tokens = 256;
    TextDataFields fields;
    fields.read_from(data);
    DataConfig back;
    fields.write_to(back);
    QCOMPARE(back.eval_paths, data.eval_paths);
    QCOMPARE(back.text_columns, data.text_columns);
    QCOMPARE(back.label_column, data.label_column);
    QCOMPARE(back.labels, data.labels);
    QCOMPARE(back.tokenizer, data.tokenizer);
    QCOMPARE(back.max_tokens, int64_t{256});
    QLineEdit* columns = nullptr;
    for (auto* edit : fields.findChildren<QLineEdit*>()) {
      if (edit->toolTip().contains("data.text_columns")) columns = edit;
    }
    QVERIFY(columns);
    QSignalSpy edited(&fields, &TextDataFields::edited);
    columns->clear();
    QTest::keyClicks(columns, " premise ,hypothesis , ");
    QVERIFY(!edited.isEmpty());
    fields.write_to(back);
    QCOMPARE(back.text_columns, (std::vector<std::string>{"premise", "hypothesis"}));
  }

  // The panel shows the texts' fields for text classification only, and its config keeps them.
  void the_panel_shows_text_fields_for_text_classification() {
    RunSetupPanel panel;
    panel.show();
    auto* texts = panel.findChild<TextDataFields*>();
    QVERIFY(texts);
    QVERIFY(!texts->isVisible());  // Fashion-MNIST first
    RunConfig config;
    config.task = "text-classification";
    config.data.path = "/data/train.tsv";
    config.data.eval_paths = {"/data/dev.tsv"};
    config.data.text_columns = {"sentence"};
    config.data.tokenizer = "/models/bert";
    config.model.arch = "torchscript";
    config.model.path = "/models/bert.pt";
    panel.set_config(config);
    QVERIFY(texts->isVisible());
    const auto shown = panel.config();
    QCOMPARE(shown.task, std::string("text-classification"));
    QCOMPARE(shown.data.path, std::string("/data/train.tsv"));
    QCOMPARE(shown.data.text_columns, (std::vector<std::string>{"sentence"}));
    QCOMPARE(shown.data.tokenizer, std::string("/models/bert"));
  }

  void a_number_out_of_range_is_refused_with_its_range() {
    RunSetupPanel panel;
    panel.show();
    QTRY_VERIFY(panel.ready());
    const int batch = panel.batch()->value();
    type_into(panel.batch(), "99999999");
    QCOMPARE(panel.batch()->text(), QString("99999999"));  // kept as typed, not cut to 9999
    QVERIFY(!panel.run_button()->isEnabled());
    QVERIFY2(panel.status_text().contains("batch 99999999 is outside 1 to 65536"),
             qPrintable(panel.status_text()));
    // Leaving the field restores its last value; the panel can run again.
    QTest::keyClick(panel.batch(), Qt::Key_Return);
    panel.batch()->clearFocus();
    QCOMPARE(panel.batch()->value(), batch);
    QTRY_VERIFY(panel.run_button()->isEnabled());
    QVERIFY(!panel.status_text().contains("outside"));
  }

  void learning_rates_read_scientific_notation() {
    RunSetupPanel panel;
    panel.show();
    QTRY_VERIFY(panel.ready());
    type_into(panel.learning_rate(), "3e-4");
    QCOMPARE(panel.learning_rate()->text(), QString("3e-4"));
    QTest::keyClick(panel.learning_rate(), Qt::Key_Return);
    QCOMPARE(panel.config().train.lr, 3e-4);
    type_into(panel.learning_rate(), "1e9");
    QVERIFY(!panel.run_button()->isEnabled());
    QVERIFY2(panel.status_text().contains("learning rate 1e9 is outside 1e-07 to 10"),
             qPrintable(panel.status_text()));
    QTest::keyClick(panel.learning_rate(), Qt::Key_Return);
    QCOMPARE(panel.config().train.lr, 3e-4);  // kept: 1e9 was never taken as 10
  }

  void greyed_fields_show_the_value_that_applies() {
    RunSetupPanel panel;
    QTRY_VERIFY(!panel.checking());
    panel.quantizer()->setCurrentIndex(choice_index("int4"));
    QVERIFY(!panel.bits()->isEnabled());
    QCOMPARE(panel.bits()->value(), 4);
    panel.quantizer()->setCurrentIndex(choice_index("int8"));
    QCOMPARE(panel.bits()->value(), 8);

    // The preset stores p = 0: Quant-Noise starts at the paper's rate for the quantizer.
    auto config = panel.config();
    config.noise.mode = NoiseMode::None;
    config.noise.p = 0;
    panel.set_config(config);
    panel.quantizer()->setCurrentIndex(choice_index("PQ"));
    panel.noise_mode()->setCurrentIndex(static_cast<int>(noise_mode_choice_of(NoiseMode::QuantNoise)));
    QCOMPARE(panel.noise_rate()->value(), 0.1);
    QCOMPARE(panel.config().noise.p, 0.1);
    // STE quantizes every weight: its greyed rate reads 1; the stored rate is left alone.
    panel.noise_mode()->setCurrentIndex(static_cast<int>(noise_mode_choice_of(NoiseMode::Ste)));
    QVERIFY(!panel.noise_rate()->isEnabled());
    QCOMPARE(panel.noise_rate()->value(), 1.0);
    QCOMPARE(panel.config().noise.p, 0.0);
    // Back to Quant-Noise: the user's rate again.
    panel.noise_mode()->setCurrentIndex(static_cast<int>(noise_mode_choice_of(NoiseMode::QuantNoise)));
    QCOMPARE(panel.noise_rate()->value(), 0.1);
  }

  void pareto_points_are_multi_selected_by_ctrl_click_and_rectangle() {
    auto runs = std::make_shared<std::vector<StoredRun>>(std::vector<StoredRun>{
        done_run(1, "none", 0.86, 4000000), done_run(2, "int", 0.85, 1000000),
        done_run(3, "pq", 0.84, 150000)});
    std::vector<const StoredRun*> shown;
    for (const auto& run : *runs) shown.push_back(&run);
    RunSelection selection;
    ParetoPlot plot(&selection);
    plot.resize(900, 600);
    plot.show();
    plot.set_runs(runs, shown);
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.plot()->replot();
    auto* canvas = plot.plot();
    const auto at = [&](int64_t id) { return plot.pixel_of(id).toPoint(); };

    QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, at(1));
    QCOMPARE(selection.ids(), (std::vector<int64_t>{1}));
    QTest::mouseClick(canvas, Qt::LeftButton, Qt::ControlModifier, at(3));
    QCOMPARE(selection.ids(), (std::vector<int64_t>{1, 3}));
    QTest::mouseClick(canvas, Qt::LeftButton, Qt::ControlModifier, at(1));  // out again
    QCOMPARE(selection.ids(), (std::vector<int64_t>{3}));

    // A rectangle around runs 2 and 3, dragged from an empty spot.
    const QPoint corner(std::min(at(2).x(), at(3).x()) - 30, std::min(at(2).y(), at(3).y()) - 30);
    const QPoint opposite(std::max(at(2).x(), at(3).x()) + 30, std::max(at(2).y(), at(3).y()) + 30);
    QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, corner);
    QTest::mouseMove(canvas, opposite);
    QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, opposite);
    auto ids = selection.ids();
    std::sort(ids.begin(), ids.end());
    QCOMPARE(ids, (std::vector<int64_t>{2, 3}));
    // A click on an empty spot clears the selection.
    QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(5, 5));
    QVERIFY(selection.ids().empty());
  }
};

QTEST_MAIN(TestSetupFields)
#include "test_setup_fields.moc"
