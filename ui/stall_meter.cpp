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
  std::vector<double> gaps;
  QElapsedTimer clock;
  clock.start();
  qint64 last = 0;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  tick.setInterval(kPeriodMs);
  QObject::connect(&tick, &QTimer::timeout, &window, [&] {
    const qint64 now = clock.nsecsElapsed();
    if (last > 0) gaps.push_back(std::max(0.0, (now - last) / 1e6 - kPeriodMs));
    last = now;
    if (now > seconds * 1e9) QApplication::quit();
  });
  tick.start();
  const int status = QApplication::exec();
  std::sort(gaps.begin(), gaps.end());
  const double worst = gaps.empty() ? 0 : gaps.back();
  const double p99 = gaps.empty() ? 0 : gaps[static_cast<size_t>(0.99 * (gaps.size() - 1))];
  std::printf("{\"longest_stall_ms\": %.1f, \"p99_stall_ms\": %.1f, \"ticks\": %zu, \"seconds\": %.1f}\n",
              worst, p99, gaps.size(), seconds);
  return status;
}

}  // namespace qn::ui
