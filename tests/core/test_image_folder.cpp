// The image-folder task (core/data/image_folder.h) on real PNG and JPEG files written here
// with stb_image_write: classes, channels, resizing, the held-out split, and every error.
#include <stb_image_write.h>
#include <torch/types.h>

#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "common/sha256.h"
#include "config/run_config.h"
#include "data/image_folder.h"
#include "data/task_data.h"
#include "test_support.h"

using namespace qn;
using qn::test::throws_input_error;
namespace fs = std::filesystem;

namespace {

// A width x height image with every pixel `pixel` (1 to 4 channels), as PNG or JPEG by
// the file's extension.
void write_image(const fs::path& file, int width, int height, const std::vector<uint8_t>& pixel) {
  fs::create_directories(file.parent_path());
  const int channels = static_cast<int>(pixel.size());
  std::vector<uint8_t> pixels;
  for (int i = 0; i < width * height; ++i) pixels.insert(pixels.end(), pixel.begin(), pixel.end());
  const bool written =
      file.extension() == ".png"
          ? stbi_write_png(file.c_str(), width, height, channels, pixels.data(), 0)
          : stbi_write_jpg(file.c_str(), width, height, channels, pixels.data(), 95);
  QVERIFY2(written, file.c_str());
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Each class's colour in the mixed folder, as loaded (RGB): a is red PNGs (one of them RGBA
// with a transparent alpha, which is dropped), b green JPEGs, c gray PNGs (one channel,
// repeated into three).
const std::vector<std::vector<uint8_t>> kClassColours = {
    {200, 30, 30}, {30, 200, 30}, {90, 90, 90}};
constexpr int kPerClass = 8;

// The mixed folder: kPerClass images a class, each of its own size (among them 17 wide to
// 12, a pair that stb_image_resize's triangle filter aborts on).
void write_mixed_folder(const fs::path& root) {
  for (int i = 0; i < kPerClass; ++i) {
    const int width = 5 + 3 * i, height = 7 + 2 * i;
    const auto name = "img" + std::to_string(i);
    write_image(root / "a" / (name + ".png"), width, height,
                i == 0 ? std::vector<uint8_t>{200, 30, 30, 0} : kClassColours[0]);
    write_image(root / "b" / (name + ".jpg"), width, height, kClassColours[1]);
    write_image(root / "c" / (name + ".png"), width, height, {90});
  }
}

std::vector<std::string> paths_of(const ImageFiles& files) {
  std::vector<std::string> paths;
  for (const auto& file : files) paths.push_back(file.path);
  return paths;
}

// The decoded image of `file`: the listing gives its split and place.
torch::Tensor image_of(const fs::path& file, const ImageFolderListing& listing,
                       const ImageSplits& splits) {
  for (const auto& [files, set] :
       {std::pair{&listing.train, &splits.train}, std::pair{&listing.test, &splits.test}}) {
    const auto paths = paths_of(*files);
    const auto found = std::find(paths.begin(), paths.end(), file.string());
    if (found != paths.end()) return set->images[found - paths.begin()];
  }
  return {};
}

// The files of `files` relative to `root`.
std::set<std::string> relative_names(const ImageFiles& files, const fs::path& root) {
  std::set<std::string> names;
  for (const auto& file : files)
    names.insert(fs::path(file.path).lexically_relative(root).string());
  return names;
}

// The held-out rule, written out independently of the loader.
bool held_out(const fs::path& file, const fs::path& root) {
  const auto digest = sha256_hex(file.lexically_relative(root).generic_string());
  return std::stoull(digest.substr(0, 16), nullptr, 16) % 5 == 0;
}

}  // namespace

class TestImageFolder : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  fs::path path(const char* name) { return dir_.filePath(name).toStdString(); }

