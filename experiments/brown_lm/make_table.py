"""Runs the Brown-corpus language-model table: fp32 and iPQ variants, one qnoise train each."""
import argparse
import json
import os
import platform
import subprocess

IPQ = ["quant.method=ipq", "quant.centroids=256"]
PLAN = [
    ("fp32", "none", ["quant.method=none"]),
    ("iPQ", "none", IPQ),
    ("iPQ", "quant-noise p=0.1", IPQ + ["noise.mode=quant-noise", "noise.p=0.1"]),
    ("iPQ + distillation 0.5", "quant-noise p=0.1",
     IPQ + ["noise.mode=quant-noise", "noise.p=0.1", "quant.distillation=0.5"]),
]


def train(args, settings):
    command = [args.qnoise, "train", "--config", args.preset, "--device", "cpu", "--json",
               "--set", f"train.epochs={args.epochs}",
               "--set", f"quant.finetune_steps={args.finetune}"]
    for setting in settings:
        command += ["--set", setting]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qnoise", required=True)
    parser.add_argument("--preset", required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--finetune", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    rows = []
    for quantizer, noise, settings in PLAN:
        result = train(args, settings)
        rows.append({"quantizer": quantizer, "noise": noise, "settings": settings,
                     **{key: result[key] for key in ("metric", "float_metric", "size_bytes",
                                                     "fp32_size_bytes", "compression", "seconds",
                                                     "steps", "device")}})
        print(json.dumps(rows[-1]), flush=True)

    os.makedirs(os.path.join(args.out, "results"), exist_ok=True)

    with open(os.path.join(args.out, "results", "table.json"), "w") as handle:
        json.dump({"epochs": args.epochs, "finetune_steps": args.finetune,
                   "machine": platform.node(), "cores": os.cpu_count(), "rows": rows},
                  handle, indent=2)
    lines = [
        "# Brown corpus, Transformer LM preset",
        "",
        f"{args.epochs} epoch(s) of training, then for iPQ {args.finetune} fine-tuning steps a "
        f"stage (feed-forward, embeddings, attention), on {os.cpu_count()} CPU cores. "
        "Validation perplexity of the compressed model and of the float model before "
        "compression; exact size in bytes (PQ codes, fp16 codebooks, every other tensor fp32).",
        "",
        "| quantizer | training noise | perplexity | before compression | size (bytes) "
        "| compression | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(f"| {row['quantizer']} | {row['noise']} | {row['metric']:.1f} "
                     f"| {row['float_metric']:.1f} | {row['size_bytes']:,} "
                     f"| x{row['compression']:.1f} | {row['seconds']:.0f} |")
    with open(os.path.join(args.out, "RESULTS.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
