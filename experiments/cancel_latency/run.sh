#!/usr/bin/env bash
# Cancel latency in each stage of the ConvNet preset (Fashion-MNIST): for each stage,
# `qnoise bench cancel` starts the run, waits for the stage (the observer's on_stage), lets
# it work 300 ms, cancels, and times cancel() to RunCancelled, three times; one uncancelled
# run first gives each stage's length. A PQ run covers training, compressing (k-means),
# BatchNorm re-estimation and evaluation; an iPQ run covers iPQ's stages (k-means, stage
# after stage). Training is cut to 20 steps: the later stages do the same work regardless.
#   bash experiments/cancel_latency/run.sh   (writes results/pq.json, results/ipq.json here;
#                                             ~10 min on 2 cores)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
qnoise=${QNS_BUILD_DIR:-$root/build}/bin/qnoise
[ -x "$qnoise" ] || { echo "build qnoise first (installer/setup.sh build)" >&2; exit 1; }
bench=("$qnoise" bench cancel --config "$root/resources/presets/fmnist-convnet.json"
       --set train.max_steps=20 --set device=cpu --after-ms 300 --repeats 3 --json)
mkdir -p "$here/results"
"${bench[@]}" --set quant.method=pq >"$here/results/pq.json"
"${bench[@]}" --set quant.method=ipq --stage "ipq stage" >"$here/results/ipq.json"
echo "wrote $here/results/pq.json and $here/results/ipq.json" >&2
