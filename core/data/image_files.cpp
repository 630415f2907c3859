#include "data/image_files.h"

#include <algorithm>

namespace qn {

uint32_t ImageFiles::folder_index(std::string_view folder) {
  // Files arrive folder by folder: the last folder is almost always the one asked for.
  if (!folders_.empty() && folders_.back() == folder) return static_cast<uint32_t>(folders_.size() - 1);
  const auto [found, added] = folder_indices_.try_emplace(std::string(folder), static_cast<uint32_t>(folders_.size()));
  if (added) folders_.emplace_back(folder);
  return found->second;
}

void ImageFiles::push_back(const ImageFile& file) {
  const auto slash = file.path.rfind('/');
  const auto name_at = slash == std::string::npos ? 0 : slash + 1;
  const auto folder = folder_index(std::string_view(file.path).substr(0, name_at));
  entries_.push_back({file.key, names_.size(), static_cast<uint32_t>(file.path.size() - name_at), folder, file.label});
  names_.append(file.path, name_at, std::string::npos);
}

void ImageFiles::append(const ImageFiles& other) {
  for (size_t i = 0; i < other.size(); ++i) push_back(other[i]);
}

void ImageFiles::resize(size_t count) {
  if (count < entries_.size()) entries_.resize(count);
}

std::string ImageFiles::path_of(const Entry& entry) const {
  return folders_[entry.folder] + names_.substr(entry.name_begin, entry.name_size);
}

void ImageFiles::sort_by_key() {
  std::sort(entries_.begin(), entries_.end(), [this](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : path_of(a) < path_of(b);
  });
}

}  // namespace qn
