#!/usr/bin/env bash
# Exported checkpoints against their accounting: trains the ConvNet preset (Fashion-MNIST,
# 3 epochs) as fp32, int8, int4 and iPQ + int8 into a store, exports each run's .qnz with
# `qnoise export --run`, and for each file reports its bytes, the accounted size, the
# header's overhead and `qnoise eval`'s metric next to the one the run stored.
#   bash experiments/checkpoint_sizes/run.sh      (writes RESULTS.md here; ~15 min on 2 cores)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/installer/setup.sh" build >&2
if ! command -v jq >/dev/null; then  # reads the CLI's JSON
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q jq; else sudo apt-get install -y -q jq; fi
fi
qnoise=${QNS_BUILD_DIR:-$root/build}/bin/qnoise
work=${WORK:-$(mktemp -d)}
db=$work/checkpoints.sqlite
preset=$root/resources/presets/fmnist-convnet.json

declare -A settings=(
  [fp32]="--set quant.method=none"
  [int8]="--set quant.method=int --set quant.bits=8"
  [int4]="--set quant.method=int --set quant.bits=4"
  [ipq+int8]="--set quant.method=ipq --set quant.centroid_bits=8 --set quant.finetune_steps=200"
)
rows=()
for name in fp32 int8 int4 ipq+int8; do
  # shellcheck disable=SC2086  # the settings are separate words on purpose
  trained=$("$qnoise" train --config "$preset" ${settings[$name]} --db "$db" --json)
  run_id=$(jq -r .run_id <<<"$trained")
  file=$work/$name.qnz
  "$qnoise" export --run "$run_id" --db "$db" -o "$file" >&2
  evaluated=$("$qnoise" eval "$file" --json)
  inspected=$("$qnoise" inspect "$file" --json)
  rows+=("$(jq -nr --arg name "$name" --argjson t "$trained" --argjson e "$evaluated" \
    --argjson i "$inspected" '"| \($name) | \($t.size_bytes) | \($i.file_bytes) | \($i.header_bytes) | \($i.file_bytes - $t.size_bytes == $i.header_bytes) | \($t.metric) | \($e.metric) | \($t.metric == $e.metric) |"')")
done

{
  echo "# Exported checkpoints against their accounted size"
  echo
  echo "ConvNet preset (Fashion-MNIST, 3 epochs, seed 0), one run each; made by"
  echo "\`bash experiments/checkpoint_sizes/run.sh\` on $(nproc) CPU cores, $(date -u +%Y-%m-%d)."
  echo "Accounted bytes: the run's size (the Pareto plot's x). File: the exported .qnz."
  echo "Metric: test accuracy stored by the run, then recomputed by \`qnoise eval\` from the file."
  echo
  echo "| run | accounted bytes | file bytes | header bytes | file = accounted + header | stored accuracy | qnoise eval | equal |"
  echo "| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |"
  printf '%s\n' "${rows[@]}"
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"
