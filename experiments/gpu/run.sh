#!/usr/bin/env bash
# On a lent GPU host (../shared/GPU.md): build core and qnoise against the host's PyTorch,
# run the CUDA-against-CPU self-checks and the k-means benchmark on both devices, and leave
# the logs and JSON results in $OUT. Prepare with experiments/gpu/fetch_deps.sh; call with
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
for device in cuda cpu; do
  "$qnoise" bench kmeans --device "$device" --json >"$out/bench_kmeans_$device.json"
  cat "$out/bench_kmeans_$device.json"
done
exit "$check_status"
