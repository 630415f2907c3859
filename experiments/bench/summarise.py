"""results/runN/*.json (experiments/bench/run.sh) -> RESULTS.md on stdout: each figure of each
run as a median with its 95% interval, and whether consecutive runs agree (their intervals
overlap)."""
import json
import os
import sys

root = sys.argv[1]
runs = sorted(d for d in os.listdir(root) if d.startswith("run"))
GOALS = {"pq proxy p=0.1": 0.05, "int8 quant-noise p=0.5": 0.10,
         "plain, metrics recorded to a store": 0.02}
PRESETS = [("fmnist-convnet", "ConvNet preset (Fashion-MNIST, batch 128, Adam)"),
           ("brown-transformer-lm", "Transformer LM preset (Brown corpus, batch 32 x 64 tokens, "
                                    "Adam)")]


def load(run, name):
    path = os.path.join(root, run, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


def pct(ratio):
    return f"{100 * (ratio - 1):+.1f}%"


def interval(spread):
    return f"{pct(spread['median'])} [{pct(spread['median_low'])}, {pct(spread['median_high'])}]"


def overlap(a, b):
    return a["median_low"] <= b["median_high"] and b["median_low"] <= a["median_high"]


def agreement(spreads):
    if len(spreads) < 2:
        return ""
    return "yes" if all(overlap(a, b) for a, b in zip(spreads, spreads[1:])) else "**no**"


def comparison(result, variant, reference):
    return next(c for c in result["comparisons"]
                if c["variant"] == variant and c["reference"] == reference)


def rate(result, variant):
    row = next(v for v in result["variants"] if v["variant"] == variant)
    return row["steps_per_second"]["median"]


def seconds(result, variant):
    row = next(v for v in result["variants"] if v["variant"] == variant)
    return row["seconds_per_step"]["median"]


def speed_row(label, results, engine, other, figure):
    """A table row: per run, the engine's and the other's figure, the engine's speed as a
    multiple of the other's with its interval, then whether the runs agree."""
    cells, spreads = [], []
    for result in results:
        ratio = comparison(result, engine, other)["time_ratio"]
        spreads.append(ratio)
        cells.append(f"{figure(result, engine)} / {figure(result, other)}; "
                     f"{1 / ratio['median']:.2f}x [{1 / ratio['median_high']:.2f}, "
                     f"{1 / ratio['median_low']:.2f}]")
    print(f"| {label} | " + " | ".join(cells) + f" | {agreement(spreads)} |")


def training_tables(preset, title):
    results = [load(run, "train_" + preset) for run in runs]
    if not all(results):
        return
    first = results[0]
    schedule = first["schedule"]
    print(f"\n## {title}\n")
    print(f"{first['parameters']:,} parameters; {schedule['blocks']} rounds of "
          f"{schedule['steps_per_block']} steps a variant after {schedule['warmup_steps']} "
          f"warm-up steps, each round in a fresh shuffled order; the PyTorch twin in the same "
          f"schedule. Time ratios are per round (paired); [a, b] is the "
          f"{100 * first['comparisons'][0]['time_ratio']['coverage']:.1f}% interval of the "
          f"median.\n")
    print("**Engine against PyTorch** (speed = PyTorch's time a step over the engine's):\n")
    header = " | ".join(f"run {i + 1}: engine / PyTorch steps/s, speed [interval]"
                        for i in range(len(runs)))
    print(f"| variant | {header} | runs agree |")
    print("| --- |" + " ---: |" * len(runs) + " --- |")
    for variant in ["plain", "int8 quant-noise p=0.5", "pq proxy p=0.1"]:
        speed_row(variant, results, variant, "pytorch " + variant,
                  lambda r, name: f"{rate(r, name):.2f}")
    print("\n**What each noise form and the store add to a plain step** (engine):\n")
    header = " | ".join(f"run {i + 1}: overhead [interval], verdict" for i in range(len(runs)))
    print(f"| variant | goal | {header} | runs agree |")
    print("| --- | ---: |" + " ---: |" * len(runs) + " --- |")
    for row in first["comparisons"]:
        if row["reference"] != "plain" or row["variant"].startswith("pytorch"):
            continue
        variant = row["variant"]
        spreads = [comparison(r, variant, "plain")["time_ratio"] for r in results]
        cells = [f"{interval(s)}, {comparison(r, variant, 'plain')['verdict']}"
                 for s, r in zip(spreads, results)]
        goal = f"< {100 * GOALS[variant]:.0f}%" if variant in GOALS else ""
        print(f"| {variant} | {goal} | " + " | ".join(cells) + f" | {agreement(spreads)} |")
    print("\nThe same forms in PyTorch, against PyTorch's plain step:\n")
    print("| variant | " + " | ".join(f"run {i + 1}" for i in range(len(runs))) + " |")
    print("| --- |" + " ---: |" * len(runs))
    for variant in ["int8 quant-noise p=0.5", "pq proxy p=0.1"]:
        cells = []
        for result in results:
            cells.append(pct(seconds(result, "pytorch " + variant) /
                             seconds(result, "pytorch plain")) + " (ratio of medians)")
        print(f"| pytorch {variant} | " + " | ".join(cells) + " |")


def noise_table():
    results = [load(run, "noise") for run in runs]
    if not all(results):
        return
    first = results[0]
    print(f"\n## One noisy layer (`qnoise bench noise`)\n")
    print(f"Linear({first['in_features']} -> {first['out_features']}), batch {first['batch']}, "
          f"SGD, p = {first['p']}, blocks of {first['block']}; "
          f"{first['schedule']['blocks']} rounds of {first['schedule']['steps_per_block']} "
          f"steps.\n")
    print("| variant | " + " | ".join(f"run {i + 1}: ms a step; overhead [interval]"
                                       for i in range(len(runs))) + " | runs agree |")
    print("| --- |" + " ---: |" * len(runs) + " --- |")
    for row in first["variants"]:
        variant = row["variant"]
        cells, spreads = [], []
        for result in results:
            ms = 1e3 * seconds(result, variant)
            if variant == "plain":
                cells.append(f"{ms:.1f}")
                continue
            ratio = comparison(result, variant, "plain")["time_ratio"]
            spreads.append(ratio)
            cells.append(f"{ms:.1f}; {interval(ratio)}")
        print(f"| {variant} | " + " | ".join(cells) + f" | {agreement(spreads)} |")


def kmeans_table():
    results = [load(run, "kmeans") for run in runs]
    if not all(results):
        return
    first = results[0]
    print(f"\n## k-means (`qnoise bench kmeans`)\n")
    print(f"{first['rows']}x{first['cols']} standard normal weight, blocks of {first['block']} "
          f"({first['rows'] * first['cols'] // first['block']:,} points), K = "
          f"{first['centroids']}, all points; a step is one iteration (a block of "
          f"{first['schedule']['steps_per_block']} is one k-means, its start included); "
          f"{first['schedule']['blocks']} rounds. PyTorch: the full distance matrix "
          f"(`torch.cdist`), as a user writes it; FAISS: `faiss.Kmeans`, "
          f"max_points_per_centroid set to use every point.\n")
    print("| against | " + " | ".join(f"run {i + 1}: s an iteration, engine / other; speed "
                                       f"[interval]" for i in range(len(runs))) + " | runs agree |")
    print("| --- |" + " ---: |" * len(runs) + " --- |")
    for other in ["pytorch k-means", "faiss k-means"]:
        speed_row(other, results, "k-means", other, lambda r, name: f"{seconds(r, name):.3f}")

def mib(value):
    return f"{value / 2 ** 20:.1f}"


def memory_tables():
    print("\n## Peak resident memory\n")
    print("Each in a fresh process: the peak (VmHWM, reset through /proc/self/clear_refs) above "
          "the process just before the work. Training: the data loaded first, then the model "
          "built and trained 20 steps (model, gradients, optimizer state, activations). "
          "k-means: after a tiny k-means that makes the libraries allocate their own buffers, "
          "the start read, then the weight made and clustered (20 iterations); the goal is "
          "twice the weight plus one distance chunk.\n")
    print("| work | " + " | ".join(f"run {i + 1}: engine MiB / PyTorch MiB" for i in range(len(runs)))
          + " |")
    print("| --- |" + " ---: |" * len(runs))
    for preset, title in PRESETS:
        cells = []
        for run in runs:
            engine, twin = load(run, "memory_" + preset), load(run, "memory_pytorch_" + preset)
            cells.append(f"{mib(engine['peak_above_data_bytes'])} / "
                         f"{mib(twin['peak_above_data_bytes'])}")
        print(f"| training, {title.split(' (')[0]} | " + " | ".join(cells) + " |")
    cells = []
    for run in runs:
        engine = load(run, "kmeans")["memory"]
        cells.append(f"{mib(engine['peak_above_start_bytes'])} (goal {mib(engine['goal_bytes'])}) / "
                     f"{mib(load(run, 'memory_kmeans_pytorch')['peak_above_start_bytes'])}; "
                     f"FAISS {mib(load(run, 'memory_kmeans_faiss')['peak_above_start_bytes'])}")
    print("| k-means, weight 16 MiB | " + " | ".join(cells) + " |")


def main():
    first = load(runs[0], "train_fmnist-convnet") or load(runs[0], "noise")
    machine, twin = first["machine"], first.get("twin", {}).get("versions", {})
    print("# Benchmarks\n")
    print("Made by `bash experiments/bench/run.sh` (the harness: core/bench/interleaved_bench.h;"
          " the twins: twin.py). Machine: "
          f"{machine['host']}, {machine['cpu']}, {machine['cores']} cores; "
          f"{machine['libtorch']} with {machine['threads']} threads, BLAS {machine['blas']}; "
          f"twins: PyTorch {twin.get('torch')} ({twin.get('threads')} threads), FAISS "
          f"{twin.get('faiss')}, Python {twin.get('python')}. {len(runs)} runs in a row.")
    for preset, title in PRESETS:
        training_tables(preset, title)
    noise_table()
    kmeans_table()
    memory_tables()


main()
