"""The curves of experiments/data_parallel/run.sh side by side: RESULTS.md on stdout."""
import json
import os
import platform
import sqlite3
import statistics
import sys

work = sys.argv[1]


def curve(path, name):
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT step, value FROM metrics WHERE name = ? ORDER BY step", (name,))
        return dict(rows.fetchall())


print("# One run in one process and in two\n")
print(f"`bash experiments/data_parallel/run.sh` on {platform.node()} ({os.cpu_count()} cores), "
      "the same global batch in one process and in two. Loss differences are relative to "
      "the one-process loss at the same step; load is the 1-minute load average as the run "
      "started (anything above 0 means other work shared the cores).\n")
print("| model | processes | steps | steps/s (median) | final loss | max rel. loss diff | "
      "mean rel. diff, last 50 steps | metric | device | load |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for model in ["convnet", "lm"]:
    base = curve(os.path.join(work, f"{model}_1.sqlite"), "loss")
    for processes in [1, 2]:
        path = os.path.join(work, f"{model}_{processes}")
        result = json.load(open(path + ".json"))
        loss = curve(path + ".sqlite", "loss")
        speed = curve(path + ".sqlite", "examples_per_second")
        batch = result["config"]["train"]["batch_size"]
        steps_per_second = statistics.median(speed.values()) / batch
        if model == "lm":
            steps_per_second /= result["config"]["model"]["context"]  # tokens, not rows
        diffs = [abs(loss[s] - base[s]) / abs(base[s]) for s in sorted(base)]
        tail = diffs[-50:]
        load = open(path + ".load").read().strip()
        print(f"| {model} | {processes} | {len(loss)} | {steps_per_second:.2f} | "
              f"{loss[max(loss)]:.4f} | {max(diffs):.2e} | {statistics.mean(tail):.2e} | "
              f"{result['metric_name']} {result['metric']:.4f} | {result['device']} | {load} |")
