#!/usr/bin/env bash
# The paper's vision system in miniature, on this machine: torchvision's EfficientNet-B0
# pretrained in PyTorch (with torchvision's transforms) on an ImageNet-layout folder of
# tinted Fashion-MNIST JPEGs, then fine-tuned and compressed by QNStudio with iPQ three ways
# (no noise, STE, Quant-Noise), exported, and scored again in PyTorch.
#   bash experiments/paper_systems/miniature_vision/run.sh     (writes RESULTS.md here)
# Steps:
#   (a) the folder (experiments/image_loader/make_folder.py: 6,000 train, 1,000 flat val
#       labelled by LOC_val_solution.csv / val_labels.csv, a third of the loader benchmark's
#       texture so that a network trained from scratch on 2 cores learns it), skipped when it exists;
#   (b) pytorch_side.py pretrain -> WORK/efficientnet_b0.pt and its PyTorch val accuracy;
#   (c) QNStudio scores that file as it is (compress-only, quant none): the same accuracy;
#   (d) for noise none / ste / quant-noise: `qnoise train` (60 steps of fine-tuning with the
#       noise, then iPQ: 8 stages of 25 steps), `qnoise export --format torchscript`, and
#       pytorch_side.py evaluate on the export.
# About 15 minutes on 2 cores (measured: 13; plus 11 the first time, to make the folder and
# pretrain). Env: QNOISE (build/bin/qnoise), WORK (here/work, ignored),
# DATA (WORK/folder). `run.sh --table` rewrites RESULTS.md from results/ without running.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
qnoise=${QNOISE:-$root/build/bin/qnoise}
work=${WORK:-$here/work}
data=${DATA:-$work/folder}
store=$work/runs.sqlite
model=$work/efficientnet_b0.pt
python=/usr/bin/python3
mkdir -p "$work" "$here/results"
log() { printf '[miniature_vision] %s\n' "$*" >&2; }

if [ "${1:-}" != --table ]; then
  [ -d "$data" ] || $python "$root/experiments/image_loader/make_folder.py" "$data" --train 6000 --val 1000 --texture 0.3 >&2
  if [ ! -f "$model" ]; then
    log "pretraining $model in PyTorch"
    $python "$here/pytorch_side.py" pretrain "$data" "$model" | tail -1 >"$here/results/pretrained.json"
  fi
  $python "$here/pytorch_side.py" evaluate "$data" "$model" --json >"$here/results/pytorch_fp32.json"
fi

train() {  # train NAME SETTINGS...: one QNStudio run, exported and scored in PyTorch
  local name=$1; shift
  local result run export
  result=$("$qnoise" train --config "$here/config.json" --set data.dir="$data" --set model.path="$model" \
             "$@" --db "$store" --json)
  run=$(jq -r .run_id <<<"$result")
  "$qnoise" export --db "$store" --run "$run" --format torchscript -o "$work/$name.pt" >&2
  export=$($python "$here/pytorch_side.py" evaluate "$data" "$work/$name.pt" --json)
  jq -c --arg name "$name" --argjson exported "$export" \
     '{name: $name, run: .run_id, metric: .metric, float_metric: .float_metric,
       before_finetune: .metric_before_finetune, size_bytes: .size_bytes,
       compression: .compression, seconds: .seconds, pytorch_on_export: $exported.accuracy}' <<<"$result"
}

if [ "${1:-}" != --table ]; then
  : >"$here/results/rows.jsonl"
  log "QNStudio scores the pretrained file as it is"
  train fp32 --set quant.method=none --set train.max_steps=0 >>"$here/results/rows.jsonl"
  train ipq-none --set noise.mode=none >>"$here/results/rows.jsonl"
  train ipq-ste --set noise.mode=ste --set noise.form=exact >>"$here/results/rows.jsonl"
  train ipq-quant-noise --set noise.mode=quant-noise --set noise.p=0.1 >>"$here/results/rows.jsonl"
fi

{
  echo "# The vision system in miniature: EfficientNet-B0, iPQ, none / STE / Quant-Noise"
  echo
  echo "Made by \`bash experiments/paper_systems/miniature_vision/run.sh\` on $(nproc) cores"
  echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u +%F)."
  echo "Pretrained in PyTorch: $(jq -r '"val accuracy \(.accuracy) (\(.correct)/\(.examples))"' "$here/results/pytorch_fp32.json")."
  echo
  echo "| row | float, before iPQ | iPQ, before fine-tuning | QNStudio accuracy (after fine-tuning) | PyTorch on the export | bytes | compression | seconds |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  jq -r '"| \(.name) | \(.float_metric // "-") | \(.before_finetune // "-") | \(.metric) | \(.pytorch_on_export) | \(.size_bytes) | \(.compression | . * 10 | round / 10)x | \(.seconds | round) |"' \
     "$here/results/rows.jsonl"
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"
