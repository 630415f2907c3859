"""The PyTorch (and FAISS) twins of `qnoise bench`.

    qnoise bench train --config C --twin "python3 experiments/bench/twin.py"
    qnoise bench kmeans --twin "python3 experiments/bench/twin.py"

Served that way, this process speaks the protocol of app/qnoise/twin_process.h: it reads the
bench's setup, builds the same model (checking the parameter count) or k-means problem,
answers the names of its variants, then runs a block of steps of the variant asked for and
answers the seconds a step, so that its blocks interleave with the engine's in one schedule.

    twin.py memory --config C --classes N [--image-shape 1 28 28] [--steps 20]
    twin.py memory-kmeans --impl pytorch|faiss [--rows 4096 --cols 1024 --block 8 ...]

measure peak resident memory in a fresh process, as `qnoise bench memory` and `qnoise bench
kmeans` do: the peak (VmHWM, reset through /proc/self/clear_refs) above the process before.
"""
import argparse
import json
import os
import re
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402
import noise  # noqa: E402


def status_bytes(field):
    text = open("/proc/self/status").read()
    return int(re.search(field + r":\s+(\d+) kB", text).group(1)) * 1024


def reset_peak():
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def versions():
    found = {"torch": torch.__version__, "threads": torch.get_num_threads(),
             "python": sys.version.split()[0]}
    if torch.cuda.is_available():
        found["cuda_device"] = torch.cuda.get_device_name()
    try:
        import faiss
        found["faiss"] = faiss.__version__
    except ImportError:
        pass
    return found


def twin_device(name):
    """The engine's device name (auto, cpu, cuda) as the twin's torch device."""
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("twin: the bench runs on CUDA but this PyTorch sees no GPU")
    return torch.device("cuda" if name in ("cuda", "auto") and torch.cuda.is_available()
                        else "cpu")


class Training:
    """One variant's model, optimizer and data, kept between blocks. A block of n steps runs
    n + 1 and times the last n, from the end of the first, as the engine's clock does."""

    def __init__(self, config, classes, image_shape, make_noise=None, data=None):
        torch.manual_seed(0)
        device = twin_device(config.get("device", "auto"))
        self.model = models.build(config, classes, image_shape).to(device)
        if make_noise:
            noise.attach(self.model, config, make_noise)
        self.model.train()
        train = config["train"]
        self.lr, self.batch = train["lr"], train["batch_size"]
        self.clip = train.get("clip_grad_norm", 0)
        decay = train.get("weight_decay", 0)
        parameters = self.model.parameters()
        self.optimizer = (torch.optim.Adam(parameters, lr=self.lr, weight_decay=decay)
                          if train.get("optimizer", "adam") == "adam" else
                          torch.optim.SGD(parameters, lr=self.lr, momentum=0.9, nesterov=True,
                                          weight_decay=decay))
        inputs, targets = data or models.random_data(config, classes, image_shape)
        self.inputs, self.targets = inputs.to(device), targets.to(device)
        self.order, self.position = torch.randperm(len(self.inputs), device=device), 0

    def step(self):
        if self.position + self.batch > len(self.inputs):
            self.order, self.position = torch.randperm(len(self.inputs),
                                                       device=self.inputs.device), 0
        rows = self.order[self.position:self.position + self.batch]
        self.position += self.batch
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr
        self.optimizer.zero_grad()
        logits = self.model(self.inputs.index_select(0, rows))
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                           self.targets.index_select(0, rows).reshape(-1))
        loss.backward()
        if self.clip > 0:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()
        return loss.item()  # waits for the device, as the engine's step does

    def block(self, steps):
        self.step()
        began = time.perf_counter()
        for _ in range(steps):
            self.step()
        return (time.perf_counter() - began) / steps


def training_variants(setup):
    config, classes, shape = setup["config"], setup["classes"], setup["image_shape"]
    variants = {
        "pytorch plain": Training(config, classes, shape),
        "pytorch int8 quant-noise p=0.5": Training(config, classes, shape,
                                                    lambda module: noise.IntNoise(0.5)),
        "pytorch pq proxy p=0.1": Training(
            config, classes, shape,
            lambda module: noise.ProxyNoise(0.1, noise.block_size(config, module))),
    }
    count = sum(p.numel() for p in variants["pytorch plain"].model.parameters())
    if count != setup["parameters"]:
        raise SystemExit(f"twin: the PyTorch model has {count} parameters, the engine's "
                         f"{setup['parameters']}: not the same model")
    return {name: training.block for name, training in variants.items()}


