#!/usr/bin/env bash
# On a lent GPU host (CUDA, PyTorch 2.x, no internet, no Qt): build core, qnoise and the
# test suites against the host's LibTorch; run `qnoise check --device cuda` (the kernels
# and the engine against the CPU), the benchmarks beside the same work in the host's
# PyTorch (k-means; a training step of each preset, plain and under each noise form; the
# noise forms on one layer) with the GPU's memory sampled, and the core test suites, the
# device-taking one (test_device_parity) on CUDA. Logs and JSON land in $OUT. Prepare here
# with experiments/gpu/fetch_deps.sh, then call the device tool with
#   carry: [".gpu-deps"]   command: bash experiments/gpu/run.sh
# What travels must stay under the tool's 64 MiB: .gpu-deps (36 MB) and the tracked files
# leave no room for experiments/paper_table/records/ (28 MB), so move those aside for the
# call (the results in experiments/gpu/RESULTS.md were taken so).
# Steps run in order of importance, each within what is left of QNS_GPU_SECONDS (default
# 540), so that a slow step costs the later ones, not the call. QNS_GPU_PARTS picks the
# parts after the build (default "check bench tests").
set -uo pipefail
start=$SECONDS
budget=${QNS_GPU_SECONDS:-540}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${OUT:-$root/build-gpu/out}
deps=/opt/qns-deps
mkdir -p "$out" "$deps/fallback"
# Progress to stderr and steps.txt: a step's stdout may be a result file.
log() { echo "[$((SECONDS - start)) s] $*" | tee -a "$out/steps.txt" >&2; }
left() { echo $((budget - (SECONDS - start))); }
wanted() { [[ " ${QNS_GPU_PARTS:-check bench tests} " == *" $1 "* ]]; }
failed=0  # the script's exit status: 1 once any step failed
# Runs "$@" with what is left of the budget; logs its exit status.
step() {
  local name=$1
  shift
  if (($(left) < 20)); then log "$name: skipped, budget spent"; failed=1; return 1; fi
  timeout "$(left)" "$@"
  local status=$?
  log "$name: exit $status"
  ((status == 0)) || failed=1
  return $status
}

for package in "$root"/.gpu-deps/*.deb; do dpkg -x "$package" "$deps"; done
# Links to absolute paths (zlib's libz.so -> /lib/...) point into the unpacked tree.
find "$deps" -type l -lname '/*' | while read -r link; do
  ln -sfn "$deps$(readlink "$link")" "$link"
done
# The carried libraries the host lacks, and only those, for the programs to load. (The
# cache is read once into a file: `ldconfig -p | grep -q` under pipefail fails whenever
# grep stops reading early.)
ldconfig -p >/tmp/qns-host-libraries.txt
for library in "$deps"/{usr/,}lib/x86_64-linux-gnu/lib*.so.*; do
  name=$(basename "$library")
  grep -qP "^\t\Q$name\E " /tmp/qns-host-libraries.txt || ln -sf "$library" "$deps/fallback/$name"
done
export LD_LIBRARY_PATH=$deps/fallback${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
data=$root/.gpu-deps/data
tar -xzf "$data/brown.tar.gz" -C "$data"
export QNS_DATA_DIR=$data
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee -a "$out/steps.txt"
python3 -c 'import torch; print("pytorch", torch.__version__, "cuda", torch.version.cuda)' |
  tee -a "$out/steps.txt"
log "set up"

build=$root/build-gpu
step configure cmake -S "$root" -B "$build" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release -DQNS_BUILD_UI=OFF \
  -DQNS_WITH_POSTGRES=OFF -DCMAKE_PREFIX_PATH="$torch_prefix;$deps/usr" \
  -DQNS_DATA_DIR="$data" >"$out/build.log" 2>&1 &&
  step "build qnoise" cmake --build "$build" --parallel 16 --target qnoise >>"$out/build.log" 2>&1 ||
  { grep -E "error|Error" "$out/build.log" | head -40; exit 1; }  # never an older build's qnoise
qnoise=$build/bin/qnoise

# The GPU's memory in use, per process, every 100 ms while a benchmark runs, into
# memory.csv (benchmark, pid, process, MiB): its peak is the figure. (The device tool
# returns at most 8 files, so every sample shares one.)
sample_memory() {
  benchmark=$1
  nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader,nounits \
    -lms 100 >/tmp/qns-memory.csv 2>/dev/null &
  sampler=$!
}
stop_sampling() {
  kill "$sampler" 2>/dev/null
  wait "$sampler" 2>/dev/null
  sed "s/^/$benchmark, /" /tmp/qns-memory.csv >>"$out/memory.csv"
}

if wanted check; then
  step check "$qnoise" check --device cuda >"$out/check_cuda.txt" 2>&1
  cat "$out/check_cuda.txt"
fi

if wanted bench; then
  twin="python3 $root/experiments/bench/twin.py"  # the host's PyTorch, on the same GPU
  # One JSON per benchmark, each line of all of them together in bench.jsonl.
  # On the GPU a timed block is the issue's 20 iterations; on the CPU the default 3.
  for device in cuda cpu; do
    iterations=3
    [[ $device == cuda ]] && iterations=20
    sample_memory "kmeans_$device"
    step "bench kmeans $device" "$qnoise" bench kmeans --device "$device" --twin "$twin" \
      --steps-per-block "$iterations" --json >>"$out/bench.jsonl"
    stop_sampling
  done
  step "k-means phases" python3 "$root/experiments/gpu/kmeans_phases.py" >"$out/kmeans_phases.txt"
  for preset in fmnist-convnet brown-transformer-lm; do
    data_option=()  # the Brown corpus is found through QNS_DATA_DIR
    [[ $preset == fmnist-convnet ]] && data_option=(--set "data.dir=$data/fashion-mnist")
    sample_memory "train_$preset"
    step "bench train $preset" "$qnoise" bench train --config "$root/resources/presets/$preset.json" \
      --device cuda --set train.batch_size=512 "${data_option[@]}" --blocks 10 --twin "$twin" \
      --json >>"$out/bench.jsonl"
    stop_sampling
  done
  sample_memory noise
  step "bench noise" "$qnoise" bench noise --device cuda --json >>"$out/bench.jsonl"
  stop_sampling
fi

# The core suites against LibTorch 2.x, test_device_parity on CUDA (the others compute on
# the CPU). test_data is left out: it checks Fashion-MNIST's 60,000 training images, and
# only the 10,000 test images travel (as both sets).
wanted tests || { log "done"; exit "$failed"; }
step "build tests" cmake --build "$build" --parallel 16 -- -k >>"$out/build.log" 2>&1 ||
  log "some suites did not build: build.log; CTest reports them as not run"
export QNS_TEST_DEVICE=cuda
export QNS_PYTHON=$(command -v python3)  # the host's PyTorch makes the TorchScript fixtures
# The suites that train on Fashion-MNIST read it from Debian's place.
mkdir -p /usr/share/datasets && ln -sfn "$data/fashion-mnist" /usr/share/datasets/fashion-mnist
cd "$build" && step "core tests" ctest --output-on-failure -E "_cli$|^test_data$" --timeout 120 -j 8 \
  >"$out/tests.txt" 2>&1
tail -40 "$out/tests.txt"
log "done"
exit "$failed"
