#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace qn {

// One image file of a folder: its path, its class and the hash that orders and splits the
// folder (core/data/image_folder.h).
struct ImageFile {
  std::string path;
  int64_t label = 0;
  uint64_t key = 0;
};

// A list of image files, packed: a folder's path is stored once, each file's name in one
// buffer shared by all, beside its label and key. About 32 bytes and the name a file, where a
// path string each took about 160: ImageNet's 1.28 M files list in about 70 MB, and listing
// ten times the files adds only that to a run's memory. Files read back by value.
class ImageFiles {
 public:
  class Iterator;

  // Adds `file`, its path split at the last '/' into its folder and its name.
  void push_back(const ImageFile& file);
  void append(const ImageFiles& other);
  // Keeps the first `count` files.
  void resize(size_t count);
  // Orders the files by key, then by path (keys are hashes: ties only for equal paths).
  void sort_by_key();

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::string path(size_t index) const { return path_of(entries_[index]); }
  int64_t label(size_t index) const { return entries_[index].label; }
  uint64_t key(size_t index) const { return entries_[index].key; }
  ImageFile operator[](size_t index) const { return {path(index), label(index), key(index)}; }
  Iterator begin() const;
  Iterator end() const;

 private:
  struct Entry {
    uint64_t key;
    uint64_t name_begin;  // in names_
    uint32_t name_size;
    uint32_t folder;  // in folders_
    int64_t label;
  };

  uint32_t folder_index(std::string_view folder);
  std::string path_of(const Entry& entry) const;

  std::vector<std::string> folders_;  // each ending in '/' (or empty: a bare name)
  std::unordered_map<std::string, uint32_t> folder_indices_;
  std::string names_;
  std::vector<Entry> entries_;
};

// Reads the files in order, each by value.
class ImageFiles::Iterator {
 public:
  Iterator(const ImageFiles* files, size_t index) : files_(files), index_(index) {}
  ImageFile operator*() const { return (*files_)[index_]; }
  Iterator& operator++() {
    ++index_;
    return *this;
  }
  bool operator!=(const Iterator& other) const { return index_ != other.index_; }

 private:
  const ImageFiles* files_;
  size_t index_;
};

inline ImageFiles::Iterator ImageFiles::begin() const { return {this, 0}; }
inline ImageFiles::Iterator ImageFiles::end() const { return {this, size()}; }

}  // namespace qn
