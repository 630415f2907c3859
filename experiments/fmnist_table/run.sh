#!/usr/bin/env bash
# Fashion-MNIST, ConvNet preset: fp32, then int8, int4 and PQ, each trained with noise
# none (post-training quantization), ste (QAT) and quant-noise, in one table.
#   bash experiments/fmnist_table/run.sh          (EPOCHS=2 by default, as in the committed results; writes results.* here)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/installer/setup.sh" build >&2
/usr/bin/python3 "$here/make_table.py" --qnoise "${QNS_BUILD_DIR:-$root/build}/bin/qnoise" \
  --preset "$root/resources/presets/fmnist-convnet.json" --epochs "${EPOCHS:-2}" --out "$here"
