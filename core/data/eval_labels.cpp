#include "data/eval_labels.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "common/error.h"

namespace qn {
namespace {

namespace fs = std::filesystem;

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string stem_of(const std::string& file) {
  const auto name = fs::path(trimmed(file)).filename();
  return name.stem().string();
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot open the labels file '" + path + "'");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(trimmed(line));
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) throw InputError("the labels file '" + path + "' is empty");
  return lines;
}

class LabelReader {
 public:
  LabelReader(std::string path, const std::vector<std::string>& classes) : path_(std::move(path)), classes_(classes) {}

  // The class index a label names (a class name, or a 0-based index where `indices` allows).
  std::optional<int64_t> class_of(const std::string& label, bool indices) const {
    const auto found = std::lower_bound(classes_.begin(), classes_.end(), label);
    if (found != classes_.end() && *found == label) return found - classes_.begin();
    if (indices && all_digits(label) && label.size() < 10) {
      const auto index = std::stoll(label);
      if (index < static_cast<int64_t>(classes_.size())) return index;
    }
    return std::nullopt;
  }

  [[noreturn]] void fail(size_t line, const std::string& problem) const {
    throw InputError("labels file '" + path_ + "', line " + std::to_string(line + 1) + ": " + problem);
  }

  int64_t required_class(size_t line, const std::string& label, bool indices) const {
    if (const auto index = class_of(label, indices)) return *index;
    fail(line, "'" + label + "' is not one of the " + std::to_string(classes_.size()) +
                   " classes (the training folder's class folders" + (indices ? ", or a 0-based index" : "") + ")");
  }

 private:
  std::string path_;
  const std::vector<std::string>& classes_;
};

// Kaggle's LOC_val_solution.csv and file,label CSVs: stem -> class.
std::map<std::string, int64_t> read_csv_labels(const std::vector<std::string>& lines, const LabelReader& reader) {
  const bool kaggle = lines.front().rfind("ImageId,PredictionString", 0) == 0;
  std::map<std::string, int64_t> labels;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const auto comma = lines[i].find(',');
    if (comma == std::string::npos) reader.fail(i, "expected file,label");
    const auto file = lines[i].substr(0, comma);
    auto label = trimmed(lines[i].substr(comma + 1));
    if (kaggle) {
      if (i == 0) continue;
      label = label.substr(0, label.find(' '));
    }
    if (i == 0 && !kaggle && !reader.class_of(label, true)) continue;  // a header row
    labels[stem_of(file)] = reader.required_class(i, label, !kaggle);
  }
  return labels;
}

// One class name a line, for `stems` in order.
std::map<std::string, int64_t> read_label_list(const std::vector<std::string>& lines, const std::string& path,
                                               const std::vector<std::string>& stems, const LabelReader& reader) {
  if (all_digits(lines.front())) {
    throw InputError("the labels file '" + path + "' holds numbers: the devkit's ILSVRC2012_IDs, in the devkit's " +
                     "own class order (its meta.mat), not the sorted order of the class folders. Give " +
                     "Kaggle's LOC_val_solution.csv or a file,label CSV as data.eval_labels, or lay val/ out " +
                     "in class folders as train/ is");
  }
  if (lines.size() != stems.size()) {
    throw InputError("the labels file '" + path + "' has " + std::to_string(lines.size()) +
                     " lines for " + std::to_string(stems.size()) +
                     " images: a list of one class a line must name every image, in file-name order");
  }
  std::map<std::string, int64_t> labels;
  for (size_t i = 0; i < lines.size(); ++i) labels[stems[i]] = reader.required_class(i, lines[i], false);
  return labels;
}

}  // namespace

std::map<std::string, int64_t> read_eval_labels(const std::string& path, const std::vector<std::string>& stems,
                                                const std::vector<std::string>& classes) {
  const auto lines = lines_of(path);
  const LabelReader reader(path, classes);
  auto labels = lines.front().find(',') != std::string::npos ? read_csv_labels(lines, reader)
                                                              : read_label_list(lines, path, stems, reader);
  std::map<std::string, int64_t> kept;
  for (const auto& stem : stems) {
    const auto found = labels.find(stem);
    if (found == labels.end()) {
      throw InputError("the labels file '" + path + "' gives no label for image '" + stem + "'");
    }
    kept.insert(*found);
  }
  return kept;
}

std::string find_eval_labels(const std::string& root) {
  for (const auto* folder : {"", "val"}) {
    for (const auto* name : {"LOC_val_solution.csv", "val_labels.csv", "val.csv",
                             "imagenet_2012_validation_synset_labels.txt", "ILSVRC2012_validation_ground_truth.txt"}) {
      const auto candidate = fs::path(root) / folder / name;
      if (fs::is_regular_file(candidate)) return candidate.string();
    }
  }
  return "";
}

}  // namespace qn
