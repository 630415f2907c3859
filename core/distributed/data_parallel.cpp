#include "distributed/data_parallel.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>

#include "common/error.h"
#include "common/runtime.h"

namespace qn {
namespace {

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

int64_t integer_variable(const char* name, const std::string& text, int64_t low, int64_t high) {
  try {
    size_t used = 0;
    const auto value = std::stoll(text, &used);
    if (used == text.size() && value >= low && value <= high) return value;
  } catch (const std::exception&) {
  }
  throw InputError(std::string("environment variable ") + name + "='" + text +
                   "' is not a whole number from " + std::to_string(low) + " to " +
                   std::to_string(high));
}

bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

// The network device Gloo's connections use: GLOO_SOCKET_IFNAME's interface where set (as
// PyTorch reads it), loopback for a group on one machine, else the address this machine's
// hostname resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_address) {
  if (const auto interface = environment("GLOO_SOCKET_IFNAME")) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(*interface);
  }
  if (is_loopback(master_address)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<c10d::Store> connect_store(const Rendezvous& rendezvous, double timeout_seconds) {
  c10d::TCPStoreOptions options;
  options.port = rendezvous.master_port;
  options.isServer = rendezvous.rank == 0;
  options.numWorkers = rendezvous.world_size;
  options.waitWorkers = false;  // the process group's own rendezvous waits for every rank
  options.timeout = milliseconds(timeout_seconds);
  try {
    return c10::make_intrusive<c10d::TCPStore>(rendezvous.master_address, options);
  } catch (const std::exception& error) {
    throw RuntimeFailure("rank " + std::to_string(rendezvous.rank) + " could not reach the " +
                         "rendezvous at " + rendezvous.master_address + ":" +
                         std::to_string(rendezvous.master_port) + " (MASTER_ADDR, MASTER_PORT): " +
                         error.what());
  }
}

// Every parameter and buffer: what rank 0 hands the others at the start.
std::vector<torch::Tensor> state_tensors(torch::nn::Module& module) {
  auto tensors = module.parameters();
  for (const auto& buffer : module.buffers()) tensors.push_back(buffer);
  return tensors;
}

}  // namespace

std::string describe_training_device(const torch::Device& device, const DataParallel* parallel) {
  return describe_device(device) + (parallel ? ", " + parallel->describe() : "");
}

std::optional<Rendezvous> rendezvous_from_environment() {
  const auto world_size = environment("WORLD_SIZE");
  if (!world_size) return std::nullopt;
  Rendezvous rendezvous;
  rendezvous.world_size = static_cast<int>(integer_variable("WORLD_SIZE", *world_size, 1, 4096));
  if (rendezvous.world_size == 1) return std::nullopt;
  const auto rank = environment("RANK");
  if (!rank) throw InputError("WORLD_SIZE is set but RANK is not (torchrun sets both)");
  rendezvous.rank =
      static_cast<int>(integer_variable("RANK", *rank, 0, rendezvous.world_size - 1));
  rendezvous.master_address = environment("MASTER_ADDR").value_or(rendezvous.master_address);
  if (const auto port = environment("MASTER_PORT")) {
    rendezvous.master_port = static_cast<uint16_t>(integer_variable("MASTER_PORT", *port, 1, 65535));
  }
  return rendezvous;
}

DataParallel::DataParallel(const Rendezvous& rendezvous, c10::intrusive_ptr<c10d::Store> store,
                           double timeout_seconds)
    : rank_(rendezvous.rank), world_size_(rendezvous.world_size), store_(std::move(store)) {
  // A peer that dies must fail this rank's run, not kill it: a send to its closed socket
  // raises SIGPIPE, which ends the process unless ignored (then the send fails with EPIPE,
  // which Gloo reports as an error the run ends with). Seen in test_data_parallel_cli: rank 0
  // killed by signal 13 instead of exiting 1, when the send came before the receive.
  std::signal(SIGPIPE, SIG_IGN);
  auto options = c10d::ProcessGroupGloo::Options::create(milliseconds(timeout_seconds));
  options->devices.push_back(gloo_device(rendezvous.master_address));
  try {
    group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, rank_, world_size_, options);
  } catch (const std::exception& error) {
    throw RuntimeFailure("rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) +
                         " could not join the process group: " + error.what());
  }
}

