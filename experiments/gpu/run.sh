#!/usr/bin/env bash
# On a lent GPU host (a CUDA machine with PyTorch and no internet; see fetch_deps.sh): build core and qnoise against the host's PyTorch,
# run the CUDA-against-CPU self-checks, the k-means benchmark on both devices and the
# training benchmarks on the GPU (each beside PyTorch), and leave the logs and JSON results
# in $OUT. Not yet run on a GPU: no session has been lent one. Prepare with experiments/gpu/fetch_deps.sh; call with
#   carry: [".gpu-deps"]   command: bash experiments/gpu/run.sh
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${OUT:-$root/build-gpu/out}
mkdir -p "$out" /opt/qns-deps
for package in "$root"/.gpu-deps/*.deb; do dpkg -x "$package" /opt/qns-deps; done
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"

{
  cmake -S "$root" -B "$root/build-gpu" -DCMAKE_BUILD_TYPE=Release -DQNS_BUILD_TESTS=OFF -DQNS_BUILD_UI=OFF \
    -DCMAKE_PREFIX_PATH="$torch_prefix;/opt/qns-deps/usr" &&
    cmake --build "$root/build-gpu" --parallel 16 --target qnoise
} >"$out/build.log" 2>&1 || { tail -50 "$out/build.log"; exit 1; }

qnoise=$root/build-gpu/bin/qnoise
"$qnoise" check --device cuda 2>&1 | tee "$out/check_cuda.txt"
check_status=${PIPESTATUS[0]}
twin="python3 $root/experiments/bench/twin.py"  # the host's PyTorch, on the same GPU
for device in cuda cpu; do
  "$qnoise" bench kmeans --device "$device" --twin "$twin" --json >"$out/bench_kmeans_$device.json"
  cat "$out/bench_kmeans_$device.json"
done
# Training steps beside the same models in the host's PyTorch, in one interleaved schedule
# (experiments/bench, docs/architecture.md "Benchmarks"), at a GPU-sized batch.
for preset in fmnist-convnet brown-transformer-lm; do
  "$qnoise" bench train --config "$root/resources/presets/$preset.json" --device cuda \
    --set train.batch_size=512 --blocks 10 --twin "$twin" --json >"$out/bench_train_$preset.json"
  tail -c 2000 "$out/bench_train_$preset.json"
done
exit "$check_status"