def kmeans_points(rows, cols, block, seed):
    """A (rows, cols) standard normal weight cut into blocks along its rows, as
    core/quant/block_layout.h cuts a Linear weight."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(rows, cols, generator=generator).reshape(-1, block)


def pytorch_kmeans(points, centroids, iterations, seed):
    """k-means as a PyTorch user writes it: the full distance matrix each iteration."""
    generator = torch.Generator().manual_seed(seed)
    chosen = torch.randperm(len(points), generator=generator)[:centroids].to(points.device)
    codebook = points[chosen].clone()
    for _ in range(iterations):
        assignment = torch.cdist(points, codebook).argmin(1)
        counts = torch.bincount(assignment, minlength=centroids).unsqueeze(1)
        sums = torch.zeros_like(codebook).index_add_(0, assignment, points)
        codebook = torch.where(counts > 0, sums / counts.clamp(min=1), codebook)
    return codebook


def faiss_kmeans(points, centroids, iterations, seed):
    import faiss
    kmeans = faiss.Kmeans(points.shape[1], centroids, niter=iterations, seed=seed,
                          max_points_per_centroid=len(points), verbose=False)
    kmeans.train(points.numpy())
    return kmeans.centroids


def kmeans_variants(setup):
    points = kmeans_points(setup["rows"], setup["cols"], setup["block"], setup["seed"])
    device = twin_device(setup.get("device", "auto"))

    points_on_device = points.to(device)

    def on_device(points, centroids, iterations, seed):
        result = pytorch_kmeans(points_on_device, centroids, iterations, seed)
        return result.cpu()  # waits for the device

    def timed(run):
        def block(steps):
            began = time.perf_counter()
            run(points, setup["centroids"], steps, setup["seed"])
            return (time.perf_counter() - began) / steps
        return block

    variants = {"pytorch k-means": timed(on_device)}  # FAISS (Debian's) runs on the CPU
    try:
        import faiss  # noqa: F401
        variants["faiss k-means"] = timed(faiss_kmeans)
    except ImportError:
        print("twin: FAISS is not installed (apt-get install python3-faiss): timing PyTorch only",
              file=sys.stderr)
    return variants


def serve():
    torch.set_num_threads(os.cpu_count())
    setup = json.loads(sys.stdin.readline())["setup"]
    builders = {"train": training_variants, "kmeans": kmeans_variants}
    if setup["bench"] not in builders:
        raise SystemExit(f"twin: no twin of `qnoise bench {setup['bench']}` (only train, kmeans)")
    variants = builders[setup["bench"]](setup)
    print(json.dumps({"variants": list(variants), "versions": versions()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        seconds = variants[request["variant"]](request["steps"])
        print(json.dumps({"seconds_per_step": seconds}), flush=True)


def training_memory(args):
    torch.set_num_threads(os.cpu_count())
    config = json.load(open(args.config))
    config.setdefault("train", {})
    data = models.random_data(config, args.classes, args.image_shape)
    with_data = status_bytes("VmRSS")
    reset_peak()
    training = Training(config, args.classes, args.image_shape, data=data)
    training.block(args.steps - 1)
    peak = status_bytes("VmHWM")
    print(json.dumps({"bench": "pytorch memory", "versions": versions(),
                      "parameters": sum(p.numel() for p in training.model.parameters()),
                      "steps": args.steps, "resident_with_data_bytes": with_data,
                      "peak_bytes": peak, "peak_above_data_bytes": peak - with_data}))


def kmeans_memory(args):
    torch.set_num_threads(os.cpu_count())
    if args.impl == "faiss":
        import faiss  # loaded before the start is read, as LibTorch is in qnoise
        faiss.omp_set_num_threads(os.cpu_count())
    run = pytorch_kmeans if args.impl == "pytorch" else faiss_kmeans
    run(torch.randn(40 * args.centroids, args.block), args.centroids, 1, 0)  # the libraries' own
    start = status_bytes("VmRSS")
    reset_peak()
    points = kmeans_points(args.rows, args.cols, args.block, args.seed)
    run(points, args.centroids, args.iters, args.seed)
    peak = status_bytes("VmHWM")
    weight = args.rows * args.cols * 4
    print(json.dumps({"bench": f"{args.impl} k-means memory", "versions": versions(),
                      "weight_bytes": weight, "peak_above_start_bytes": peak - start}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command")
    memory = commands.add_parser("memory", help="peak memory of training a config's model")
    memory.add_argument("--config", required=True)
    memory.add_argument("--classes", type=int, required=True, help="classes or vocabulary")
    memory.add_argument("--image-shape", type=int, nargs=3, default=None)
    memory.add_argument("--steps", type=int, default=20)
    kmeans = commands.add_parser("memory-kmeans", help="peak memory of one k-means")
    kmeans.add_argument("--impl", choices=["pytorch", "faiss"], required=True)
    for name, default in [("rows", 4096), ("cols", 1024), ("block", 8), ("centroids", 256),
                          ("iters", 20), ("seed", 0)]:
        kmeans.add_argument("--" + name, type=int, default=default)
    args = parser.parse_args()
    if args.command == "memory":
        training_memory(args)
    elif args.command == "memory-kmeans":
        kmeans_memory(args)
    else:
        serve()


if __name__ == "__main__":
    main()
