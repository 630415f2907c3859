#pragma once
// One run trained by several processes, data-parallel, over LibTorch's own torch.distributed
// (c10d): a TCPStore for the rendezvous and a Gloo process group for the collectives. Every
// rank holds the whole model; each step every rank takes its share of the global batch, and
// the gradients are summed across ranks before the (identical) optimizer step, so the ranks'
// weights never diverge. docs/engine.md, "One run across processes".
#include <torch/nn/module.h>

#include <c10/util/intrusive_ptr.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace c10d {
class ProcessGroupGloo;
class Store;
}  // namespace c10d

namespace qn {

// Where and who: torchrun's environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT).
struct Rendezvous {
  int rank = 0;
  int world_size = 1;
  std::string master_address = "127.0.0.1";
  uint16_t master_port = 29500;
};

// The rendezvous the environment names; nullopt when WORLD_SIZE is unset or 1. Malformed
// values are an InputError naming the variable.
std::optional<Rendezvous> rendezvous_from_environment();

class DataParallel;

// describe_device's text, with the group when there is one: "cpu (1 threads), 2 processes
// (Gloo)".
std::string describe_training_device(const torch::Device& device, const DataParallel* parallel);

class DataParallel {
 public:
  // Joins the group: blocks until every rank has joined; after `timeout_seconds` without
  // them, or a collective that long without its peers, an error. Rank 0 serves the store.
  static std::unique_ptr<DataParallel> join(const Rendezvous& rendezvous,
                                            double timeout_seconds = kTimeoutSeconds);
  // Rank 0 of a group of `world_size` on this machine: serves the store on 127.0.0.1 at a
  // free port, calls `start_peers` with it (to start ranks 1..world_size-1), then joins.
  static std::unique_ptr<DataParallel> host_on_this_machine(
      int world_size, const std::function<void(uint16_t port)>& start_peers,
      double timeout_seconds = kTimeoutSeconds);
  ~DataParallel();

  static constexpr double kTimeoutSeconds = 300;

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  // "2 processes (Gloo)": added to a run's device description.
  std::string describe() const;

  // Rows [begin, end) of a global batch of `rows` that this rank trains on: contiguous,
  // sizes differing by at most one.
  std::pair<int64_t, int64_t> share_of(int64_t rows) const;
  // Sums every trainable parameter's gradient across ranks (in one flat buffer). A
  // parameter without a gradient counts as zeros.
  void sum_gradients(torch::nn::Module& module);
  // The element-wise sum across ranks of a small tensor of figures (a step's loss...).
  torch::Tensor sum(const torch::Tensor& values);
  // Every rank takes rank 0's parameters and buffers.
  void broadcast_state(torch::nn::Module& module);
  // Every floating-point buffer (BatchNorm's running statistics, which each rank gathers
  // from its own rows) becomes its mean across ranks.
  void average_buffers(torch::nn::Module& module);

 private:
  DataParallel(const Rendezvous& rendezvous, c10::intrusive_ptr<c10d::Store> store,
               double timeout_seconds);
  void broadcast(std::vector<torch::Tensor> tensors);

  int rank_;
  int world_size_;
  c10::intrusive_ptr<c10d::Store> store_;  // kept alive: rank 0's serves the others
  // The concrete Gloo group: a c10d::ProcessGroup in LibTorch 1.13, a c10d::Backend in 2.x.
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};

}  // namespace qn
