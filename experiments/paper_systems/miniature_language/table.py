"""RESULTS.md of the language miniature from results/ (run.sh writes them)."""
import json
import math
import sys
from pathlib import Path

results = Path(sys.argv[1])
rows = [json.loads(line) for line in (results / "rows.jsonl").open()]
pretrained = [json.loads(line) for line in (results / "pretrained.jsonl").open()]
names = {"pretrained": "as pretrained (compress-only, fp32)", "fp32": "fine-tuned, fp32",
         "ipq-none": "fine-tuned, iPQ, no noise", "ipq-ste": "fine-tuned, iPQ, STE",
         "ipq-quant-noise": "fine-tuned, iPQ, Quant-Noise p = 0.1"}
arch_names = {"roberta": "RoBERTa-shaped (roberta.py)", "encoder": "nn.TransformerEncoder"}
print("# Language miniature: results\n")
print("Written by `bash experiments/paper_systems/miniature_language/run.sh` (see its header).\n")
for p in pretrained:
    print(f"- {arch_names[p['arch']]}: {p['parameters']:,} parameters, pretrained {p['steps']} steps "
          f"in {p['seconds']} s (masked-token loss {p['masked_token_loss']})")


def run_and_seed(name):
    """A row's run and its train.seed: run.sh --row names a further seed's row NAME-seedN."""
    base, _, seed = name.rpartition("-seed")
    return (base, int(seed)) if base and seed.isdigit() else (name, 0)


print("\n| model | run | seed | steps | dev accuracy (stored) | PyTorch on the export | before compression "
      "| iPQ before fine-tuning | bytes (.qnz) | export file | compression | seconds |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    before = "" if r["before_finetune"] is None else f"{r['before_finetune']:.4f}"
    steps = r.get("steps", "")
    run, seed = run_and_seed(r["name"])
    print(f"| {arch_names[r['arch']]} | {names.get(run, run)} | {seed} | {steps} | {r['metric']:.4f} "
          f"| {r['pytorch_on_export']:.4f} "
          f"| {r['float_metric']:.4f} | {before} | {r['size_bytes']:,} | {r['export_bytes']:,} "
          f"| {r['compression']:.1f}x | {r['seconds']:.0f} |")
print("\n`seconds` is one run's wall time on this machine with whatever else ran beside it "
      "(rows appended later with `run.sh --row` shared the cores with builds): not a benchmark.")
by_run = {}
for r in rows:
    run, seed = run_and_seed(r["name"])
    by_run.setdefault((r["arch"], run), {})[seed] = r["metric"]
seeds = sorted({seed for runs in by_run.values() for seed in runs})
if len(seeds) > 1:
    print("\nDev accuracy by `train.seed` (the fine-tuning's data order, head and noise; the same "
          "pretrained file):\n")
    print("| model | run | " + " | ".join(f"seed {s}" for s in seeds) + " | mean |")
    print("| --- | --- | " + " | ".join("---" for _ in seeds) + " | --- |")
    for (arch, run), metrics in by_run.items():
        cells = [f"{metrics[s]:.4f}" if s in metrics else "" for s in seeds]
        mean = sum(metrics.values()) / len(metrics)
        print(f"| {arch_names[arch]} | {names.get(run, run)} | " + " | ".join(cells) +
              f" | {mean:.4f} ({len(metrics)} seed{'s' if len(metrics) > 1 else ''}) |")
print("\nWhat is compressed (`qnoise inspect --config config.json --json`, results/inspect-*.json):\n")
for arch in arch_names:
    path = results / f"inspect-{arch}.json"
    if not path.exists():
        continue
    inspect = json.loads(path.read_text())
    layers = inspect["layers"]
    parameters = inspect["fp32_bytes"] // 4
    compressed = [l for l in layers if l["compressed"]]
    values = sum(math.prod(l["shape"]) for l in compressed)
    attention = [l for l in layers if "attention" in l["name"] or "self_attn" in l["name"]]
    attention_values = sum(math.prod(l["shape"]) for l in attention)
    attention_compressed = sum(math.prod(l["shape"]) for l in attention if l["compressed"])
    print(f"- {arch_names[arch]}: {len(compressed)} of {len(layers)} linear maps and embeddings, "
          f"{values:,} of {parameters:,} parameters ({100 * values / parameters:.2f}%; the rest are "
          f"biases and LayerNorms); attention {attention_compressed:,} of {attention_values:,} weights "
          f"({100 * attention_compressed / attention_values:.0f}%: "
          f"{', '.join(sorted({l['name'].split('.')[-1] for l in attention}))}).")