 private Q_SLOTS:
  // The packed list gives back every file as it was added, across folders, and sorts by key
  // then path.
  void image_files_give_back_each_path_label_and_key() {
    ImageFiles files;
    files.push_back({"/data/train/b/x.jpg", 1, 30});
    files.push_back({"/data/train/a/long_name_of_a_file.JPEG", 0, 10});
    files.push_back({"/data/train/b/y.jpg", 1, 10});
    files.push_back({"bare.png", 2, 20});
    ImageFiles more;
    more.push_back({"/data/train/a/z.png", 0, 5});
    files.append(more);
    QCOMPARE(files.size(), size_t{5});
    QCOMPARE(files.path(1), std::string("/data/train/a/long_name_of_a_file.JPEG"));
    QCOMPARE(files.path(3), std::string("bare.png"));
    QCOMPARE(files[4].path, std::string("/data/train/a/z.png"));
    QCOMPARE(files.label(2), int64_t{1});
    files.sort_by_key();
    std::vector<std::string> order;
    for (const auto& file : files) order.push_back(file.path + " " + std::to_string(file.key));
    QCOMPARE(order, (std::vector<std::string>{"/data/train/a/z.png 5", "/data/train/a/long_name_of_a_file.JPEG 10",
                                              "/data/train/b/y.jpg 10", "bare.png 20", "/data/train/b/x.jpg 30"}));
    files.resize(2);
    QCOMPARE(files.size(), size_t{2});
    QCOMPARE(files[1].label, int64_t{0});
  }

  void reads_classes_channels_and_labels_resized_to_the_side() {
    const auto root = path("mixed");
    write_mixed_folder(root);
    const auto splits = load_image_folder(root.string(), /*side=*/12);
    QCOMPARE(splits.train.size() + splits.test.size(), int64_t{3 * kPerClass});
    QVERIFY(splits.test.size() > 0);
    for (const auto* set : {&splits.train, &splits.test}) {
      QCOMPARE(set->classes, int64_t{3});
      QCOMPARE(set->images.sizes().vec(), (std::vector<int64_t>{set->size(), 3, 12, 12}));
      // Every image has its class's colour, so labels follow the sorted folder names.
      for (int64_t i = 0; i < set->size(); ++i) {
        const auto& colour = kClassColours.at(set->labels[i].item<int64_t>());
        const auto expected =
            torch::tensor({colour[0], colour[1], colour[2]}, torch::kFloat) / 255.0;
        const auto mean = set->images[i].mean({1, 2});
        QVERIFY2(torch::allclose(mean, expected, 0, 3.0 / 255), qPrintable(QString::number(i)));
      }
    }
    QCOMPARE(torch::bincount(torch::cat({splits.train.labels, splits.test.labels}))
                 .min()
                 .item<int64_t>(),
             int64_t{kPerClass});
  }

  void a_folder_of_grayscale_images_has_one_channel() {
    const auto root = path("gray");
    write_image(root / "x" / "1.png", 9, 5, {10});
    write_image(root / "x" / "2.png", 4, 4, {20, 255});     // gray and alpha
    write_image(root / "x" / "3.png", 5, 4, {70, 70, 70});  // gray stored as RGB
    // stb_image_write stores every JPEG as colour (YCbCr); gray ones decode gray all the same.
    for (int i = 0; i < 12; ++i) write_image(root / "y" / (std::to_string(i) + ".jpg"), 6, 6, {40});
    const auto listing = list_image_folder(root.string());
    QVERIFY(!listing.test.empty());
    const auto splits = load_image_folder(root.string(), /*side=*/8);
    QCOMPARE(splits.train.images.size(1), int64_t{1});
    QCOMPARE(splits.test.images.size(1), int64_t{1});
  }

