"""The ConvNet preset's model, batch and optimizer in PyTorch, timed as `qnoise bench train`
times the C++ engine: median seconds between consecutive steps of a shuffled minibatch loop
over random images of Fashion-MNIST's shape."""
import argparse
import json
import os
import statistics
import time

import torch
from torch import nn


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, expansion, stride):
        super().__init__()
        mid = cin * expansion
        layers = []
        if expansion > 1:
            layers += [nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.SiLU()]
        layers += [nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False), nn.BatchNorm2d(mid),
                   nn.SiLU(), nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class ConvNet(nn.Module):
    """core/nn/convnet.h: stem 3x3 1->16, blocks 16->24 (x1, /2), 24->24 (x4), 24->40 (x4, /2),
    then 1960 -> 512 -> 10. 1,023,322 parameters."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.SiLU())
        self.blocks = nn.Sequential(InvertedResidual(16, 24, 1, 2), InvertedResidual(24, 24, 4, 1),
                                    InvertedResidual(24, 40, 4, 2))
        self.hidden = nn.Linear(40 * 7 * 7, 512)
        self.classifier = nn.Linear(512, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.classifier(torch.nn.functional.silu(self.hidden(x.flatten(1))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    rows = max(4096, args.batch * 8)
    images = torch.randn(rows, 1, 28, 28)
    labels = torch.randint(0, 10, (rows,))
    model = ConvNet()
    assert sum(p.numel() for p in model.parameters()) == 1023322
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    model.train()
    stamps = []
    step, total = 0, args.warmup + args.steps + 1
    while step < total:
        order = torch.randperm(rows)
        for start in range(0, rows, args.batch):
            if step == total:
                break
            batch = order[start:start + args.batch]
            for group in optimizer.param_groups:
                group["lr"] = 0.002
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(images.index_select(0, batch)),
                                               labels.index_select(0, batch))
            loss.backward()
            optimizer.step()
            loss.item()
            stamps.append(time.perf_counter())
            step += 1
    durations = [b - a for a, b in zip(stamps, stamps[1:])][args.warmup:]
    seconds = statistics.median(durations)
    print(json.dumps({"bench": "pytorch convnet", "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "batch": args.batch,
                      "steps": len(durations), "seconds_per_step": seconds,
                      "steps_per_second": 1 / seconds}))


if __name__ == "__main__":
    main()
