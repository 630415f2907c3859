#!/usr/bin/env bash
# Training speed of the ConvNet preset: the C++ engine (`qnoise bench train`, plain and with
# each noise) beside the same model, batch and optimizer in PyTorch (Debian's python3-torch,
# the same LibTorch build), interleaved ROUNDS times in one session; results.md here.
#   bash experiments/pytorch_speed/run.sh      (ROUNDS=3 by default)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/installer/setup.sh" build >&2
command -v python3 >/dev/null && /usr/bin/python3 -c "import torch" 2>/dev/null ||
  apt-get install -y python3-torch >&2
qnoise="${QNS_BUILD_DIR:-$root/build}/bin/qnoise"
: > "$here/results.jsonl"
for round in $(seq "${ROUNDS:-3}"); do
  "$qnoise" bench train --device cpu --json >> "$here/results.jsonl"
  /usr/bin/python3 "$here/convnet.py" >> "$here/results.jsonl"
done
/usr/bin/python3 "$here/summarise.py" "$here/results.jsonl" > "$here/results.md"
cat "$here/results.md"
