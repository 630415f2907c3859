// The config vocabulary every front end shares (docs/config.md, "The config
// contract"): the method enum, the named choices, a run's description, config
// differences, and the sweeps the GUI sets up by hand.
#include <QtTest>

#include "config/choices.h"
#include "config/config_difference.h"
#include "config/run_description.h"
#include "sweep/sweep_axes.h"
#include "sweep/sweep_spec.h"
#include "test_support.h"

using namespace qn;
using nlohmann::json;

namespace {

// The tiny ConvNet of the GUI tests: 20*7*7 = 980 inputs to its hidden layer.
RunConfig tiny_convnet() {
  return parse_run_config({{"model", {{"width", 8}, {"hidden", 32}}},
                           {"train", {{"max_steps", 5}}},
                           {"quant", {{"method", "int"}, {"bits", 4}}}});
}

const QuantizerChoice& choice_named(const std::string& label) {
  for (const auto& choice : quantizer_choices()) {
    if (choice.label == label) return choice;
  }
  throw std::runtime_error("no quantizer choice " + label);
}

}  // namespace

class TestConfigVocabulary : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void methods_round_trip_and_unknown_ones_are_refused() {
    for (const auto method : {QuantMethod::None, QuantMethod::Int, QuantMethod::PQ, QuantMethod::IPQ}) {
      QVERIFY(parse_quant_method(to_string(method)) == method);
    }
    QVERIFY(uses_codebooks(QuantMethod::IPQ) && !uses_codebooks(QuantMethod::Int));
    QVERIFY(test::throws_input_error([] { parse_run_config({{"quant", {{"method", "kmeans"}}}}); },
                                     {"quant.method", "kmeans", "none, int, pq, ipq"}));
    QCOMPARE(to_json(parse_run_config({{"quant", {{"method", "ipq"}}}}))["quant"]["method"],
             json("ipq"));
  }

  void every_quant_config_has_exactly_the_choice_people_would_name() {
    QuantConfig quant;
    quant.method = QuantMethod::Int;
    quant.bits = 4;
    QCOMPARE(quantizer_choices()[quantizer_choice_of(quant)].label, std::string("int4"));
    quant.bits = 3;
    QCOMPARE(quantizer_choices()[quantizer_choice_of(quant)].label, std::string("intN"));
    quant.method = QuantMethod::IPQ;
    quant.centroid_bits = 8;
    QCOMPARE(quantizer_choices()[quantizer_choice_of(quant)].label, std::string("iPQ + int8"));
    // Applying a choice sets what it names and keeps the rest.
    quant.centroids = 64;
    choice_named("int8").apply_to(quant);
    QVERIFY(quant.method == QuantMethod::Int);
    QCOMPARE(quant.bits, 8);
    QCOMPARE(quant.centroids, int64_t{64});
    choice_named("intN").apply_to(quant);
    QCOMPARE(quant.bits, 8);  // intN keeps the user's width
    QCOMPARE(choice_named("iPQ + int8").fixed_values(),
             json({{"method", "ipq"}, {"centroid_bits", 8}}));
    for (size_t i = 0; i < noise_mode_choices().size(); ++i) {
      QCOMPARE(noise_mode_choice_of(noise_mode_choices()[i].mode), i);
    }
  }

  void a_run_is_described_in_the_papers_words() {
    auto config = tiny_convnet();
    config.noise = {NoiseMode::QuantNoise, 0.1, NoiseForm::Proxy};
    auto description = describe_run(config);
    QCOMPARE(description.quantizer, std::string("int4 (minmax)"));
    QCOMPARE(description.noise, std::string("Quant-Noise p=0.10 (proxy)"));
    QCOMPARE(description.one_line(),
             std::string("int4 (minmax), Quant-Noise p=0.10 (proxy), fashion-mnist seed 0"));
    QVERIFY2(description.training.find("convnet width 8 hidden 32, 5 steps, batch 128") !=
                 std::string::npos,
             description.training.c_str());
    config.quant.method = QuantMethod::IPQ;
    config.quant.centroid_bits = 8;
    config.noise.mode = NoiseMode::Ste;
    description = describe_run(config);
    QCOMPARE(description.quantizer, std::string("iPQ+int8 K=256"));
    QCOMPARE(description.noise, std::string("STE"));
    // A stored config this engine cannot read is described, not refused.
    const auto unreadable = describe_run(parse_stored_config(json{{"quant", {{"method", "int9"}}}}));
    QVERIFY(unreadable.quantizer.find("unreadable config") == 0);
    QVERIFY(!parse_stored_config(json{{"quant", {{"method", "int9"}}}}));
  }

  void differing_keys_and_keys_ignoring_a_set() {
    const auto a = parse_run_config({{"quant", {{"bits", 4}, {"method", "int"}}},
                                     {"noise", {{"mode", "ste"}, {"p", 0.1}}},
                                     {"train", {{"seed", 0}}}});
    auto b = a;
    b.noise.mode = NoiseMode::QuantNoise;
    b.noise.p = 0.2;
    auto c = a;
    c.train.seed = 1;
    QCOMPARE(differing_keys({&a, &b}), (std::vector<std::string>{"noise.mode", "noise.p"}));
    QCOMPARE(differing_keys({&a, &b, &c}),
             (std::vector<std::string>{"noise.mode", "noise.p", "train.seed"}));
    QVERIFY(differing_keys({&a}).empty());
    QVERIFY(differing_keys({}).empty());
    QCOMPARE(key_ignoring(a, noise_keys()), key_ignoring(b, noise_keys()));
    QVERIFY(key_ignoring(a, noise_keys()) != key_ignoring(c, noise_keys()));
    QCOMPARE(key_ignoring(a, seed_keys()), key_ignoring(c, seed_keys()));
    QVERIFY(key_ignoring(a, seed_keys()) != key_ignoring(b, seed_keys()));
    QCOMPARE(flatten_config(a).at("noise.mode"), std::string("ste"));  // a string, bare
  }

  void a_hand_made_sweep_has_no_duplicate_runs_and_refuses_shapes_that_cannot_run() {
    SweepAxes axes;
    axes.quantizers = {1, 2};  // int8, int4
    axes.noise_modes = {NoiseMode::None, NoiseMode::Ste, NoiseMode::QuantNoise};
    axes.rates = {0.05, 0.1, 0.2};
    axes.linear_blocks = {8};
    axes.seeds = {0, 1};
    const auto plan = plan_sweep(tiny_convnet(), axes);
    QCOMPARE(plan.specs.size(), size_t{6});
    QCOMPARE(plan.run_count, size_t{2 * (1 + 1 + 3) * 2});
    std::set<std::string> hashes;
    for (const auto& spec : plan.specs) {
      for (const auto& config : expand_sweep(parse_sweep_spec(spec))) hashes.insert(to_json(config).dump());
    }
    QCOMPARE(hashes.size(), plan.run_count);
    // PQ with linear block 6 (the user's: not the default) does not divide the hidden
    // layer's 980 inputs; 4 does.
    axes.quantizers = {4};
    axes.linear_blocks = {6};
    QVERIFY(test::throws_input_error([&] { plan_sweep(tiny_convnet(), axes); }, {"does not divide"}));
    axes.linear_blocks = {4};
    const auto pq = plan_sweep(tiny_convnet(), axes);
    // STE on PQ uses the exact form.
    const auto ste_base = parse_run_config(pq.specs[1]["base"]);
    QVERIFY(ste_base.noise.mode == NoiseMode::Ste && ste_base.noise.form == NoiseForm::Exact);
    // p = 1 with PQ's proxy form (the base's) cannot run: refused with the sweep, not
    // when the store thread queues it.
    axes.noise_modes = {NoiseMode::QuantNoise};
    axes.rates = {0.5, 1.0};
    QVERIFY(test::throws_input_error([&] { plan_sweep(tiny_convnet(), axes); }, {"proxy", "p < 1"}));
    axes.noise_modes.clear();
    QVERIFY(test::throws_input_error([&] { plan_sweep(tiny_convnet(), axes); }, {"at least one"}));
    QCOMPARE(sweepable_quantizers(), (std::vector<size_t>{1, 2, 4, 5, 6}));
  }
};

QTEST_GUILESS_MAIN(TestConfigVocabulary)
#include "test_config_vocabulary.moc"
