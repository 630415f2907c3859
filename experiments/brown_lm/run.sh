#!/usr/bin/env bash
# Brown corpus, Transformer LM preset: fp32, then iPQ (FFN, embeddings, attention stages),
# without noise, with Quant-Noise, and with Quant-Noise and distillation. Validation
# perplexity and exact size of each, in RESULTS.md / results/table.json here.
#   bash experiments/brown_lm/run.sh     (EPOCHS=1, FINETUNE=150 steps a stage by default)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/installer/setup.sh" build >&2
/usr/bin/python3 "$here/make_table.py" --qnoise "${QNS_BUILD_DIR:-$root/build}/bin/qnoise" \
  --preset "$root/resources/presets/brown-transformer-lm.json" --epochs "${EPOCHS:-1}" \
  --finetune "${FINETUNE:-150}" --out "$here"
