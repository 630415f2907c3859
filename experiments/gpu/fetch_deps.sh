#!/usr/bin/env bash
# Downloads the small dependencies that a GPU host lacks into .gpu-deps/ (ignored by git),
# for the device tool to carry: run here, then `carry: [".gpu-deps"]`. libssl3 comes with
# libssl-dev because the latter's libcrypto.so is a link to the former's file, and libstb0
# with libstb-dev for the same reason.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$root/.gpu-deps"
cd "$root/.gpu-deps"
apt-get download nlohmann-json3-dev libcli11-dev libsqlite3-dev zlib1g-dev libssl-dev libssl3 \
  libstb-dev libstb0
ls -la
