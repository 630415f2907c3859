#!/usr/bin/env bash
# qnoise k-means against FAISS k-means on the same data, same K and iterations, same run.
#   bash experiments/kmeans_vs_faiss/run.sh            (writes results/comparison.json and RESULTS.md here)
# Needs Debian's python3-faiss and python3-numpy (installed if missing) and a built qnoise.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
python=/usr/bin/python3  # Debian's, where python3-faiss lives

for package in python3-faiss python3-numpy; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=" $package"
done
if [ -n "${missing:-}" ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
bash "$root/installer/setup.sh" build

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
"$python" "$here/compare.py" --qnoise "${QNS_BUILD_DIR:-$root/build}/bin/qnoise" \
  --workdir "$workdir" --out "$here"