DataParallel::~DataParallel() = default;

std::unique_ptr<DataParallel> DataParallel::join(const Rendezvous& rendezvous,
                                                 double timeout_seconds) {
  return std::unique_ptr<DataParallel>(
      new DataParallel(rendezvous, connect_store(rendezvous, timeout_seconds), timeout_seconds));
}

std::unique_ptr<DataParallel> DataParallel::host_on_this_machine(
    int world_size, const std::function<void(uint16_t port)>& start_peers,
    double timeout_seconds) {
  Rendezvous rendezvous;
  rendezvous.world_size = world_size;
  rendezvous.master_port = 0;  // the store binds a free port and says which
  auto store = connect_store(rendezvous, timeout_seconds);
  rendezvous.master_port = static_cast<c10d::TCPStore&>(*store).getPort();
  start_peers(rendezvous.master_port);
  return std::unique_ptr<DataParallel>(new DataParallel(rendezvous, std::move(store), timeout_seconds));
}

std::string DataParallel::describe() const {
  return std::to_string(world_size_) + " processes (Gloo)";
}

std::pair<int64_t, int64_t> DataParallel::share_of(int64_t rows) const {
  const auto begin = rows * rank_ / world_size_;
  const auto end = rows * (rank_ + 1) / world_size_;
  return {begin, end};
}

void DataParallel::sum_gradients(torch::nn::Module& module) {
  std::vector<torch::Tensor> parameters;
  for (const auto& parameter : module.parameters()) {
    if (parameter.requires_grad()) parameters.push_back(parameter);
  }
  if (parameters.empty()) return;
  // One collective for the whole model: a step of many small all-reduces is latency-bound.
  std::vector<torch::Tensor> flat;
  for (const auto& parameter : parameters) {
    flat.push_back(parameter.grad().defined() ? parameter.grad().reshape(-1)
                                              : torch::zeros({parameter.numel()}, parameter.options()));
  }
  std::vector<torch::Tensor> buffer{torch::cat(flat)};
  group_->allreduce(buffer)->wait();
  int64_t offset = 0;
  for (auto& parameter : parameters) {
    const auto summed = buffer[0].narrow(0, offset, parameter.numel()).view_as(parameter);
    if (parameter.grad().defined()) {
      parameter.mutable_grad().copy_(summed);
    } else {
      parameter.mutable_grad() = summed.clone();
    }
    offset += parameter.numel();
  }
}

torch::Tensor DataParallel::sum(const torch::Tensor& values) {
  std::vector<torch::Tensor> buffer{values.contiguous().clone()};
  group_->allreduce(buffer)->wait();
  return buffer[0];
}

void DataParallel::broadcast_state(torch::nn::Module& module) {
  broadcast(state_tensors(module));
}

void DataParallel::average_buffers(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& buffer : module.buffers()) {
    if (!buffer.is_floating_point()) continue;  // counters (num_batches_tracked) agree already
    buffer.copy_(sum(buffer) / world_size_);
  }
}

void DataParallel::broadcast(std::vector<torch::Tensor> tensors) {
  torch::NoGradGuard no_grad;
  for (auto& tensor : tensors) {
    // Gloo broadcasts dense contiguous tensors; a parameter is one, a view may not be.
    std::vector<torch::Tensor> buffer{tensor.contiguous()};
    c10d::BroadcastOptions options;
    options.rootRank = 0;
    group_->broadcast(buffer, options)->wait();
    if (!buffer[0].is_same(tensor)) tensor.copy_(buffer[0]);
  }
}

}  // namespace qn