  void stretches_along_the_right_axes() {
    // 8 wide, 4 high: the left half black, the right half white; resized to 4 x 4.
    const auto root = path("halves");
    std::vector<uint8_t> pixels;
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < 8; ++x) pixels.push_back(x < 4 ? 0 : 255);
    }
    fs::create_directories(root / "a");
    QVERIFY(stbi_write_png((root / "a" / "halves.png").c_str(), 8, 4, 1, pixels.data(), 0));
    for (int i = 0; i < 6; ++i) write_image(root / "b" / (std::to_string(i) + ".png"), 3, 3, {0});
    const auto listing = list_image_folder(root.string());
    const auto splits = load_image_folder(root.string(), /*side=*/4);
    const auto image = image_of(root / "a" / "halves.png", listing, splits)[0];
    QCOMPARE(image.sizes().vec(), (std::vector<int64_t>{4, 4}));
    QVERIFY(torch::equal(image, image[0].expand({4, 4})));  // every row alike
    QCOMPARE(image[0][0].item<float>(), 0.0f);
    QCOMPARE(image[0][3].item<float>(), 1.0f);
  }

  void the_held_out_split_is_fixed_disjoint_and_follows_the_documented_rule() {
    const auto root = path("split");
    write_mixed_folder(root);
    const auto listing = list_image_folder(root.string());
    QCOMPARE(listing.classes, (std::vector<std::string>{"a", "b", "c"}));
    QCOMPARE(count_image_folder_classes(root.string()), int64_t{3});
    const auto train = paths_of(listing.train), test = paths_of(listing.test);
    std::set<std::string> all(train.begin(), train.end());
    all.insert(test.begin(), test.end());
    QCOMPARE(all.size(), size_t{3 * kPerClass});  // disjoint, and nothing left out
    for (const auto& file : test) QVERIFY2(held_out(file, root), file.c_str());
    for (const auto& file : train) QVERIFY2(!held_out(file, root), file.c_str());
    for (size_t i = 1; i < listing.train.size(); ++i) QVERIFY(listing.train.key(i - 1) <= listing.train.key(i));

    // The same on every load, and where the folder is moved or grows.
    const auto once = load_image_folder(root.string(), 8);
    const auto twice = load_image_folder(root.string(), 8);
    QVERIFY(torch::equal(once.test.images, twice.test.images));
    QVERIFY(torch::equal(once.train.labels, twice.train.labels));
    const auto moved = path("moved");
    fs::rename(root, moved);
    write_image(moved / "a" / "new.png", 4, 4, {1, 2, 3});
    auto moved_test = relative_names(list_image_folder(moved.string()).test, moved);
    moved_test.erase("a/new.png");
    QCOMPARE(moved_test, relative_names(listing.test, root));
  }

  void train_limit_keeps_the_first_training_images_in_key_order() {
    const auto root = path("limited");
    write_mixed_folder(root);
    const auto all = load_image_folder(root.string(), 8);
    const auto limited = load_image_folder(root.string(), 8, /*train_limit=*/5);
    QCOMPARE(limited.train.size(), int64_t{5});
    QVERIFY(torch::equal(limited.train.images, all.train.images.narrow(0, 0, 5)));
    QVERIFY(torch::equal(limited.test.labels, all.test.labels));
    // Through the task: the same, standardised, shaped for the model.
    const auto config = parse_run_config(
        {{"task", "image-folder"},
         {"data", {{"dir", root.string()}, {"image_size", 12}, {"train_limit", 5}}}});
    const auto data = load_task_data(config, torch::kCPU);
    QCOMPARE(data.image_shape, (std::vector<int64_t>{3, 12, 12}));
    QCOMPARE(data.classes, int64_t{3});
    QCOMPARE(data.train.size(), int64_t{5});
    QVERIFY(std::abs(data.train.inputs.mean().item<double>()) < 1e-4);
  }

  // Per-channel normalisation: each channel less its mean, over its deviation, with
  // ImageNet's numbers or the config's; a grey folder is read as RGB for them.
  void per_channel_normalisation_uses_the_configs_numbers() {
    const auto root = path("per_channel");
    write_mixed_folder(root);
    const auto pixels = load_image_folder(root.string(), 8).train.images;
    for (const auto& [normalize, mean, deviation] :
         {std::tuple{"imagenet", std::vector<double>{0.485, 0.456, 0.406}, std::vector<double>{0.229, 0.224, 0.225}},
          std::tuple{"explicit", std::vector<double>{0.1, 0.2, 0.3}, std::vector<double>{0.5, 0.25, 2.0}}}) {
      nlohmann::json data = {{"dir", root.string()}, {"image_size", 8}, {"normalize", normalize}};
      if (std::string(normalize) == "explicit") data["mean"] = mean, data["std"] = deviation;
      const auto loaded = load_task_data(parse_run_config({{"task", "image-folder"}, {"data", data}}), torch::kCPU);
      const auto expected = (pixels - torch::tensor(mean, torch::kFloat).view({1, 3, 1, 1})) /
                            torch::tensor(deviation, torch::kFloat).view({1, 3, 1, 1});
      QVERIFY2(torch::allclose(loaded.train.inputs, expected, 1e-5, 1e-5), normalize);
    }
    const auto grey = path("grey_per_channel");
    for (const char* name : {"x", "y"}) {
      for (int i = 0; i < 6; ++i) write_image(grey / name / (std::to_string(i) + ".png"), 4, 4, {60});
    }
    const auto loaded = load_task_data(
        parse_run_config({{"task", "image-folder"}, {"data", {{"dir", grey.string()}, {"normalize", "imagenet"}}}}),
        torch::kCPU);
    QCOMPARE(loaded.image_shape[0], int64_t{3});
  }

  void train_and_test_folders_are_the_splits() {
    const auto root = path("given");
    for (const char* split : {"train", "test"}) {
      for (int i = 0; i < 3; ++i) {
        write_image(root / split / "b" / (std::to_string(i) + ".png"), 5, 5, {30, 200, 30});
      }
    }
    write_image(root / "train" / "a" / "only.png", 5, 5, {200, 30, 30});  // test/ lacks a
    QCOMPARE(count_image_folder_classes(root.string()), int64_t{2});
    const auto splits = load_image_folder(root.string(), 4);
    QCOMPARE(splits.train.size(), int64_t{4});
    QCOMPARE(splits.test.size(), int64_t{3});
    QCOMPARE(splits.test.classes, int64_t{2});
    QVERIFY(torch::equal(splits.test.labels, torch::ones({3}, torch::kLong)));

    write_image(root / "test" / "z" / "0.png", 5, 5, {0, 0, 0});
    QVERIFY(throws_input_error([&] { list_image_folder(root.string()); },
                               {(root / "test" / "z").string(), "train", "lacks"}));
  }

  void each_problem_is_an_input_error_naming_it() {
    const auto missing = path("nowhere");
    const auto config =
        parse_run_config({{"task", "image-folder"}, {"data", {{"dir", missing.string()}}}});
    QVERIFY(throws_input_error([&] { check_data_location(config); },
                               {"image-folder", "data.dir", missing.string(), "does not exist"}));

    const auto loose = path("loose");
    write_image(loose / "stray.png", 4, 4, {0});
    QVERIFY(throws_input_error([&] { list_image_folder(loose.string()); },
                               {loose.string(), "no class subfolders"}));

    const auto lonely = path("lonely");
    write_image(lonely / "a" / "0.png", 4, 4, {0});
    QVERIFY(throws_input_error([&] { list_image_folder(lonely.string()); },
                               {lonely.string(), "'a'", "at least 2"}));

    const auto empty_class = path("empty-class");
    write_image(empty_class / "a" / "0.png", 4, 4, {0});
    write_bytes(empty_class / "b" / "notes.txt", "not an image");
    fs::create_directories(empty_class / "b" / ".hidden");
    QVERIFY(throws_input_error([&] { list_image_folder(empty_class.string()); },
                               {(empty_class / "b").string(), "no images"}));

    const auto few = path("few");
    write_image(few / "a" / "0.png", 4, 4, {0});
    write_image(few / "b" / "0.png", 4, 4, {0});
    QVERIFY(!held_out(few / "a" / "0.png", few) && !held_out(few / "b" / "0.png", few));
    QVERIFY(throws_input_error([&] { list_image_folder(few.string()); },
                               {few.string(), "too few images", "train/ and test/"}));
  }

  void a_file_that_does_not_decode_is_named_with_the_reason() {
    const auto root = path("broken");
    write_mixed_folder(root);
    write_bytes(root / "a" / "garbage.png", "this is not a PNG file at all");
    QVERIFY(throws_input_error([&] { load_image_folder(root.string(), 8); },
                               {(root / "a" / "garbage.png").string(), "cannot decode", "type"}));
    fs::remove(root / "a" / "garbage.png");
    // A header that reads but pixels cut short: only decoding finds it.
    std::vector<uint8_t> noise;
    for (int i = 0; i < 32 * 32 * 3; ++i) noise.push_back(static_cast<uint8_t>(i * 7919 % 251));
    const auto cut = root / "c" / "cut.png";
    QVERIFY(stbi_write_png(cut.c_str(), 32, 32, 3, noise.data(), 0));
    const auto whole = read_bytes(cut);
    write_bytes(cut, whole.substr(0, whole.size() / 2));
    QVERIFY(throws_input_error([&] { load_image_folder(root.string(), 8); },
                               {cut.string(), "cannot decode"}));
  }
};

QTEST_GUILESS_MAIN(TestImageFolder)
#include "test_image_folder.moc"
