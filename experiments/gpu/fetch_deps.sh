#!/usr/bin/env bash
# Downloads the header-only dependencies that a GPU host lacks into .gpu-deps/ (ignored by
# git), for the device tool to carry: run here, then `carry: [".gpu-deps"]`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$root/.gpu-deps"
cd "$root/.gpu-deps"
apt-get download nlohmann-json3-dev libcli11-dev
ls -la
