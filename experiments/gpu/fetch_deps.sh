#!/usr/bin/env bash
# Gathers what a GPU host lacks into .gpu-deps/ (ignored by git), for the device tool to
# carry (`carry: [".gpu-deps"]`): Debian's packages of the small build dependencies, Qt's
# core and test libraries for the test suites (and the libraries they load), and the data
# the benchmarks read. A -dev package comes with its runtime library because its .so is a
# link to that package's file. Fashion-MNIST travels as its test set twice (train = test):
# the 64 MiB a call may carry leave no room for the 26 MB training images, and a
# benchmark's step time does not depend on which images it draws.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deps=$root/.gpu-deps
rm -rf "$deps"
mkdir -p "$deps/data/fashion-mnist"
cd "$deps"
apt-get download \
  nlohmann-json3-dev libcli11-dev libsqlite3-dev libsqlite3-0 zlib1g-dev zlib1g libssl-dev libssl3 \
  libstb-dev libstb0 libgloo-dev \
  qt6-base-dev qt6-base-dev-tools libqt6core6 libqt6test6 libicu72 libdouble-conversion3 libb2-1 \
  libpcre2-16-0 libglib2.0-0 qmake6 qmake6-bin 2>&1 | { grep -v "^W: Download is performed unsandboxed" || true; }
fmnist=/usr/share/datasets/fashion-mnist
for kind in images-idx3 labels-idx1; do
  cp "$fmnist/t10k-$kind-ubyte.gz" data/fashion-mnist/
  cp "$fmnist/t10k-$kind-ubyte.gz" "data/fashion-mnist/train-$kind-ubyte.gz"
done
tar -czf data/brown.tar.gz -C "$root/data" brown
du -sh "$deps"
