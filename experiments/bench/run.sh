#!/usr/bin/env bash
# The benchmark tables (RESULTS.md here): training speed of both presets against the same
# model in PyTorch, what each noise form and the store's recording add to a step, k-means
# against PyTorch and FAISS, and peak memory; RUNS times in a row (2 by default), so that
# RESULTS.md can say whether two runs agree within their stated uncertainty.
#   bash experiments/bench/run.sh        (from the repository root, after a build)
# Run it on a quiet machine: every other process shares the cores the figures are about.
# Env: RUNS, QNOISE (build/bin/qnoise), OUT (experiments/bench/results).
set -euo pipefail
here=experiments/bench
qnoise=${QNOISE:-build/bin/qnoise}
out=${OUT:-$here/results}
python=/usr/bin/python3
if ! $python -c "import faiss" 2>/dev/null; then
  apt-get install -y python3-faiss >/dev/null
fi
twin="$python $here/twin.py"
presets=(fmnist-convnet brown-transformer-lm)

for run in $(seq 1 "${RUNS:-2}"); do
  dir=$out/run$run
  mkdir -p "$dir"
  echo "== run $run: training speed" >&2
  "$qnoise" bench train --config resources/presets/fmnist-convnet.json --device cpu \
    --twin "$twin" --json >"$dir/train_fmnist-convnet.json"
  # An LM step is 4x a ConvNet step: fewer, shorter blocks keep the run under 10 minutes.
  "$qnoise" bench train --config resources/presets/brown-transformer-lm.json --device cpu \
    --blocks 15 --steps-per-block 8 --twin "$twin" --json >"$dir/train_brown-transformer-lm.json"
  echo "== run $run: one noisy layer, k-means" >&2
  "$qnoise" bench noise --device cpu --json >"$dir/noise.json"
  "$qnoise" bench kmeans --device cpu --twin "$twin" --json >"$dir/kmeans.json" 2>/dev/null
  echo "== run $run: memory (each in a fresh process)" >&2
  for preset in "${presets[@]}"; do
    "$qnoise" bench memory --config "resources/presets/$preset.json" --device cpu --json \
      >"$dir/memory_$preset.json"
    read -r classes shape < <($python -c "import json,sys; r=json.load(open(sys.argv[1])); \
print(r['classes'], ' '.join(map(str, r['image_shape'])))" "$dir/memory_$preset.json")
    $python "$here/twin.py" memory --config "resources/presets/$preset.json" --classes "$classes" \
      ${shape:+--image-shape $shape} >"$dir/memory_pytorch_$preset.json"
  done
  for impl in pytorch faiss; do
    $python "$here/twin.py" memory-kmeans --impl $impl >"$dir/memory_kmeans_$impl.json" 2>/dev/null
  done
done
$python "$here/summarise.py" "$out" >"$here/RESULTS.md"
echo "wrote $here/RESULTS.md" >&2
