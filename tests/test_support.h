#pragma once

#include <ATen/CPUGeneratorImpl.h>
#include <torch/types.h>

#include <QProcess>
#include <QtTest>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "common/error.h"
#include "train/training_events.h"

namespace qn::test {

// Runs `program` with `arguments`: its standard output, or empty with a warning naming what
// it said on failure (the caller's check then fails).
inline QByteArray program_output(const QString& program, const QStringList& arguments) {
  QProcess process;
  process.start(program, arguments);
  if (!process.waitForFinished(600000) || process.exitCode() != 0) {
    qWarning("%s %s failed: %s", qPrintable(program), qPrintable(arguments.join(' ')),
             process.readAllStandardError().constData());
    return {};
  }
  return process.readAllStandardOutput();
}

// The lines of `file`, as bytes.
inline std::vector<std::string> read_lines(const QString& file) {
  std::ifstream in(file.toStdString(), std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Every training step's loss, in order.
struct LossRecorder : qn::TrainingObserver {
  std::vector<double> losses;
  void on_step(const qn::StepEvent& event) override { losses.push_back(event.loss); }
};

// The device of the suites that take one: $QNS_TEST_DEVICE, the CPU when it is unset
// (experiments/gpu/run.sh sets "cuda" on a GPU host).
inline torch::Device test_device() {
  const char* name = std::getenv("QNS_TEST_DEVICE");
  return torch::Device(name && *name ? name : "cpu");
}

// The Python whose torch matches the LibTorch the tests link: $QNS_PYTHON, else Debian's
// (python3-torch is the same 1.13 build as libtorch-dev). A GPU host sets its own.
inline QString python_with_torch() {
  const char* path = std::getenv("QNS_PYTHON");
  return path && *path ? QString(path) : QString("/usr/bin/python3");
}

inline torch::Tensor seeded_randn(std::vector<int64_t> shape, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn(shape, generator, torch::kFloat);
}

inline double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

inline double mean_squared_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).pow(2).mean(torch::kDouble).item<double>();
}

// True if `action` throws qn::InputError whose message contains every one of `parts`;
// otherwise logs what happened and returns false (use inside QVERIFY).
template <class Action>
bool throws_input_error(Action&& action, std::initializer_list<std::string> parts) {
  try {
    action();
  } catch (const qn::InputError& error) {
    const std::string message = error.what();
    for (const auto& part : parts) {
      if (message.find(part) == std::string::npos) {
        qWarning("message \"%s\" lacks \"%s\"", message.c_str(), part.c_str());
        return false;
      }
    }
    return true;
  } catch (const std::exception& error) {
    qWarning("threw something other than InputError: %s", error.what());
    return false;
  }
  qWarning("did not throw");
  return false;
}

}  // namespace qn::test
