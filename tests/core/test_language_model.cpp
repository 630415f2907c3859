// The Transformer language model: layout and names, causality, LayerDrop and pruning,
// iPQ's stages by pattern, distillation, and a tiny run that learns.
#include <torch/types.h>

#include <QtTest>

#include "nn/transformer_lm.h"
#include "test_support.h"
#include "train/distillation.h"
#include "train/evaluation.h"
#include "train/ipq.h"
#include "train/trainer.h"

using namespace qn;

namespace {

TransformerLMOptions small_options() {
  TransformerLMOptions options;
  options.vocabulary = 12;
  options.dim = 16;
  options.layers = 3;
  options.heads = 2;
  options.ffn = 32;
  options.context = 8;
  options.dropout = 0.0;
  return options;
}

std::vector<std::string> layer_names(torch::nn::Module& model) {
  std::vector<std::string> names;
  for (const auto& layer : quantizable_layers(model)) names.push_back(layer.name);
  return names;
}

// Windows of the sequence 0 1 2 ... 11 0 1 2 ...: each token determines the next.
Examples counting_windows(int64_t windows, int64_t context) {
  return token_windows(torch::arange(windows * context + 1, torch::kLong).remainder(12), context);
}

}  // namespace

class TestLanguageModel : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() { torch::manual_seed(0); }

  void has_stable_names_and_the_right_shapes() {
    TransformerLM model(small_options());
    const auto names = layer_names(*model);
    QCOMPARE(names.size(), size_t{1 + 3 * 6});
    QCOMPARE(names[0], std::string("embedding"));
    QCOMPARE(names[1], std::string("layers.0.attention.query"));
    QCOMPARE(names[5], std::string("layers.0.ffn.expand"));
    QCOMPARE(names.back(), std::string("layers.2.ffn.project"));
    const auto tokens = torch::randint(0, 12, {2, 8}, torch::kLong);
    QCOMPARE(model->forward(tokens).sizes().vec(), (std::vector<int64_t>{2, 8, 12}));
    QVERIFY(qn::test::throws_input_error(
        [&] { model->forward(torch::zeros({1, 9}, torch::kLong)); }, {"longer than", "8"}));

    auto untied = small_options();
    untied.tied_embeddings = false;
    TransformerLM separate(untied);
    QCOMPARE(layer_names(*separate).back(), std::string("output"));
    int64_t tied_params = 0, untied_params = 0;
    for (const auto& p : model->parameters()) tied_params += p.numel();
    for (const auto& p : separate->parameters()) untied_params += p.numel();
    QCOMPARE(untied_params - tied_params, int64_t{12 * 16});
  }

  void a_token_never_sees_the_future() {
    TransformerLM model(small_options());
    model->eval();
    auto tokens = torch::randint(0, 12, {1, 8}, torch::kLong);
    const auto before = model->forward(tokens);
    tokens[0][5] = (tokens[0][5].item<int64_t>() + 1) % 12;
    const auto after = model->forward(tokens);
    QVERIFY(torch::allclose(before.narrow(1, 0, 5), after.narrow(1, 0, 5), 1e-5, 1e-6));
    QVERIFY(!torch::allclose(before.narrow(1, 5, 3), after.narrow(1, 5, 3), 1e-3, 1e-3));
  }

  void layerdrop_skips_layers_in_training_only_and_pruning_keeps_a_subset() {
    auto options = small_options();
    options.layerdrop = 0.5;
    TransformerLM model(options);
    const auto tokens = torch::randint(0, 12, {2, 8}, torch::kLong);
    model->eval();
    const auto full = model->forward(tokens);
    QVERIFY(torch::equal(model->forward(tokens), full));  // no drop in evaluation
    model->train();
    std::set<std::string> outputs;
    for (int i = 0; i < 20; ++i) {
      const auto out = model->forward(tokens);
      outputs.insert(std::to_string(out.sum().item<double>()));
    }
    QVERIFY2(outputs.size() > 2, "LayerDrop did not vary the layers used");

    const auto kept_weight =
        model->named_parameters()["layers.2.ffn.expand.weight"].detach().clone();
    model->keep_layers({0, 2});
    QCOMPARE(model->layer_count(), int64_t{2});
    QVERIFY(!model->named_parameters().contains("layers.2.ffn.expand.weight"));
    QVERIFY(torch::equal(model->named_parameters()["layers.1.ffn.expand.weight"], kept_weight));
    QVERIFY(qn::test::throws_input_error([&] { model->keep_layers({1, 0}); }, {"increasing"}));
  }

  void ipq_stages_follow_the_patterns_in_order() {
    TransformerLM model(small_options());
    const auto stages =
        ipq_stages(*model, {R"(\.ffn\.)", R"(^(embedding|output)$)", R"(\.attention\.)"});
    QCOMPARE(stages.size(), size_t{3});
    QCOMPARE(stages[0].size(), size_t{6});
    for (const auto& layer : stages[0]) QVERIFY(layer.name.find(".ffn.") != std::string::npos);
    QCOMPARE(stages[1].size(), size_t{1});
    QCOMPARE(stages[1][0].name, std::string("embedding"));
    QCOMPARE(stages[2].size(), size_t{12});

    // Layers no pattern names form a last stage; a pattern that names nothing is an error.
    const auto two = ipq_stages(*model, {"embedding"});
    QCOMPARE(two.size(), size_t{2});
    QCOMPARE(two[1].size(), size_t{18});
    QVERIFY(qn::test::throws_input_error([&] { ipq_stages(*model, {"conv"}); },
                                         {"'conv'", "matches no layer"}));
  }

  void ipq_replaces_exactly_the_staged_layers_of_a_transformer() {
    TransformerLM model(small_options());
    const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
    RunConfig config;
    config.quant.method = QuantMethod::IPQ;
    config.quant.block_size = BlockSizes::uniform(4);
    config.quant.centroids = 4;
    config.quant.finetune_steps = 2;
    config.quant.stages = {R"(\.ffn\.)"};  // the FFNs, then the rest
    config.train.batch_size = 8;
    struct Recorder : TrainingObserver {
      torch::nn::Module* model;
      std::vector<std::vector<std::string>> encoded;
      void on_stage(const std::string&) override {
        encoded.emplace_back();
        for (const auto& layer : quantizable_layers(*model))
          if (layer.layer->uses_codebook()) encoded.back().push_back(layer.name);
      }
    } recorder;
    recorder.model = model.get();
    run_ipq(*model, forward, counting_windows(32, 8), config, {}, &recorder, nullptr);
    QCOMPARE(recorder.encoded.size(), size_t{2});
    QCOMPARE(recorder.encoded[0].size(), size_t{6});
    for (const auto& name : recorder.encoded[0])
      QVERIFY(name.find(".ffn.") != std::string::npos);
    QCOMPARE(recorder.encoded[1].size(), size_t{19});
  }

  void distillation_from_itself_is_the_scaled_cross_entropy() {
    auto model = TransformerLM(small_options()).ptr();
    TaskModel teacher{model, [model](const torch::Tensor& x) { return model->forward(x); }, {},
                      [] {}};
    const auto batch = counting_windows(4, 8);
    const auto loss = distillation_loss(teacher, 0.25);
    const auto logits = model->forward(batch.inputs);  // eval mode: the teacher's outputs
    QVERIFY(torch::allclose(loss(logits, batch), 0.75 * cross_entropy(logits, batch.targets),
                            1e-5, 1e-6));
    // A different student pays the KL on top.
    QVERIFY((loss(logits * 0.5, batch) > 0.75 * cross_entropy(logits * 0.5, batch.targets))
                .item<bool>());
  }

  void a_tiny_language_model_learns_to_count() {
    TransformerLM model(small_options());
    const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
    const auto data = counting_windows(64, 8);
    const double before = evaluate(*model, forward, data).perplexity();
    TrainConfig config;
    config.max_steps = 150;
    config.batch_size = 16;
    config.lr = 0.01;
    config.clip_grad_norm = 1.0;
    train_model(*model, forward, data, config, nullptr, nullptr);
    const auto after = evaluate(*model, forward, data);
    QVERIFY2(before > 8 && after.perplexity() < 1.5,
             qPrintable(QString("%1 -> %2").arg(before).arg(after.perplexity())));
    QVERIFY(after.accuracy > 0.95);
  }
};

QTEST_GUILESS_MAIN(TestLanguageModel)
#include "test_language_model.moc"
