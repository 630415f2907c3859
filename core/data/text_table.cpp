#include "data/text_table.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "common/file_bytes.h"
#include "common/utf8.h"

namespace qn {
namespace {

enum class Format { Tsv, Csv, JsonLines };

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

Format format_of(const std::string& name) {
  if (ends_with(name, ".tsv")) return Format::Tsv;
  if (ends_with(name, ".csv")) return Format::Csv;
  if (ends_with(name, ".jsonl") || ends_with(name, ".json")) return Format::JsonLines;
  throw InputError("'" + name + "': a text table must end in .tsv, .csv or .jsonl");
}

// One record: its fields and the line it starts on.
struct Record {
  std::vector<std::string> fields;
  int64_t line = 0;
};

class TableText {
 public:
  TableText(const std::string& name, const std::string& bytes) : name_(name), text_(bytes) {
    if (text_.rfind("\xEF\xBB\xBF", 0) == 0) text_.erase(0, 3);  // a byte-order mark
    if (const auto bad = first_invalid_utf8(text_); bad != std::string::npos) {
      const auto line = 1 + std::count(text_.begin(), text_.begin() + static_cast<long>(bad), '\n');
      fail(line, "is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    }
  }

  [[noreturn]] void fail(int64_t line, const std::string& problem) const {
    throw InputError("'" + name_ + "' line " + std::to_string(line) + " " + problem);
  }

  // Lines without their end (LF or CRLF); a last line without one counts.
  std::vector<Record> lines() const {
    std::vector<Record> records;
    size_t start = 0;
    for (int64_t line = 1; start < text_.size(); ++line) {
      auto end = text_.find('\n', start);
      if (end == std::string::npos) end = text_.size();
      auto content = text_.substr(start, end - start);
      if (!content.empty() && content.back() == '\r') content.pop_back();
      records.push_back({{std::move(content)}, line});
      start = end + 1;
    }
    return records;
  }

  // RFC 4180 records: commas between fields, quoted fields may hold anything.
  std::vector<Record> csv_records() const {
    std::vector<Record> records;
    size_t i = 0;
    int64_t line = 1;
    while (i < text_.size()) {
      Record record{{""}, line};
      bool quoted = false, was_quoted = false;
      for (; i < text_.size(); ++i) {
        const char c = text_[i];
        auto& field = record.fields.back();
        if (quoted) {
          if (c == '"' && i + 1 < text_.size() && text_[i + 1] == '"') {
            field += '"';
            ++i;
          } else if (c == '"') {
            quoted = false;
          } else {
            if (c == '\n') ++line;
            field += c;
          }
        } else if (c == '"' && field.empty() && !was_quoted) {
          quoted = was_quoted = true;
        } else if (c == ',') {
          record.fields.emplace_back();
          was_quoted = false;
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && i + 1 < text_.size() && text_[i + 1] == '\n') ++i;
          ++i;
          ++line;
          break;
        } else if (was_quoted) {
          fail(line, "has text after a closing quote");
        } else {
          field += c;
        }
      }
      if (quoted) fail(record.line, "opens a quote that never closes");
      records.push_back(std::move(record));
    }
    return records;
  }

 private:
  std::string name_;
  std::string text_;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields{""};
  for (const char c : line) {
    if (c == '\t') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// Each row as its values by column name (texts, then the label).
using Row = std::vector<std::string>;

std::vector<std::pair<Row, int64_t>> delimited_rows(const TableText& table, Format format,
                                                    const std::vector<std::string>& wanted,
                                                    const std::string& name) {
  auto records = format == Format::Csv ? table.csv_records() : table.lines();
  if (format == Format::Tsv) {
    for (auto& record : records) record.fields = split_tabs(record.fields[0]);
  }
  while (!records.empty() && records.back().fields == std::vector<std::string>{""}) records.pop_back();
  if (records.empty()) throw InputError("'" + name + "' is empty: no header row");
  const auto& header = records[0].fields;
  std::vector<size_t> positions;
  for (const auto& column : wanted) {
    const auto found = std::find(header.begin(), header.end(), column);
    if (found == header.end()) {
      std::string names;
      for (const auto& field : header) names += (names.empty() ? "" : ", ") + field;
      table.fail(1, "(the header) has no column '" + column + "'; its columns: " + names);
    }
    positions.push_back(static_cast<size_t>(found - header.begin()));
  }
  std::vector<std::pair<Row, int64_t>> rows;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& record = records[r];
    if (record.fields.size() == 1 && record.fields[0].empty() && header.size() > 1) {
      table.fail(record.line, "is blank");
    }
    if (record.fields.size() != header.size()) {
      table.fail(record.line, "has " + std::to_string(record.fields.size()) + " fields, the header " +
                                  std::to_string(header.size()));
    }
    Row row;
    for (const auto position : positions) row.push_back(record.fields[position]);
    rows.emplace_back(std::move(row), record.line);
  }
  return rows;
}

std::vector<std::pair<Row, int64_t>> json_rows(const TableText& table,
                                               const std::vector<std::string>& wanted) {
  std::vector<std::pair<Row, int64_t>> rows;
  for (const auto& record : table.lines()) {
    const auto& line = record.fields[0];
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& error) {
      table.fail(record.line, std::string("is not valid JSON: ") + error.what());
    }
    if (!object.is_object()) table.fail(record.line, "is not a JSON object");
    Row row;
    for (const auto& column : wanted) {
      const auto found = object.find(column);
      if (found == object.end()) table.fail(record.line, "has no key '" + column + "'");
      row.push_back(found->is_string() ? found->get<std::string>() : found->dump());
    }
    rows.emplace_back(std::move(row), record.line);
  }
  return rows;
}

}  // namespace

TextTable parse_text_table(const std::string& name, const std::string& bytes,
                           const TextColumns& columns, const std::vector<std::string>& labels) {
  if (columns.texts.empty() || columns.texts.size() > 2 || columns.label.empty()) {
    throw InputError("a text table needs one or two text columns (data.text_columns) and a "
                     "label column (data.label_column)");
  }
  const auto format = format_of(name);
  const TableText table(name, bytes);
  auto wanted = columns.texts;
  wanted.push_back(columns.label);
  const auto rows = format == Format::JsonLines ? json_rows(table, wanted)
                                                : delimited_rows(table, format, wanted, name);
  if (rows.empty()) throw InputError("'" + name + "' holds no examples");
  TextTable result;
  result.labels = labels;
  if (result.labels.empty()) {
    std::set<std::string> found;
    for (const auto& [row, line] : rows) found.insert(row.back());
    result.labels.assign(found.begin(), found.end());
  }
  std::map<std::string, int64_t> index;
  for (size_t i = 0; i < result.labels.size(); ++i) index[result.labels[i]] = static_cast<int64_t>(i);
  for (const auto& [row, line] : rows) {
    const auto label = index.find(row.back());
    if (label == index.end()) {
      table.fail(line, "has label '" + row.back() + "', not one of the " +
                           std::to_string(result.labels.size()) + " labels the task has");
    }
    result.examples.push_back({row[0], columns.texts.size() > 1 ? row[1] : "", label->second});
  }
  return result;
}

TextTable read_text_table(const std::string& path, const TextColumns& columns,
                          const std::vector<std::string>& labels) {
  return parse_text_table(path, read_file_bytes(path), columns, labels);
}

}  // namespace qn
