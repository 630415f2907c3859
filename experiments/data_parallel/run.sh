#!/usr/bin/env bash
# One run in one process and in two (qnoise train --nproc 2), same global batch: the loss
# curves side by side and the steps a second of each. The ConvNet preset (BatchNorm: each
# rank normalises by its own rows) and a small Transformer LM with Quant-Noise and no
# dropout (where the two should agree to float rounding). Writes RESULTS.md here (or
# $RESULTS); the committed RESULTS.md holds two runs, with and without OMP_WAIT_POLICY=PASSIVE.
#   bash experiments/data_parallel/run.sh   (about 10 minutes on 2 cores; STEPS, LM_STEPS)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
qnoise="${QNOISE:-$root/build/bin/qnoise}"
work="${WORK:-$here/work}"
steps="${STEPS:-200}"
lm_steps="${LM_STEPS:-100}"
mkdir -p "$work"
rm -f "$work"/*.sqlite*

convnet=(--config "$root/resources/presets/fmnist-convnet.json" --set "train.max_steps=$steps"
         --set train.eval_every=0)
lm=(--config "$root/resources/presets/brown-transformer-lm.json" --set "train.max_steps=$lm_steps"
    --set model.dropout=0 --set quant.method=int --set quant.bits=4
    --set noise.mode=quant-noise --set noise.p=0.5)
for model in convnet lm; do
  declare -n arguments="$model"
  for processes in 1 2; do
    echo "== $model, $processes process(es)" >&2
    cut -d' ' -f1 /proc/loadavg > "$work/${model}_${processes}.load"  # what else ran
    "$qnoise" train "${arguments[@]}" --device cpu --nproc "$processes" \
      --db "$work/${model}_${processes}.sqlite" --json > "$work/${model}_${processes}.json"
  done
done
/usr/bin/python3 "$here/compare.py" "$work" | tee "${RESULTS:-$here/RESULTS.md}"
