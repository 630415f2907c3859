// qnstudio: the QNStudio desktop application.
//   qnstudio [--db FILE] [--view live|pareto|compare|parallel|importance|sensitivity|response] [--config RUN.json] [--model FILE.pt]
//            [--sweep SPEC.json] [--screenshot FILE.png] [--plot FILE.png|svg|pdf] [--group-seeds]
// --screenshot renders the window (offscreen works: QT_QPA_PLATFORM=offscreen) to a PNG
// once the store is loaded, then exits: for docs and tests. --plot writes only the plot of
// the view (--view) instead, as File > Export plot does: for reports
// (experiments/paper_table). --measure-stalls SECONDS
// reports the UI thread's longest stall (experiments/ui_responsiveness).
#include <QApplication>
#include <QCheckBox>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QTimer>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "common/error.h"
#include "common/runtime.h"
#include "config/run_config.h"
#include "main_window.h"
#include "pareto_plot.h"
#include "plot_export.h"
#include "run_setup_panel.h"
#include "stall_meter.h"
#include "store/run_store.h"

namespace {

// Whether one of the options is given, alone or as --name=value.
bool has_argument(int argc, char** argv, std::initializer_list<const char*> names) {
  for (int i = 1; i < argc; ++i) {
    for (const char* name : names) {
      const auto length = std::strlen(name);
      if (std::strncmp(argv[i], name, length) == 0 && (!argv[i][length] || argv[i][length] == '=')) {
        return true;
      }
    }
  }
  return false;
}

// Without a display Qt aborts in QApplication's constructor. What needs no window (help,
// version: the man pages are made from them in the build) or only renders one (--screenshot,
// --plot) runs offscreen; the rest stops with a clear message instead of Qt's abort.
bool choose_platform(int argc, char** argv) {
  if (std::getenv("QT_QPA_PLATFORM") || std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY")) {
    return true;
  }
  if (has_argument(argc, argv, {"-h", "--help", "--help-all", "-v", "--version", "--screenshot",
                                "--plot"})) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    return true;
  }
  std::cerr << "qnstudio: no display (DISPLAY and WAYLAND_DISPLAY are unset); the command "
               "line qnoise runs without one, and --screenshot/--plot render offscreen\n";
  return false;
}

// The command line's options, declared once for the parser and read back by name.
struct Options {
  QCommandLineOption db{"db", "The results store (default: the user's store).", "FILE"};
  QCommandLineOption view{"view",
                          "The view to show: live, pareto, compare, parallel, importance, sensitivity or response.",
                          "VIEW", "live"};
  QCommandLineOption screenshot{"screenshot", "Render the window to FILE.png and exit.", "FILE"};
  QCommandLineOption plot{"plot", "Write the view's plot to FILE (.png, .svg, .pdf) and exit.", "FILE"};
  QCommandLineOption measure_stalls{
      "measure-stalls", "Measure the UI thread's longest stall for SECONDS, print it, exit.", "SECONDS"};
  QCommandLineOption sweep{"sweep", "Queue the runs of a sweep spec (JSON) and train them.", "SPEC"};
  QCommandLineOption model{"model",
                           "Set up runs of your own model: a TorchScript file saved with torch.jit.save.",
                           "FILE"};
  QCommandLineOption config{"config", "Set up runs from a run config (JSON).", "FILE"};
  QCommandLineOption group_seeds{
      "group-seeds",
      "In the Pareto view, draw runs that differ only by seed as one point (their mean, the range as an error bar)."};
  QCommandLineOption select{"select", "Select these runs (ids, comma-separated) once the store is read.", "IDS"};

  void add_to(QCommandLineParser& parser) const {
    parser.addOptions({db, view, screenshot, plot, measure_stalls, sweep, config, model, group_seeds, select});
  }
};

