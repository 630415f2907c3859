#include "stall_meter.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

namespace qn::ui {

int measure_stalls(QWidget& window, double seconds) {
  constexpr int kPeriodMs = 5;
  constexpr double kStartupSeconds = 0.5;
  std::vector<double> gaps;
  double startup = 0;
  QElapsedTimer clock;
  clock.start();
  qint64 last = 0;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  tick.setInterval(kPeriodMs);
  QObject::connect(&tick, &QTimer::timeout, &window, [&] {
    const qint64 now = clock.nsecsElapsed();
    const double gap = std::max(0.0, (now - last) / 1e6 - kPeriodMs);
    if (now < kStartupSeconds * 1e9) {
      startup = std::max(startup, gap);
    } else {
      gaps.push_back(gap);
    }
    last = now;
    if (now > seconds * 1e9) QApplication::quit();
  });
  tick.start();
  const int status = QApplication::exec();
  std::sort(gaps.begin(), gaps.end());
  const double worst = gaps.empty() ? 0 : gaps.back();
  const double p99 = gaps.empty() ? 0 : gaps[static_cast<size_t>(0.99 * (gaps.size() - 1))];
  std::printf("{\"longest_stall_ms\": %.1f, \"p99_stall_ms\": %.1f, \"ticks\": %zu, "
              "\"seconds\": %.1f, \"startup_stall_ms\": %.1f}\n",
              worst, p99, gaps.size(), seconds, startup);
  return status;
}

}  // namespace qn::ui
