#!/usr/bin/env bash
# A compressed model PyTorch loads as it is, and inference from its codes (RESULTS.md here):
#   1. sizes: three models compressed with iPQ here (the ConvNet preset, the language-model
#      preset, experiments/your_model's ResNet, each a short run: the sizes do not depend on
#      how long it trains), each exported as .qnz, as compact TorchScript (the codes) and as
#      fp32 TorchScript; the compact file's make-up (tensor storages, code and zip records:
#      tests/python/run_exported_model.py) and PyTorch's logits against `qnoise eval`'s model;
#   2. lookup-table speed of one Linear, K = 256, b = 8, 768 -> 3072 and 1024 -> 4096, batches
#      1 to 256, one thread, against torch::linear (`qnoise bench infer`), twice;
#   3. the language model's whole forward at batch 1 (64 tokens, its context, and 1 token),
#      fp32 weights against lookup tables, one thread, twice;
#   4. the language model's resident memory served from its codes and from decoded weights,
#      each in a fresh process (`qnoise bench infer --memory`).
#   bash experiments/compact_export/run.sh      (from anywhere; after a build)
# Takes about 15 minutes on 2 cores (the three trainings 8, the timings 7). Run it on a quiet
# machine. Env: QNOISE (build/bin/qnoise), OUT (results/ here), RESULTS (RESULTS.md here).
# Writes OUT/sizes.jsonl, OUT/layer.jsonl, OUT/model.jsonl, OUT/memory.jsonl, OUT/meta.json,
# then RESULTS.md by summarise.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
absolute() { realpath -m -- "$1"; }
qnoise="$(absolute "${QNOISE:-$root/build/bin/qnoise}")"
out="$(absolute "${OUT:-$here/results}")"
results_md="$(absolute "${RESULTS:-$here/RESULTS.md}")"
work="$here/work"
python=/usr/bin/python3
cd "$root"
mkdir -p "$out" "$work"
say() { echo "run.sh: $*" >&2; }
tag_run() {  # adds "run": N to each JSON line of stdin
  $python -c 'import json, sys
for line in sys.stdin:
    record = json.loads(line); record["run"] = int(sys.argv[1]); print(json.dumps(record))' "$1"
}

# --- 1. three models, three exports each ------------------------------------------------------
train() {  # name, config, overrides...
  local name="$1" config="$2"
  shift 2
  if [ ! -f "$work/$name.qnz" ]; then
    say "training $name (iPQ)"
    "$qnoise" train --config "$config" --set quant.method=ipq "$@" --export "$work/$name.qnz" >&2
  fi
}
train convnet resources/presets/fmnist-convnet.json --set train.max_steps=300 --set quant.finetune_steps=50
train language_model resources/presets/brown-transformer-lm.json --set train.max_steps=200 \
  --set quant.finetune_steps=20
train your_model experiments/your_model/config.json

: > "$out/sizes.jsonl"
for name in convnet language_model your_model; do
  "$qnoise" export --from "$work/$name.qnz" --format torchscript -o "$work/$name.pt" >&2
  "$qnoise" export --from "$work/$name.qnz" --format torchscript-float -o "$work/$name.float.pt" >&2
  case "$name" in
    language_model) input=(tokens 1 64 10000) ;;
    *) input=(images 2 1 28 28) ;;
  esac
  $python tests/python/run_exported_model.py "$work/$name.pt" "${input[@]}" > "$work/$name.json"
  $python tests/python/run_exported_model.py "$work/$name.float.pt" "${input[@]}" \
    > "$work/$name.float.json"
  $python - "$name" "$work/$name.qnz" "$work/$name.json" "$work/$name.float.json" \
    >> "$out/sizes.jsonl" <<'PY'
import json, os, sys
import torch
name, qnz = sys.argv[1], sys.argv[2]
compact, decoded = (json.load(open(path)) for path in sys.argv[3:5])
difference = (torch.tensor(compact["logits"]) - torch.tensor(decoded["logits"])).abs().max().item()
print(json.dumps({"model": name, "qnz_bytes": os.path.getsize(qnz), "compact": compact["archive"],
                  "float": decoded["archive"], "compact_vs_float_logits": difference}))
PY
done

# --- 2. one Linear -----------------------------------------------------------------------------
: > "$out/layer.jsonl"
for run in 1 2; do
  for shape in "768 3072" "1024 4096"; do
    read -r in_features out_features <<< "$shape"
    say "Linear $in_features -> $out_features, run $run"
    "$qnoise" bench infer --in "$in_features" --out "$out_features" --batch 1,2,4,8,16,32,64,128,256 \
      --threads 1 --blocks 10 --json | tag_run "$run" >> "$out/layer.jsonl"
  done
done

# --- 3. the language model's forward ----------------------------------------------------------
: > "$out/model.jsonl"
for run in 1 2; do
  for length in 64 1; do
    say "language model, batch 1 of $length tokens, run $run"
    "$qnoise" bench infer --from "$work/language_model.qnz" --batch 1 --length "$length" \
      --threads 1 --blocks 10 --json | tag_run "$run" >> "$out/model.jsonl"
  done
done

# --- 4. resident memory -----------------------------------------------------------------------
: > "$out/memory.jsonl"
for engine in decoded lut; do
  "$qnoise" bench infer --from "$work/language_model.qnz" --memory "$engine" --batch 1 --json \
    >> "$out/memory.jsonl"
done

$python - "$out/meta.json" <<'PY'
import json, platform, subprocess, sys, datetime
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu,
           "cores": len([l for l in open("/proc/cpuinfo") if l.startswith("processor")]),
           "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                    text=True).stdout.strip()}, open(sys.argv[1], "w"), indent=1)
PY
$python "$here/summarise.py" "$out" > "$results_md"
say "wrote $results_md"
