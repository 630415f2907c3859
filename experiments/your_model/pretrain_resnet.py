"""Pretrains a small ResNet on Fashion-MNIST and saves it as TorchScript for QNStudio.

    /usr/bin/python3 experiments/your_model/pretrain_resnet.py [OUT.pt] [--epochs 2] [--seed 0]

Writes OUT.pt (default resnet_fmnist.pt next to this script) with
torch.jit.save(torch.jit.script(model)) and OUT.json beside it (test accuracy, parameter
count, layers, wall time). The network (283,770 parameters):

    stem     Conv2d 3x3 1->16 + BatchNorm + ReLU                      28x28
    layer1   BasicBlock 16->16                                        28x28
    layer2   BasicBlock 16->64, stride 2, 1x1 downsample conv + BN    14x14
    layer3   BasicBlock 64->128, stride 2, 1x1 downsample conv + BN    7x7
    head     global average pool, Linear 128->10

Every channel count is a multiple of 8, so QNStudio's default iPQ block sizes divide every
layer's rows (core/quant/block_layout.cpp): 9 for a 3x3 conv (a row is in_channels*3*3),
4 for a 1x1 conv (a row is in_channels: 16 or 64), 8 for the Linear (a row is 128).

The inputs are standardised exactly as QNStudio's fashion-mnist task does (fmnist_data.py),
so the saved model can be fine-tuned and evaluated there without any change.
"""
import argparse
import json
import math
import os
import time

import torch
from torch import nn
import torch.nn.functional as F

from fmnist_data import DEFAULT_DIR, accuracy, load_fashion_mnist

HERE = os.path.dirname(os.path.abspath(__file__))


class BasicBlock(nn.Module):
    """ResNet's basic block: two 3x3 convs with BatchNorm, ReLU, and a residual; a 1x1 conv
    (with BatchNorm) on the shortcut when the stride or the width changes. The shortcut conv
    is an attribute of the block itself, not of a nested Sequential, so that iPQ staged by
    depth (one stage per parent module, as QNStudio stages its ConvNet) takes a whole block
    at a time: 5 stages (stem, layer1, layer2, layer3, fc)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Conv2d(in_channels, out_channels, 1, stride, bias=False)
            self.downsample_bn = nn.BatchNorm2d(out_channels)
        else:
            self.downsample = nn.Identity()
            self.downsample_bn = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.downsample_bn(self.downsample(x)))


class ResNetFMNIST(nn.Module):
    def __init__(self, widths=(16, 64, 128), classes: int = 10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        self.layer1 = BasicBlock(widths[0], widths[0], 1)
        self.layer2 = BasicBlock(widths[0], widths[1], 2)
        self.layer3 = BasicBlock(widths[1], widths[2], 2)
        self.fc = nn.Linear(widths[2], classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def layer_list(model):
    """The layers QNStudio quantizes (Conv2d, Linear): name, type, weight shape."""
    return [{"name": name, "type": type(module).__name__,
             "weight_shape": list(module.weight.shape)}
            for name, module in model.named_modules()
            if isinstance(module, (nn.Conv2d, nn.Linear))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", default=os.path.join(HERE, "resnet_fmnist.pt"))
    parser.add_argument("--data", default=DEFAULT_DIR, help="folder of the four IDX files")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's peak learning rate")
    parser.add_argument("--warmup-steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=0, help="stop early (for smoke tests)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = load_fashion_mnist(args.data)
    train_x, train_y = data["train"]
    test_x, test_y = data["test"]

    model = ResNetFMNIST()
    parameters = sum(p.numel() for p in model.parameters())
    print(f"ResNetFMNIST: {parameters:,} parameters")
    for layer in layer_list(model):
        print(f"  {layer['name']:<22} {layer['type']:<7} {layer['weight_shape']}")

    # Adam, linear warmup then cosine decay to zero over the whole budget.
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(train_x.shape[0] / args.batch_size)
    total = args.epochs * steps_per_epoch
    if args.max_steps:
        total = min(total, args.max_steps)

    def lr_at(step):
        if step < args.warmup_steps:
            return args.lr * (step + 1) / args.warmup_steps
        progress = (step - args.warmup_steps) / max(1, total - args.warmup_steps)
        return args.lr * 0.5 * (1 + math.cos(math.pi * progress))

    shuffle = torch.Generator().manual_seed(args.seed)
    start_time = time.perf_counter()
    step = 0
    model.train()
    for epoch in range(args.epochs):
        order = torch.randperm(train_x.shape[0], generator=shuffle)
        running, seen = 0.0, 0
        for start in range(0, train_x.shape[0], args.batch_size):
            if step == total:
                break
            batch = order[start:start + args.batch_size]
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step)
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
            running += loss.item() * batch.numel()
            seen += batch.numel()
            step += 1
            if step % 100 == 0:
                print(f"  epoch {epoch + 1} step {step}/{total} loss {running / seen:.4f} "
                      f"({time.perf_counter() - start_time:.0f} s)", flush=True)
        print(f"epoch {epoch + 1}: train loss {running / max(seen, 1):.4f}", flush=True)
    train_seconds = time.perf_counter() - start_time

    model.eval()
    test_accuracy = accuracy(model, test_x, test_y)
    print(f"training: {step} steps in {train_seconds:.1f} s wall ({args.threads} threads); "
          f"test accuracy {test_accuracy:.4f}")

    # Saved in eval mode, ready for inference; a trainer (QNStudio) switches it to training.
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, args.out)
    reloaded_accuracy = accuracy(torch.jit.load(args.out).eval(), test_x, test_y)
    assert reloaded_accuracy == test_accuracy, (reloaded_accuracy, test_accuracy)

    summary = {
        "model": "ResNetFMNIST", "file": os.path.basename(args.out),
        "file_bytes": os.path.getsize(args.out), "parameters": parameters,
        "fp32_parameter_bytes": 4 * parameters, "test_accuracy": test_accuracy,
        "epochs": args.epochs, "steps": step, "batch_size": args.batch_size, "lr": args.lr,
        "warmup_steps": args.warmup_steps, "seed": args.seed, "threads": args.threads,
        "train_seconds": round(train_seconds, 1), "torch": torch.__version__,
        "standardisation": {"mean": data["mean"], "std": data["std"]},
        "layers": layer_list(model),
    }
    json_path = os.path.splitext(args.out)[0] + ".json"
    with open(json_path, "w") as handle:
        json.dump(summary, handle, indent=2)
        handle.write("\n")
    print(f"wrote {args.out} ({summary['file_bytes']:,} bytes) and {json_path}")


if __name__ == "__main__":
    main()
