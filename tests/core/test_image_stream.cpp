// The streamed image data (core/data/image_decode.h, image_transforms.h, image_stream.h)
// against the reference a PyTorch user trusts: tests/python/image_reference.py writes
// images with Pillow, and Pillow's decode and torchvision's transforms of them; here the
// same files go through QNStudio's decoders and transforms and must give the same pixels.
// Then the loader: the same rows for any number of workers, failing on a broken file by
// name; and the decoders fuzzed with broken files.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/file_bytes.h"
#include "config/run_config.h"
#include "data/image_decode.h"
#include "data/image_folder.h"
#include "data/image_stream.h"
#include "data/image_transforms.h"
#include "test_support.h"
#include "train/training_run.h"

using namespace qn;
namespace fs = std::filesystem;

namespace {

template <class T>
std::vector<T> read_array(const fs::path& path) {
  const auto bytes = read_file_bytes(path.string());
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

// Two samples' Kolmogorov-Smirnov statistic: the largest gap between their distributions.
double ks_statistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t i = 0, j = 0;
  double gap = 0;
  while (i < a.size() && j < b.size()) {
    const double value = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= value) ++i;
    while (j < b.size() && b[j] <= value) ++j;
    gap = std::max(gap, std::abs(double(i) / a.size() - double(j) / b.size()));
  }
  return gap;
}

struct Box {
  double left, top, width, height;
};

// What a crop box's draw is judged by: its share of the image's area, its aspect ratio's
// logarithm, and where it sits within the room it had.
std::vector<double> areas(const std::vector<Box>& boxes) {
  std::vector<double> out;
  for (const auto& box : boxes) out.push_back(box.width * box.height / (500.0 * 375.0));
  return out;
}
std::vector<double> log_ratios(const std::vector<Box>& boxes) {
  std::vector<double> out;
  for (const auto& box : boxes) out.push_back(std::log(box.width / box.height));
  return out;
}
std::vector<double> offsets(const std::vector<Box>& boxes) {
  std::vector<double> out;
  for (const auto& box : boxes) {
    if (box.width < 500) out.push_back(box.left / (500 - box.width));
  }
  return out;
}

}  // namespace

