"""The paper's table in miniature: runs the sweeps of this folder headless into stores, one a
sweep, then writes RESULTS.md (rows laid out like the paper's table: size, compression,
metric as mean and spread over seeds, every seed's value, the metric before fine-tuning) and
the Pareto plot of each store, drawn by the application's own plotting code
(qnstudio --plot).

Resumable: each sweep continues in its store (done runs are kept, interrupted ones are run
again), so a killed run picks up where it stopped. --quick shrinks every budget (a few
dozen steps, one seed, two rates) so that CI checks the table is produced, not what it says.
"""
import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The cheap tables first: the language model alone takes longer than both ConvNet sweeps.
SPECS = ["convnet", "noise_rate", "lm"]


def quick(spec):
    """The same sweep at a budget CI can afford: a few steps, one seed, two rates, the
    first two rows and the last of each table (fp32, int8, iPQ + int8 with Quant-Noise:
    every column of the table is exercised), a narrow language model, a sample of the
    evaluation split."""
    base = spec["base"]
    lm = base["task"] == "brown-lm"
    base["train"].pop("epochs", None)
    base["train"].update({"max_steps": 12 if lm else 20, "eval_every": 0})
    base.setdefault("data", {})["train_limit"] = 200 if lm else 1000
    base["data"]["eval_limit"] = 200 if lm else 1000  # most of a tiny run's time otherwise
    base.setdefault("quant", {})["finetune_steps"] = 2
    if lm:
        base["data"]["vocabulary_cap"] = 2000
        base["model"].update({"dim": 32, "heads": 2, "ffn": 64})
    spec["seeds"] = [0]
    if len(spec.get("variants", [])) > 3:
        spec["variants"] = spec["variants"][:2] + spec["variants"][-1:]
    if "grid" in spec:
        spec["grid"] = {key: values[:2] for key, values in spec["grid"].items()}
    return spec


def run_sweep(qnoise, spec_path, store, log):
    with open(log, "a") as err:
        done = subprocess.run([qnoise, "sweep", "--spec", spec_path, "--db", store, "--resume",
                               "--json"], stdout=subprocess.PIPE, stderr=err, text=True)
    if done.returncode not in (0, 1):  # 1: some runs failed; they show in the table
        raise SystemExit(f"qnoise sweep {spec_path} exited {done.returncode}; see {log}")
    return json.loads(done.stdout)


def quantizer_label(quant):
    method = quant["method"]
    if method == "none":
        return "fp32"
    if method == "int":
        return f"int{quant['bits']} ({quant['observer']})"
    label = "iPQ" if method == "ipq" else "PQ"
    return label + (" + int8" if quant.get("centroid_bits") == 8 else "")


def noise_label(noise):
    if noise["mode"] == "none":
        return "none"
    if noise["mode"] == "ste":
        return "STE"
    return f"Quant-Noise p={noise['p']:g}"


def read_rows(store):
    db = sqlite3.connect(store)
    rows = {}
    query = ("SELECT runs.id, runs.config, runs.status, results.metric_name, results.metric, "
             "results.size_bytes, results.compression, results.seconds FROM runs "
             "LEFT JOIN results ON results.run_id = runs.id ORDER BY runs.id")
    for run_id, config, status, metric_name, metric, size, compression, seconds in db.execute(query):
        config = json.loads(config)
        key = (quantizer_label(config["quant"]), noise_label(config["noise"]))
        row = rows.setdefault(key, {"seeds": [], "metric_name": metric_name, "size": size,
                                    "compression": compression, "seconds": 0.0,
                                    "before": [], "not_done": 0})
        if status != "done":
            row["not_done"] += 1
            continue
        row["metric_name"], row["size"], row["compression"] = metric_name, size, compression
        row["seeds"].append((config["train"]["seed"], metric))
        row["seconds"] += seconds
        before = db.execute("SELECT value FROM metrics WHERE run_id = ? AND name = ?",
                            (run_id, f"{metric_name}_before_finetune")).fetchone()
        if before:
            row["before"].append(before[0])
    return rows


