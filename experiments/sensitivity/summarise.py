#!/usr/bin/python3
"""RESULTS.md's tables from the JSON lines run.sh writes. A label given again in a later
file replaces the earlier (results/solve.jsonl, SOLVE_ONLY=1's, after results/commands.jsonl).

  /usr/bin/python3 experiments/sensitivity/summarise.py experiments/sensitivity/results/commands.jsonl \
      [experiments/sensitivity/results/solve.jsonl]
"""
import json
import sys


def percent(value):
    return "" if value is None else f"{100 * value:.2f}"


def main(paths):
    rows = [json.loads(line) for path in paths for line in open(path)]
    by_label = {row["label"]: row for row in rows}
    print("## Tables\n")
    print("| table | measurements | seconds (training excluded) | wall seconds | baseline | as trained |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        if row["label"].startswith("table"):
            answer = row["answer"]
            print(f"| {row['label']} | {len(answer['rows'])} | {answer['seconds']:.1f} | "
                  f"{row['wall_seconds']} | {percent(answer['baseline_metric'])} | "
                  f"{percent(answer['float_metric'])} |")
    print("\n## Mixed against uniform (accuracy %, whole test set unless said)\n")
    print("| noise | config | bytes | x | predicted (1000 images) | measured | before fine-tuning |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for noise in ("none", "quant-noise"):
        for label, row in by_label.items():
            if not label.endswith(", " + noise) or label.startswith("table"):
                continue
            answer = row["answer"]
            if label.startswith("uniform"):
                print(f"| {noise} | {label.split(',')[0]} | {answer['size_bytes']:,} | "
                      f"{answer['compression']:.1f} | | {percent(answer['metric'])} | "
                      f"{percent(answer.get('metric_before_finetune'))} |")
        for label, row in by_label.items():
            if not label.endswith(f", {noise}: run"):
                continue
            plan = by_label[label.replace(": run", ": plan")]["answer"]
            answer = row["answer"]
            name = label.split(",")[0].replace("solve ", "mixed, ")
            print(f"| {noise} | {name} | {answer['size_bytes']:,} | {answer['compression']:.1f} | "
                  f"{percent(plan['predicted_metric'])} | {percent(answer['metric'])} | "
                  f"{percent(answer.get('metric_before_finetune'))} |")


if __name__ == "__main__":
    main(sys.argv[1:])