class TestImageStream : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path reference_;
  nlohmann::json cases_;

  RgbImage decoded(const nlohmann::json& image_case) const {
    const auto path = (reference_ / image_case["file"].get<std::string>()).string();
    return decode_image(read_file_bytes(path), path);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    reference_ = fs::path(dir_.path().toStdString()) / "reference";
    QProcess python;
    python.start(qn::test::python_with_torch(),
                 {QString(QNS_SOURCE_DIR) + "/tests/python/image_reference.py", QString::fromStdString(reference_)});
    QVERIFY(python.waitForFinished(120000));
    QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    cases_ = nlohmann::json::parse(read_file_bytes((reference_ / "cases.json").string()));
    QVERIFY(cases_.size() >= 10);
  }

  // JPEG (baseline, progressive, 4:4:4, grey, CMYK) and PNG (RGB, RGBA, palette, and one
  // named .JPEG): every pixel as Pillow decodes it.
  void decoding_gives_pillows_pixels() {
    for (const auto& image_case : cases_) {
      const auto name = image_case["name"].get<std::string>();
      const auto image = decoded(image_case);
      QCOMPARE(image.width, image_case["width"].get<int64_t>());
      QCOMPARE(image.height, image_case["height"].get<int64_t>());
      const auto pillow = read_array<uint8_t>(reference_ / (name + ".rgb"));
      QCOMPARE(pillow.size(), image.pixels.size());
      size_t differing = 0;
      int largest = 0;
      for (size_t i = 0; i < pillow.size(); ++i) {
        const int gap = std::abs(int(pillow[i]) - int(image.pixels[i]));
        differing += gap != 0;
        largest = std::max(largest, gap);
      }
      QVERIFY2(differing == 0, (name + ": " + std::to_string(differing) + " values differ, by up to " +
                                std::to_string(largest)).c_str());
    }
  }

  // Resize(256) + CenterCrop(224) + ToTensor + Normalize, bilinear and bicubic, shrinking
  // and enlarging: within 1/255 of torchvision's on every value (in pixel units).
  void the_evaluation_transform_gives_torchvisions_values() {
    for (const auto& image_case : cases_) {
      const auto name = image_case["name"].get<std::string>();
      ImageTransform transform;
      transform.size = image_case["crop"];
      transform.resize_side = image_case["side"];
      transform.resampling = image_case["resample"] == "bicubic" ? Resampling::Bicubic : Resampling::Bilinear;
      transform.normalization = imagenet_normalization();
      const auto path = (reference_ / image_case["file"].get<std::string>()).string();
      std::vector<float> ours(static_cast<size_t>(3 * transform.size * transform.size));
      std::mt19937_64 unused;
      transform_image(read_file_bytes(path), path, transform, unused, ours.data());
      const auto theirs = read_array<float>(reference_ / (name + ".eval.f32"));
      QCOMPARE(theirs.size(), ours.size());
      double largest = 0;  // in 1/255 steps: the deviation undone
      const size_t plane = ours.size() / 3;
      for (size_t i = 0; i < ours.size(); ++i) {
        const double deviation = transform.normalization.deviation[i / plane];
        largest = std::max(largest, std::abs(double(ours[i]) - double(theirs[i])) * deviation * 255.0);
      }
      qInfo("%s: largest difference %.4f/255", name.c_str(), largest);
      QVERIFY2(largest <= 1.0 + 1e-4, name.c_str());
    }
  }

  // Not the same draws (another generator), the same distribution: two-sample KS tests of
  // 20,000 boxes each, at the 0.1% level (critical gap 1.95 * sqrt(2 / 20000) = 0.0195).
  void random_crops_follow_torchvisions_distribution() {
    const auto raw = read_array<double>(reference_ / "crops.f64");
    std::vector<Box> theirs, ours;
    for (size_t i = 0; i + 3 < raw.size(); i += 4) theirs.push_back({raw[i], raw[i + 1], raw[i + 2], raw[i + 3]});
    QCOMPARE(theirs.size(), size_t{20000});
    std::mt19937_64 random(7);
    for (size_t i = 0; i < theirs.size(); ++i) {
      const auto box = random_resized_crop_box({500, 375}, random);
      QVERIFY(box.left >= 0 && box.top >= 0 && box.left + box.width <= 500 && box.top + box.height <= 375);
      ours.push_back({double(box.left), double(box.top), double(box.width), double(box.height)});
    }
    const double critical = 1.95 * std::sqrt(2.0 / 20000);
    const double area_gap = ks_statistic(areas(ours), areas(theirs));
    const double ratio_gap = ks_statistic(log_ratios(ours), log_ratios(theirs));
    const double offset_gap = ks_statistic(offsets(ours), offsets(theirs));
    qInfo("KS gaps: area %.4f, log ratio %.4f, offset %.4f (critical %.4f)", area_gap, ratio_gap, offset_gap,
          critical);
    QVERIFY(area_gap < critical);
    QVERIFY(ratio_gap < critical);
    QVERIFY(offset_gap < critical);
    // And the test can fail: a crop drawn from scale (0.2, 1) is told apart.
    std::vector<Box> narrower;
    for (size_t i = 0; i < theirs.size(); ++i) {
      const auto box = random_resized_crop_box({500, 375}, random, {0.2, 1.0});
      narrower.push_back({double(box.left), double(box.top), double(box.width), double(box.height)});
    }
    QVERIFY(ks_statistic(areas(narrower), areas(theirs)) > critical);
  }

  // The training transform's DCT-domain shortcut keeps the crop's content: the same box,
  // decoded at full size and at a DCT scale, gives nearly the same image.
  void dct_scaling_keeps_the_crop() {
    const auto path = (reference_ / "landscape.jpg").string();
    const auto bytes = read_file_bytes(path);
    ImageTransform transform;
    transform.kind = ImageTransform::Kind::RandomCropFlip;
    transform.size = 64;  // small enough that most crops of 500 x 375 can be decoded at 1/2 or less
    std::vector<float> full(3 * 64 * 64), scaled(full.size());
    double worst = 0;
    for (uint64_t seed = 0; seed < 20; ++seed) {
      std::mt19937_64 a(seed), b(seed);
      transform.dct_scaling = false;
      transform_image(bytes, path, transform, a, full.data());
      transform.dct_scaling = true;
      transform_image(bytes, path, transform, b, scaled.data());
      double sum = 0;
      for (size_t i = 0; i < full.size(); ++i) sum += std::abs(full[i] - scaled[i]);
      worst = std::max(worst, sum / full.size() * 0.226 * 255);  // mean gap, in 1/255 steps
    }
    qInfo("DCT scaling: worst mean gap %.2f/255", worst);
    QVERIFY(worst < 6);
  }

  // The rows depend on the seed and on what was asked before, not on the workers or on
  // whether a request was announced; a file asked again gets another crop.
  void rows_are_the_same_for_any_number_of_workers() {
    ImageFiles files;
    int64_t label = 0;
    for (const auto& image_case : cases_) {
      files.push_back({(reference_ / image_case["file"].get<std::string>()).string(), label++ % 3, 0});
    }
    ImageTransform transform;
    transform.kind = ImageTransform::Kind::RandomCropFlip;
    transform.size = 32;
    const auto first = torch::tensor({4, 0, 7, 2, 9}, torch::kLong);
    const auto second = torch::tensor({1, 3, 0, 5}, torch::kLong);
    const auto requests = [&](int workers, bool announce) {
      ImageRows source(files, transform, /*seed=*/3, workers);
      if (announce) source.prefetch(first), source.prefetch(second);
      return std::vector<Examples>{source.rows(first), source.rows(second)};
    };
    const auto one = requests(1, false);
    const auto three = requests(3, true);
    for (size_t i = 0; i < one.size(); ++i) {
      QVERIFY(torch::equal(one[i].inputs, three[i].inputs));
      QVERIFY(torch::equal(one[i].targets, three[i].targets));
    }
    QCOMPARE(one[0].inputs.sizes().vec(), (std::vector<int64_t>{5, 3, 32, 32}));
    QCOMPARE(one[0].targets[2].item<int64_t>(), int64_t{7 % 3});
    // File 0 in both requests: its second visit is another crop.
    QVERIFY(!torch::equal(one[0].inputs[1], one[1].inputs[2]));
    // A request other than the announced one is decoded as asked; the announced files
    // count as visited, as though they had been asked for.
    ImageRows reference(files, transform, 3, 1);
    reference.rows(second);
    ImageRows source(files, transform, 3, 2);
    source.prefetch(second);
    QVERIFY(torch::equal(source.rows(first).inputs, reference.rows(first).inputs));
  }

  // A file that does not decode fails the request holding it, by name; the others arrive.
  void a_broken_file_fails_its_request_by_name() {
    const auto broken = fs::path(dir_.path().toStdString()) / "broken.jpg";
    const auto good = read_file_bytes((reference_ / "landscape.jpg").string());
    std::ofstream(broken, std::ios::binary) << good.substr(0, good.size() / 2);
    ImageFiles files;
    for (int i = 0; i < 6; ++i) files.push_back({(reference_ / "landscape.jpg").string(), 0, 0});
    files.push_back({broken.string(), 1, 0});
    ImageTransform transform;
    transform.size = 16;
    transform.resize_side = 16;
    ImageRows source(files, transform, 0, 2);
    QCOMPARE(source.rows(torch::arange(0, 6)).size(), int64_t{6});
    QVERIFY(qn::test::throws_input_error([&] { source.rows(torch::arange(4, 7)); }, {"broken.jpg"}));
    QCOMPARE(source.rows(torch::arange(0, 3)).size(), int64_t{3});  // the source still serves
  }

  // ImageNet's layout: train/ of class folders, a flat val/ labelled by a file beside it.
  // libjpeg's warnings leave an image, as in Pillow (some of ImageNet's files have bytes
  // before their last marker); truncation does not.
  void a_jpeg_that_warns_decodes_and_a_truncated_one_does_not() {
    const auto good = read_file_bytes((reference_ / "landscape.jpg").string());
    const auto end = good.rfind("\xFF\xD9");
    QVERIFY(end != std::string::npos);
    const auto extraneous = good.substr(0, end) + std::string(5, '\x17') + good.substr(end);
    const auto image = decode_image(extraneous, "extraneous.jpg");
    QVERIFY(image.pixels == decode_image(good, "good.jpg").pixels);
    QVERIFY(qn::test::throws_input_error([&] { decode_image(good.substr(0, good.size() - 100), "cut.jpg"); },
                                         {"'cut.jpg'", "Premature end"}));
  }

  void imagenet_layout_with_a_flat_val_folder_is_listed() {
    const auto root = (reference_ / "imagenet").string();
    const auto listing = list_image_folder(root);
    QCOMPARE(listing.classes, (std::vector<std::string>{"n01440764", "n02102040", "n03000684"}));
    QCOMPARE(listing.train.size(), size_t{72});
    QCOMPARE(listing.test.size(), size_t{12});
    QVERIFY2(listing.split.find("val_labels.csv") != std::string::npos, listing.split.c_str());
    for (const auto& file : listing.test) {  // ILSVRC2012_val_0000000N: label (N - 1) % 3
      const auto number = std::stoi(fs::path(file.path).stem().string().substr(15));
      QCOMPARE(file.label, int64_t((number - 1) % 3));
    }
    // Kaggle's form and a list of names; numbers (the devkit's own order) refused, saying why.
    const auto write = [&](const std::string& name, const std::string& text) {
      const auto path = fs::path(dir_.path().toStdString()) / name;
      std::ofstream(path) << text;
      return path.string();
    };
    std::string kaggle = "ImageId,PredictionString\n", names, numbers;
    for (int i = 1; i <= 12; ++i) {
      char stem[32];
      std::snprintf(stem, sizeof stem, "ILSVRC2012_val_%08d", i);
      kaggle += std::string(stem) + "," + listing.classes[(i - 1) % 3] + " 1 2 3 4\n";
      names += listing.classes[(i - 1) % 3] + "\n";
      numbers += std::to_string((i - 1) % 3 + 1) + "\n";
    }
    for (const auto& file : {write("LOC_val_solution.csv", kaggle), write("synsets.txt", names)}) {
      const auto relisted = list_image_folder(root, file);
      for (size_t i = 0; i < relisted.test.size(); ++i) QCOMPARE(relisted.test[i].label, listing.test[i].label);
    }
    QVERIFY(qn::test::throws_input_error([&] { list_image_folder(root, write("truth.txt", numbers)); },
                                         {"truth.txt", "meta.mat"}));
    QVERIFY(qn::test::throws_input_error([&] { list_image_folder(root, write("short.txt", "n01440764\n")); },
                                         {"short.txt", "1 lines for 12 images"}));
    QVERIFY(qn::test::throws_input_error(
        [&] { list_image_folder(root, write("typo.csv", "file,label\nILSVRC2012_val_00000001.JPEG,n0000\n")); },
        {"typo.csv", "line 2", "'n0000'"}));
  }

  // A streamed run, end to end: its loss falls, and it is the same run with 1 or 2 decoders.
  void a_streamed_run_trains_the_same_with_any_number_of_decoders() {
    auto json = read_config_file(QNS_SOURCE_DIR "/resources/presets/imagenet-folder-convnet.json");
    apply_override(json, "data.dir=" + (reference_ / "imagenet").string());
    apply_override(json, "data.image_size=32");
    apply_override(json, "train.max_steps=24");
    apply_override(json, "train.batch_size=12");
    apply_override(json, "train.warmup_steps=2");
    apply_override(json, "train.eval_every=0");
    apply_override(json, "device=cpu");
    const auto run_with = [&](int workers) {
      auto config = parse_run_config(json);
      config.data.workers = workers;
      qn::test::LossRecorder losses;
      const auto result = run_training(config, &losses, nullptr);
      return std::make_pair(losses.losses, result);
    };
    const auto [one, result] = run_with(1);
    const auto [two, again] = run_with(2);
    QCOMPARE(one, two);
    QCOMPARE(result.metric, again.metric);
    QVERIFY2(one.back() < 0.8 * one.front(), qPrintable(QString("%1 -> %2").arg(one.front()).arg(one.back())));
    QVERIFY2(result.data_split.find("val_labels.csv") != std::string::npos, result.data_split.c_str());
  }

  // Truncated and bit-flipped JPEGs and PNGs, zero-size and huge headers: each decodes or
  // fails with an InputError naming the file; none crashes or allocates without bound.
  void broken_files_fail_by_name_and_never_crash() {
    std::vector<std::string> sources;
    for (const auto* name : {"landscape.jpg", "progressive.jpg", "cmyk.jpg", "png_rgb.png", "png_palette.png"}) {
      sources.push_back(read_file_bytes((reference_ / name).string()));
    }
    std::mt19937_64 random(11);
    int tried = 0, refused = 0;
    const auto attempt = [&](const std::string& bytes) {
      ++tried;
      try {
        const auto image = decode_image(bytes, "fuzzed.img");
        QVERIFY(int64_t(image.pixels.size()) == image.width * image.height * 3);
      } catch (const InputError& error) {
        ++refused;
        QVERIFY2(std::string(error.what()).find("'fuzzed.img'") != std::string::npos, error.what());
      }
    };
    for (const auto& source : sources) {
      for (size_t length : {size_t{0}, size_t{1}, size_t{3}, size_t{8}, size_t{20}, source.size() / 10,
                            source.size() / 2, source.size() - 1}) {
        attempt(source.substr(0, length));
      }
      for (int flips = 0; flips < 320; ++flips) {
        auto bytes = source;
        const int count = 1 + int(random() % 8);
        for (int i = 0; i < count; ++i) {
          // Mostly the headers, where the sizes and tables are.
          const size_t at = random() % 2 ? random() % std::min<size_t>(bytes.size(), 700) : random() % bytes.size();
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << (random() % 8)));
        }
        attempt(bytes);
      }
    }
    // A JPEG whose header claims 60000 x 60000 pixels; a PNG's IHDR claiming 30000 x 30000
    // (each side allowed, 900 M pixels not): refused before any allocation.
    auto huge_jpeg = sources[0];
    const auto sof = huge_jpeg.find("\xFF\xC0");
    QVERIFY(sof != std::string::npos);
    huge_jpeg[sof + 5] = char(0xEA), huge_jpeg[sof + 6] = char(0x60);  // height 60000
    huge_jpeg[sof + 7] = char(0xEA), huge_jpeg[sof + 8] = char(0x60);  // width 60000
    QVERIFY(qn::test::throws_input_error([&] { decode_image(huge_jpeg, "huge.jpg"); }, {"'huge.jpg'", "limit"}));
    ++tried;
    auto huge_png = sources[3];  // IHDR data at bytes 16 to 23, then its CRC (not fixed: refused first)
    for (int i : {16, 20}) huge_png[i] = 0, huge_png[i + 1] = 0, huge_png[i + 2] = char(0x75), huge_png[i + 3] = 0x30;
    QVERIFY(qn::test::throws_input_error([&] { decode_image(huge_png, "huge.png"); }, {"'huge.png'"}));
    ++tried;
    qInfo("fuzzed %d inputs: %d refused by name, the rest decoded, none crashed", tried, refused);
    QVERIFY(tried > 1500);
  }
};

QTEST_GUILESS_MAIN(TestImageStream)
#include "test_image_stream.moc"