def spread(values, scale):
    if not values:
        return "-"
    mean = statistics.mean(values) * scale
    if len(values) == 1:
        return f"{mean:.2f}"
    return f"{mean:.2f} ± {statistics.stdev(values) * scale:.2f}"


def table(rows):
    first = next(iter(rows.values()))
    accuracy = first["metric_name"] == "accuracy"
    scale = 100 if accuracy else 1
    name = "accuracy (%)" if accuracy else "perplexity"
    lines = [f"| quantizer | training noise | size (bytes) | compression | {name}, mean ± sd | "
             f"each seed | before fine-tuning | seconds |",
             "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for (quantizer, noise), row in rows.items():
        seeds = ", ".join(f"{seed}: {value * scale:.2f}" for seed, value in sorted(row["seeds"]))
        if row["not_done"]:
            seeds += f" ({row['not_done']} not done)"
        lines.append(f"| {quantizer} | {noise} | {row['size'] or 0:,} | x{row['compression'] or 0:.1f} | "
                     f"{spread([v for _, v in row['seeds']], scale)} | {seeds} | "
                     f"{spread(row['before'], scale)} | {row['seconds']:.0f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qnoise", required=True)
    parser.add_argument("--qnstudio", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "specs"), exist_ok=True)
    if args.quick:  # a check starts from nothing: no run of an earlier build is kept
        for name in os.listdir(args.out):
            if ".sqlite" in name:
                os.remove(os.path.join(args.out, name))
    started = time.time()
    sections = []
    for name in SPECS:
        spec = json.load(open(os.path.join(HERE, f"{name}.json")))
        if args.quick:
            spec = quick(spec)
        spec_path = os.path.join(args.out, "specs", f"{name}.json")
        json.dump(spec, open(spec_path, "w"), indent=1)
        store = os.path.join(args.out, f"{name}.sqlite")
        summary = run_sweep(args.qnoise, spec_path, store, os.path.join(args.out, "sweeps.log"))
        if args.quick and (summary["failed"] or summary["done"] + summary["skipped_done"] != summary["configs"]):
            raise SystemExit(f"{name}: {summary}")
        plot = os.path.join(args.out, f"{name}_pareto.png")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        subprocess.run([args.qnstudio, "--db", store, "--view", "pareto", "--plot", plot],
                       check=True, env=env, stderr=subprocess.DEVNULL)
        if not os.path.getsize(plot):
            raise SystemExit(f"{plot} is empty")
        sections.append(f"## {spec['name']}\n\n{summary['done']} runs done, {summary['failed']} "
                        f"failed; store `{name}.sqlite`, spec `specs/{name}.json`.\n\n"
                        f"{table(read_rows(store))}\n\n![{name}]({name}_pareto.png)\n")
        # Written after every sweep, so a run stopped part-way still shows what it finished.
        write_results(args, sections, SPECS[len(sections):], time.time() - started)


def write_results(args, sections, not_run, seconds):
    header = (f"# The paper's table in miniature{' (quick: CI budget, not results)' if args.quick else ''}\n\n"
              f"Made by `bash experiments/paper_table/run.sh` on {platform.node()} "
              f"({os.cpu_count()} cores, {platform.machine()}), this invocation "
              f"{seconds:.0f} s (a resumed run counts only what it ran; each table's own "
              "seconds column is the sum of its runs). Spread: the standard deviation over "
              "seeds. Before fine-tuning: iPQ's metric with every stage quantized and no "
              "fine-tuning.\n")
    pending = "".join(f"\n## {name}: not run yet\n" for name in not_run)
    open(os.path.join(args.out, "RESULTS.md"), "w").write(header + "\n" + "\n".join(sections) + pending)


if __name__ == "__main__":
    main()
