#!/usr/bin/env bash
# Layer sensitivity and the size solver on the ConvNet preset: how long the table takes, and
# the solver's mixed configs at uniform iPQ's size and at x40, predicted against measured,
# beside uniform iPQ at those sizes; each without noise and with Quant-Noise (p = 0.1, the
# exact form), one-shot and fine-tuned (200 steps a stage). Everything goes to one store, so
# runs that share a training train once. Writes experiments/sensitivity/results/commands.jsonl (one
# JSON line per command); RESULTS.md is written from it by hand.
#   bash experiments/sensitivity/run.sh            (about an hour on the 2-core machine)
#   SOLVE_ONLY=1 bash experiments/sensitivity/run.sh
#     plans and runs the mixes again from the tables already in the store (after a change
#     to the solver), into results/solve.jsonl; the uniform runs' bytes from results/commands.jsonl
set -euo pipefail
cd "$(dirname "$0")/../.."
QNOISE=${QNOISE:-build/bin/qnoise}
OUT=${OUT:-experiments/sensitivity}
DB=$OUT/store.sqlite
PRESET=resources/presets/fmnist-convnet.json
mkdir -p "$OUT/results"
RESULTS=$OUT/results/commands.jsonl
UNIFORM=$RESULTS
[[ -n ${SOLVE_ONLY:-} ]] && RESULTS=$OUT/results/solve.jsonl
export OMP_WAIT_POLICY=PASSIVE
: > "$RESULTS"

record() {  # record LABEL COMMAND...: runs it, appends {"label", "wall_seconds", "answer"}
  local label=$1
  shift
  local start end answer
  start=$(date +%s.%N)
  answer=$("$@" --json | tail -n 1)
  end=$(date +%s.%N)
  printf '{"label": "%s", "wall_seconds": %s, "answer": %s}\n' "$label" \
    "$(python3 -c "print(round($end - $start, 1))")" "$answer" >> "$RESULTS"
  echo "$label done" >&2
}

# BatchNorm re-estimated from 10 batches in the tables and in every run (so that a row equals
# a run), scored on the first 1000 test images in the tables, the whole test set in the runs
# (the evaluation slice is part of the training key, so the tables' model trains once more).
FEW=(--set quant.batchnorm_batches=10)
NOISE=(--set noise.mode=quant-noise --set noise.p=0.1 --set noise.form=exact)
IPQ=(--set quant.method=ipq --set quant.finetune_steps=200)

for noise in none quant-noise; do
  extra=()
  [[ $noise == quant-noise ]] && extra=("${IPQ[@]}" "${NOISE[@]}")
  [[ -z ${SOLVE_ONLY:-} ]] && record "table, $noise" "$QNOISE" sensitivity --config "$PRESET" --db "$DB" "${FEW[@]}" \
    "${extra[@]}" --eval-limit 1000
  for k in 256 32; do
    uniform=("${IPQ[@]}" --set quant.centroids=$k)
    [[ $noise == quant-noise ]] && uniform+=("${NOISE[@]}")
    [[ -z ${SOLVE_ONLY:-} ]] && record "uniform ipq K=$k, $noise" "$QNOISE" train --config "$PRESET" --db "$DB" "${FEW[@]}" \
      "${uniform[@]}"
  done
  uniform_bytes=$(python3 -c "
import json
for line in open('$UNIFORM'):
    row = json.loads(line)
    if row['label'] == 'uniform ipq K=256, $noise':
        print(row['answer']['size_bytes'])")
  for target in "--target-bytes $uniform_bytes" "--target-ratio 40"; do
    for finetune in "" "--finetune 200"; do
      # The plan (its prediction from the table, on 1000 images), then its run on the whole
      # test set, as the uniform runs are scored.
      label="solve $target ${finetune:-one-shot}, $noise"
      # shellcheck disable=SC2086  # the target and --finetune are two words each
      record "$label: plan" "$QNOISE" solve --config "$PRESET" --db "$DB" "${FEW[@]}" \
        "${extra[@]}" --eval-limit 1000 $target $finetune -o "$OUT/mixed.json"
      record "$label: run" "$QNOISE" train --config "$OUT/mixed.json" --db "$DB" \
        --set data.eval_limit=0
    done
  done
done
