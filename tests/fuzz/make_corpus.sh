#!/usr/bin/env bash
# Regenerates the fuzzer's seed corpus (tests/fuzz/corpus): real .qnz files exported by
# `qnoise train --export` from tiny runs, one per kind of section: fp32, fp16, int8 per
# channel, int4 per tensor, PQ, iPQ with an int8 codebook, and a Transformer LM with PQ
# embeddings. Small on purpose (a few KB each): the fuzzer mutates them thousands of times
# a second. Needs a built qnoise (bash installer/setup.sh build) and Fashion-MNIST.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
qnoise=${QNOISE:-$root/build/bin/qnoise}
corpus=$root/tests/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$corpus"

# A ConvNet of width 4 and 8 hidden units: every layer kind of the preset, a few KB.
convnet=(--config "$root/resources/presets/fmnist-convnet.json" --set model.width=4
         --set model.hidden=8 --set data.train_limit=256 --set train.max_steps=2
         --set 'quant.block_size={"linear": 2, "conv1x1": 2, "conv": 9, "embedding": 8}'
         --set quant.centroids=16)
export_run() {
  local name=$1
  shift
  "$qnoise" train "$@" --export "$corpus/$name.qnz" >/dev/null 2>&1
  echo "$name.qnz: $(stat -c %s "$corpus/$name.qnz") bytes"
}
export_run convnet-fp32 "${convnet[@]}"
export_run convnet-fp16 "${convnet[@]}" --set quant.plain_bits=16
export_run convnet-int8-channel "${convnet[@]}" --set quant.method=int --set quant.observer=channel
export_run convnet-int4 "${convnet[@]}" --set quant.method=int --set quant.bits=4
export_run convnet-pq "${convnet[@]}" --set quant.method=pq
export_run convnet-ipq-int8 "${convnet[@]}" --set quant.method=ipq --set quant.centroid_bits=8 \
  --set quant.finetune_steps=1

# A one-layer Transformer LM on a short text (a document every 100 lines; 10 at least):
# embeddings, attention and FFN under PQ.
for i in $(seq 1200); do echo "the cat sat on the mat and the dog ran after the cat $i"; done \
  >"$work/text.txt"
export_run lm-pq --config "$root/resources/presets/brown-transformer-lm.json" --set task=text-lm \
  --set "data.path=$work/text.txt" --set data.vocabulary_cap=30 --set model.dim=8 \
  --set model.layers=1 --set model.heads=2 --set model.ffn=16 --set model.context=8 \
  --set train.max_steps=2 --set quant.method=pq --set quant.centroids=8 --set quant.block_size=4

# Each file's header JSON and payload, "JSON NUL payload": the fuzzer's other input form.
python3 - "$corpus" <<'PY'
import pathlib, struct, sys, zlib
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.qnz")):
    data = path.read_bytes()
    stored = struct.unpack_from("<I", data, 12)[0]
    header = zlib.decompress(data[24:24 + stored])
    path.with_suffix(".json-payload").write_bytes(header + b"\0" + data[24 + stored:])
PY
