"""results.jsonl (qnoise bench train and convnet.py, interleaved rounds) -> a markdown table."""
import json
import os
import platform
import statistics
import sys

engine, pytorch = [], []
for line in open(sys.argv[1]):
    row = json.loads(line)
    (engine if row["bench"] == "train" else pytorch).append(row)

plain = [next(v for v in run["variants"] if v["variant"] == "plain") for run in engine]
cpp = statistics.median(v["steps_per_second"] for v in plain)
torch_rate = statistics.median(run["steps_per_second"] for run in pytorch)
print("# Training speed, ConvNet preset (batch 128, Adam)\n")
print(f"{platform.node()}, {os.cpu_count()} CPU cores, {len(engine)} interleaved rounds, "
      f"median step of {engine[0]['steps']} steps each, median over rounds. "
      f"PyTorch {pytorch[0]['torch']} with {pytorch[0]['threads']} threads.\n")
print("| variant | C++ engine steps/s | PyTorch steps/s | C++ / PyTorch | noise overhead |")
print("| --- | ---: | ---: | ---: | ---: |")
names = [v["variant"] for v in engine[0]["variants"]]
for name in names:
    rate = statistics.median(next(v for v in run["variants"] if v["variant"] == name)
                             ["steps_per_second"] for run in engine)
    if name == "plain":
        print(f"| plain | {rate:.2f} | {torch_rate:.2f} | {rate / torch_rate:.2f} | |")
    else:
        print(f"| {name} | {rate:.2f} | | | {cpp / rate - 1:+.1%} |")