// Sets the window up as the options ask; false (after saying why) when one cannot be used.
bool apply_options(qn::ui::MainWindow& window, const QCommandLineParser& parser, const Options& options) {
  window.show_view(parser.value(options.view));
  if (parser.isSet(options.group_seeds)) window.pareto()->group_seeds_box()->setChecked(true);
  try {
    if (parser.isSet(options.config)) {
      window.setup_panel()->set_config(
          qn::parse_run_config(qn::read_config_file(parser.value(options.config).toStdString())));
    }
  } catch (const qn::InputError& error) {
    std::cerr << "qnstudio: " << error.what() << "\n";
    return false;
  }
  if (parser.isSet(options.model)) window.setup_panel()->use_model_file(parser.value(options.model));
  if (parser.isSet(options.select)) {
    std::vector<int64_t> ids;
    for (const auto& id : parser.value(options.select).split(',', Qt::SkipEmptyParts)) ids.push_back(id.toLongLong());
    window.select_runs(std::move(ids));  // ids outlive the rows: shown once the list has them
  }
  return !parser.isSet(options.sweep) || window.queue_sweep_file(parser.value(options.sweep));
}

// Once the store's runs are shown, their curves read and the config checked, writes the
// window (or, with `as_plot`, the view's plot) to `path` and exits.
void render_when_settled(qn::ui::MainWindow& window, QString path, bool as_plot, bool compare_noise) {
  QObject::connect(&window, &qn::ui::MainWindow::runsShown, &window, [&window, path, as_plot, compare_noise] {
    if (compare_noise) window.select_noise_variants();
    auto* poll = new QTimer(&window);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, path, as_plot, poll] {
      // The settled window: the setup panel's check of its config answered too.
      if (window.store_busy() || window.setup_panel()->checking()) return;
      poll->stop();
      QApplication::processEvents();
      QString error;
      const bool saved = as_plot ? qn::ui::export_plot(*window.current_plot(), path, &error)
                                 : window.grab().save(path);
      if (!saved) {
        std::cerr << "qnstudio: cannot write " << path.toStdString()
                  << (error.isEmpty() ? "" : ": " + error.toStdString()) << "\n";
      }
      QApplication::exit(saved ? 0 : 1);
    });
    poll->start(50);
  }, Qt::SingleShotConnection);
}

}  // namespace

int main(int argc, char** argv) {
  if (!choose_platform(argc, argv)) return 2;
  QApplication app(argc, argv);
  QApplication::setApplicationName("QNStudio");
  QApplication::setOrganizationName("QNStudio");
  QApplication::setApplicationVersion(QNS_VERSION);
  // The window's icon, and the desktop entry it belongs to (taskbars match them by this).
  QApplication::setWindowIcon(QIcon(":/icons/qnstudio.svg"));
  QGuiApplication::setDesktopFileName("org.qnstudio.QNStudio");

  QCommandLineParser parser;
  parser.setApplicationDescription("Extreme model compression with Quant-Noise");
  parser.addHelpOption();
  parser.addVersionOption();
  const Options options;
  options.add_to(parser);
  parser.process(app);

  qn::init_runtime();
  const QString db_path = parser.isSet(options.db) ? parser.value(options.db)
                                                   : QString::fromStdString(qn::default_database_path());
  qn::ui::MainWindow window(db_path);
  if (!apply_options(window, parser, options)) return 2;
  if (parser.isSet(options.measure_stalls)) {
    window.resize(1500, 950);
    window.show();
    return qn::ui::measure_stalls(window, parser.value(options.measure_stalls).toDouble());
  }
  const bool as_plot = parser.isSet(options.plot);
  if (!as_plot && !parser.isSet(options.screenshot)) {
    window.show();
    return QApplication::exec();
  }
  window.resize(1500, 950);
  window.show();
  render_when_settled(window, parser.value(as_plot ? options.plot : options.screenshot), as_plot,
                      parser.value(options.view) == "compare" && !parser.isSet(options.select));
  return QApplication::exec();
}
