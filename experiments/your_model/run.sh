#!/usr/bin/env bash
# Your own PyTorch model in QNStudio: a small ResNet pretrained in PyTorch and saved as
# TorchScript, fine-tuned and compressed by QNStudio (model.arch "torchscript") with int8,
# int4, iPQ and iPQ + int8, each without noise (post-training), with STE (QAT) and with
# Quant-Noise, exported back as TorchScript and evaluated again in PyTorch.
#   bash experiments/your_model/run.sh          (writes RESULTS.md here; see README.md)
# Steps:
#   (a) pretrain_resnet.py -> resnet_fmnist.pt (+ .json), skipped when the .pt exists;
#       the pretrained model itself is evaluated by evaluate_exported.py (the fp32 row);
#   (b) for each quantizer and noise mode: `qnoise train --config config.json --set ...
#       --db STORE --json` (run_id, metric, size_bytes, compression), `qnoise export --run ID
#       --format torchscript -o WORK/NAME.pt --json`, `evaluate_exported.py WORK/NAME.pt --json`;
#   (c) RESULTS.md: QNStudio's stored accuracy beside PyTorch's on the exported file, the
#       exact compressed size and the compression against fp32.
# Environment: QNOISE (default build/bin/qnoise; built with installer/setup.sh when QNOISE is
# not given), WORK (default experiments/your_model/work: the store, exported .pt files and one
# JSON per finished row, so that a second run only does the rows that are missing; FRESH=1
# redoes them all), STORE (default WORK/runs.sqlite).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"  # config.json's model.path is relative to the repository root
started=$(date +%s)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
/usr/bin/python3 -c "import torch, numpy" 2>/dev/null || missing+=(python3-torch python3-numpy)
command -v jq >/dev/null || missing+=(jq)  # reads the CLI's JSON
[ ${#missing[@]} -eq 0 ] || as_root apt-get install -y -q "${missing[@]}" >&2
if [ -z "${QNOISE:-}" ]; then bash "$root/installer/setup.sh" build >&2; fi
qnoise=${QNOISE:-build/bin/qnoise}
work=${WORK:-$here/work}
store=${STORE:-$work/runs.sqlite}
config=experiments/your_model/config.json
pretrained=$here/resnet_fmnist.pt
mkdir -p "$work"
[ -z "${FRESH:-}" ] || rm -f "$work"/row-*.json
log() { printf '[your_model] %s\n' "$*" >&2; }

# (a) The pretrained model, and its own accuracy in PyTorch.
if [ ! -f "$pretrained" ]; then
  log "pretraining $pretrained"
  /usr/bin/python3 "$here/pretrain_resnet.py" "$pretrained" >&2
fi
fp32=$(/usr/bin/python3 "$here/evaluate_exported.py" "$pretrained" --json)

# (b) One QNStudio run per quantizer and noise mode. Rates as in experiments/fmnist_table:
# 0.5 for scalar int, 0.1 for iPQ (proxy form); STE on iPQ needs the exact form (p = 1).
quantizers=(int8 int4 ipq ipq+int8)
declare -A quant=(
  [int8]="--set quant.method=int --set quant.bits=8"
  [int4]="--set quant.method=int --set quant.bits=4"
  [ipq]="--set quant.method=ipq --set quant.centroid_bits=16"
  [ipq+int8]="--set quant.method=ipq --set quant.centroid_bits=8"
)
declare -A rate=([int8]=0.5 [int4]=0.5 [ipq]=0.1 [ipq+int8]=0.1)
noises=(none ste quant-noise)
for name in "${quantizers[@]}"; do
  for noise in "${noises[@]}"; do
    row=$work/row-$name-$noise.json
    [ -f "$row" ] && { log "$name / $noise: kept from $row"; continue; }
    case $noise in
      none) settings="--set noise.mode=none" ;;
      ste) settings="--set noise.mode=ste --set noise.form=exact" ;;
      quant-noise) settings="--set noise.mode=quant-noise --set noise.p=${rate[$name]} --set noise.form=proxy" ;;
    esac
    log "$name / $noise: training"
    step_started=$(date +%s)
    # shellcheck disable=SC2086  # the settings are separate words on purpose
    trained=$("$qnoise" train --config "$config" ${quant[$name]} $settings --db "$store" --json)
    run_id=$(jq -r .run_id <<<"$trained")
    file=$work/$name-$noise.pt
    exported=$("$qnoise" export --run "$run_id" --db "$store" --format torchscript -o "$file" --json)
    evaluated=$(/usr/bin/python3 "$here/evaluate_exported.py" "$file" --json)
    jq -n --arg quantizer "$name" --arg noise "$noise" --argjson t "$trained" \
      --argjson x "$exported" --argjson e "$evaluated" --argjson wall $(($(date +%s) - step_started)) \
      '{quantizer: $quantizer, noise: $noise, run_id: $t.run_id, metric: $t.metric,
        float_metric: $t.float_metric, size_bytes: $t.size_bytes,
        fp32_size_bytes: $t.fp32_size_bytes, compression: $t.compression,
        seconds: $t.seconds, steps: $t.steps, export_bytes: $x.file_bytes,
        pytorch_accuracy: $e.accuracy, wall_seconds: $wall}' >"$row"
    log "$(jq -c . "$row")"
  done
done

# (c) The table.
percent() { awk -v v="$1" 'BEGIN { printf "%.2f%%", 100 * v }'; }
fp32_bytes=$(jq -s '.[0].fp32_size_bytes' "$work"/row-*.json)
pretrain_json=${pretrained%.pt}.json
{
  echo "# Your own model: a TorchScript ResNet compressed by QNStudio"
  echo
  echo "Fashion-MNIST. ResNetFMNIST, $(jq .parameters "$pretrain_json") parameters, pretrained in PyTorch for" \
    "$(jq .epochs "$pretrain_json") epochs (test accuracy $(percent "$(jq .test_accuracy "$pretrain_json")")), then fine-tuned by QNStudio" \
    "with config.json: $(jq .train.max_steps "$here/config.json") steps, and $(jq .quant.finetune_steps "$here/config.json") more steps an iPQ stage." \
    "QNStudio accuracy: the test accuracy the run stored (after BatchNorm re-estimation)." \
    "PyTorch accuracy: evaluate_exported.py on the file \`qnoise export --format torchscript\` wrote." \
    "Size: QNStudio's exact size of the compressed model; compression against fp32 ($fp32_bytes bytes)." \
    "Quant-Noise rates: 0.5 for int, 0.1 for iPQ (proxy form); STE on iPQ uses the exact form." \
    "Made by \`bash experiments/your_model/run.sh\` on $(nproc) CPU cores, $(date -u +%Y-%m-%d)," \
    "in $(($(date +%s) - started)) s (rows kept from an earlier run not counted)."
  echo
  echo "| quantizer | noise | QNStudio accuracy | PyTorch accuracy (exported .pt) | size (bytes) | compression | run seconds |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
  echo "| fp32 (pretrained) | - | - | $(percent "$(jq .accuracy <<<"$fp32")") | $fp32_bytes | x1.0 | - |"
  for name in "${quantizers[@]}"; do
    for noise in "${noises[@]}"; do
      row=$work/row-$name-$noise.json
      printf '| %s | %s | %s | %s | %s | x%.1f | %.0f |\n' "$name" "$noise" \
        "$(percent "$(jq .metric "$row")")" "$(percent "$(jq .pytorch_accuracy "$row")")" \
        "$(jq .size_bytes "$row")" "$(jq .compression "$row")" "$(jq .seconds "$row")"
    done
  done
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"
