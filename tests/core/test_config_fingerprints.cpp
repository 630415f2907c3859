// A config's two fingerprints, both walked from the config's tagged fields
// (core/config/config_fingerprints.h): the config hash (is this run already done?) and the
// training key (may these runs share one trained model?). Stores written before keep every
// run's hash and key, so sweeps still find their finished runs and trainings.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "config/run_config.h"
#include "config/config_fingerprints.h"
#include "store/run_store.h"

using namespace qn;

namespace {

// Copies of the stores committed with experiments/paper_table (written by earlier
// versions, with the hashes and keys those versions computed).
QStringList committed_stores(const QTemporaryDir& dir) {
  QStringList copies;
  const QDir records(QStringLiteral(QNS_SOURCE_DIR) + "/experiments/paper_table/records");
  for (const auto& name : records.entryList({"*.sqlite"}, QDir::Files, QDir::Name)) {
    const auto copy = dir.filePath(name);
    QFile::copy(records.filePath(name), copy);
    copies << copy;
  }
  return copies;
}

}  // namespace

class TestConfigFingerprints : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void stores_written_before_keep_every_hash_and_training_key() {
    const auto stores = committed_stores(dir_);
    QVERIFY2(stores.size() >= 3, "the committed stores of experiments/paper_table/records");
    int runs = 0;
    for (const auto& path : stores) {
      RunStore store(path.toStdString());
      auto keys = store.database().prepare("SELECT id, training_key FROM runs ORDER BY id");
      std::map<int64_t, std::string> stored_keys;
      while (keys.step()) stored_keys[keys.integer(0)] = keys.text(1);
      for (const auto& run : store.runs()) {
        QVERIFY2(run.config, run.config_text.c_str());
        const auto config = to_json(*run.config);  // as a sweep writes it now
        QCOMPARE(config_hash(config), run.config_hash);
        QCOMPARE(training_key(config), stored_keys.at(run.id));
        if (run.status == RunStatus::Done) QVERIFY(store.find_done(config_hash(config)).has_value());
        ++runs;
      }
    }
    qInfo("%d runs of %lld stores keep their hash and training key", runs,
          static_cast<long long>(stores.size()));
    QVERIFY(runs >= 20);
  }

  void what_each_fingerprint_sees() {
    const auto base = to_json(RunConfig{});
    auto changed = [&](auto edit) {
      auto config = RunConfig{};
      edit(config);
      const auto json = to_json(config);
      return std::pair{config_hash(json) != config_hash(base), training_key(json) != training_key(base)};
    };
    using Seen = std::pair<bool, bool>;  // (the hash changes, the training key changes)
    QCOMPARE(changed([](RunConfig& c) { c.train.seed = 9; }), Seen(true, true));
    QCOMPARE(changed([](RunConfig& c) { c.train.eval_every = 7; }), Seen(false, true));
    QCOMPARE(changed([](RunConfig& c) { c.device = "cuda"; }), Seen(true, false));
    QCOMPARE(changed([](RunConfig& c) { c.quant.finetune_steps = 123; }), Seen(true, false));
    QCOMPARE(changed([](RunConfig& c) { c.data.image_size = 64; }), Seen(false, true));
    // The image side counts in the hash for the image-folder task only.
    RunConfig folder;
    folder.task = "image-folder";
    auto larger = folder;
    larger.data.image_size = folder.data.image_size * 2;
    QVERIFY(config_hash(to_json(folder)) != config_hash(to_json(larger)));
    // Training noise reads the quantizer: with none, the quant section is not the key's.
    QCOMPARE(changed([](RunConfig& c) { c.quant.bits = 4; }), Seen(true, false));
    QCOMPARE(changed([](RunConfig& c) {
               c.noise.mode = NoiseMode::QuantNoise;
               c.noise.p = 0.1;
               c.quant.bits = 4;
             }),
             Seen(true, true));
  }
};

QTEST_GUILESS_MAIN(TestConfigFingerprints)
#include "test_config_fingerprints.moc"
