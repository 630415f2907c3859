#!/usr/bin/env bash
# The image loader against torchvision's (RESULTS.md here): images a second of
# `qnoise bench loader` and of torchvision's reference ImageNet pipeline (torchvision_loader.py)
# on the same ImageNet-layout folder of photo-sized JPEGs (make_folder.py), at 1 and 2 workers
# (a worker = one core), ROUNDS rounds interleaved: in each round, for each worker count, one
# engine then the other, each in a fresh process, the order alternating round by round
# (odd rounds torchvision first), so drift in the machine falls on both alike. Then peak
# memory: each engine at 2 workers for MEMORY_BATCHES batches over the folder's train files and
# over ten times as many (work/links200k: symlinks, copyK_<name>.JPEG, to the same files).
#   bash experiments/image_loader/run.sh      (from anywhere; after a build)
# Takes about 9 minutes on 2 cores at the defaults (measured: 3 rounds of 100 batches, then
# the memory part), plus 6 to make the 22,000-image folder the first time.
# Run it on a quiet machine: every other process shares the cores measured.
# Env (relative paths are taken from the directory you run it in):
#   QNOISE          the qnoise binary (build/bin/qnoise in the repository)
#   DATA            the folder (work/imagenet_like here, made by make_folder.py if missing)
#   ROUNDS          rounds of the speed part (3)
#   BATCHES         batches a speed run (100 = 6,400 images; empty: the whole epoch, 313; under
#                   50 is for testing the harness only: the rates then read high, see
#                   torchvision_loader.py)
#   MEMORY_BATCHES  batches a memory run (400 = 25,600 images, past one epoch of 20,000)
#   OUT             where the raw lines go (results/ here); RESULTS where the table goes
#                   (RESULTS.md here)
# Writes OUT/loader.jsonl and OUT/memory.jsonl (one engine's JSON line a run, with round,
# position, files and load1 added), OUT/meta.json (machine, date, commands), OUT/failures.txt
# (runs that failed; absent if none), then RESULTS.md by summarise.py. If QNOISE is missing or
# has no `bench loader`, it says so and runs the torchvision side alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
absolute() { realpath -m -- "$1"; }  # the caller's relative paths, before the cd below
qnoise="${QNOISE:-$root/build/bin/qnoise}"
if [[ "$qnoise" != */* ]]; then qnoise="$(command -v "$qnoise" || echo "$qnoise")"; fi  # on PATH
qnoise="$(absolute "$qnoise")"
work="$here/work"
data="$(absolute "${DATA:-$work/imagenet_like}")"
out="$(absolute "${OUT:-$here/results}")"
results_md="$(absolute "${RESULTS:-$here/RESULTS.md}")"
rounds="${ROUNDS:-3}"
batches="${BATCHES-100}"
memory_batches="${MEMORY_BATCHES:-400}"
python=/usr/bin/python3
cd "$root"

say() { echo "run.sh: $*" >&2; }

if [ -n "$batches" ] && [ "$batches" -lt 50 ]; then
  say "BATCHES=$batches: fine for testing the harness, but the rates will read high (< 50)"
fi

# --- the folder -------------------------------------------------------------------------------
if [ ! -d "$data/train" ]; then
  say "making $data (make_folder.py, 20,000 train + 2,000 val JPEGs; about 4 minutes)"
  $python "$here/make_folder.py" "$data"
fi
count_files() { find "$1" \( -type f -o -type l \) -iname '*.jpeg' | wc -l; }
train_files=$(count_files "$data/train")
if [ "$train_files" = 0 ]; then say "no JPEGs under $data/train"; exit 1; fi

# --- is there a QNStudio loader? ---------------------------------------------------------------
qnstudio=yes
if [ ! -x "$qnoise" ]; then
  qnstudio="no: it does not exist (build qnoise, or set QNOISE)"
elif ! "$qnoise" bench --help 2>&1 | grep -Eq '^[[:space:]]+loader([[:space:]]|$)'; then
  qnstudio="no: it has no 'bench loader' subcommand (an older build?)"
fi
if [ "$qnstudio" != yes ]; then
  say "*** QNStudio loader NOT RUN: $qnoise: ${qnstudio#no: it }. Running the torchvision side alone. ***"
fi

# --- the commands -----------------------------------------------------------------------------
# engine_command ENGINE WORKERS DIR BATCHES: the engine's command line, in the array `cmd`.
engine_command() {
  local engine=$1 workers=$2 dir=$3 count=$4
  if [ "$engine" = torchvision ]; then
    cmd=("$python" "$here/torchvision_loader.py" --dir "$dir" --workers "$workers"
         --batch-size 64 --image-size 224)
  else
    cmd=("$qnoise" bench loader --dir "$dir" --workers "$workers" --batch-size 64
         --image-size 224 --transform train --normalize imagenet)
  fi
  if [ -n "$count" ]; then cmd+=(--batches "$count"); fi
  cmd+=(--json)
}

mkdir -p "$out"
: >"$out/loader.jsonl"
: >"$out/memory.jsonl"
rm -f "$out/failures.txt"
engine_command torchvision W "$data/train" "$batches"; torchvision_command="${cmd[*]}"
engine_command qnstudio W "$data/train" "$batches"; qnstudio_command="${cmd[*]}"
engine_command torchvision 2 DIR "$memory_batches"; torchvision_memory="${cmd[*]}"
engine_command qnstudio 2 DIR "$memory_batches"; qnstudio_memory="${cmd[*]}"
export torchvision_command qnstudio_command torchvision_memory qnstudio_memory qnstudio \
  data train_files rounds batches memory_batches qnoise root
$python - "$out/meta.json" <<'EOF'
import datetime, json, os, platform, sys
e = os.environ
shown = lambda command: command.replace(e["root"] + "/", "")  # paths from the repository root
stats = os.path.join(e["data"], "stats.json")
json.dump({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "host": platform.node(), "kernel": platform.release(), "python": platform.python_version(),
    "data": shown(e["data"]), "train_files": int(e["train_files"]),
    "folder_stats": json.load(open(stats)) if os.path.exists(stats) else None,
    "rounds": int(e["rounds"]), "batches": e["batches"] or None,
    "memory_batches": int(e["memory_batches"]), "qnoise": shown(e["qnoise"]),
    "qnstudio": e["qnstudio"],
    "load1_at_start": float(open("/proc/loadavg").read().split()[0]),
    "commands": {k: shown(e[k + "_command"] if k in ("torchvision", "qnstudio") else e[k])
                 for k in ("torchvision", "qnstudio", "torchvision_memory", "qnstudio_memory")},
}, open(sys.argv[1], "w"), indent=1)
EOF

# tag LINE TAGS: LINE (one engine's JSON) with TAGS (a JSON object) merged in; fails, saying
# why, if LINE is not a JSON object with the keys summarise.py reads.
tag() {
  $python -c 'import json, sys
keys = ["engine", "workers", "images", "seconds", "images_per_second", "startup_seconds",
        "peak_rss_bytes"]
try:
    r = json.loads(sys.argv[1])
except ValueError:
    sys.exit("not a JSON line: " + sys.argv[1][:200])
missing = [k for k in keys if k not in r]
if missing:
    sys.exit("the JSON line lacks " + ", ".join(missing) + ": " + sys.argv[1][:200])
r.update(json.loads(sys.argv[2]))
print(json.dumps(r))' "$1" "$2"
}

# run ENGINE WORKERS DIR BATCHES FILE TAGS: one run in a fresh process; its last stdout line,
# tagged, appended to FILE. A failure is logged (OUT/failures.txt) and the harness goes on.
run() {
  local engine=$1 workers=$2 dir=$3 count=$4 file=$5 tags=$6 line
  if [ "$engine" = qnstudio ] && [ "$qnstudio" != yes ]; then
    say "   qnstudio, $workers worker(s): not run"
    return 0
  fi
  engine_command "$engine" "$workers" "$dir" "$count"
  say "   $engine, $workers worker(s)"
  if line=$("${cmd[@]}" | tail -n 1) && line=$(tag "$line" "$tags"); then
    echo "$line" >>"$file"
    say "     $($python -c 'import json, sys; r = json.loads(sys.argv[1])
print("%.1f images/s, start-up %.2f s, peak RSS %.0f MiB" % (r["images_per_second"],
      r["startup_seconds"], r["peak_rss_bytes"] / 2**20))' "$line")"
  else
    say "   *** $engine failed: ${cmd[*]}"
    echo "$(basename "$file") $tags: ${cmd[*]//$root\//}" >>"$out/failures.txt"
  fi
}

# --- speed, interleaved -----------------------------------------------------------------------
# Read the folder once so that both engines find it in the page cache from the first run.
say "reading $data/train into the page cache"
find "$data/train" -type f -iname '*.jpeg' -print0 | xargs -0 -r cat >/dev/null
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then order=(torchvision qnstudio); else order=(qnstudio torchvision); fi
  say "== round $round of $rounds (${order[0]} first)"
  for workers in 1 2; do
    position=1
    for engine in "${order[@]}"; do
      run "$engine" "$workers" "$data/train" "$batches" "$out/loader.jsonl" \
        "{\"round\": $round, \"position\": $position, \"files\": $train_files, \"load1\": $(cut -d' ' -f1 /proc/loadavg)}"
      position=$((position + 1))
    done
  done
done

# --- memory: 1x and 10x the files --------------------------------------------------------------
links="$work/links200k"
stamp="$data/train $train_files"
if [ "$(cat "$links/source" 2>/dev/null)" != "$stamp" ]; then
  say "linking each of the $train_files train files ten times into $links"
  rm -rf "$links"
  $python - "$data/train" "$links" <<'EOF'
import os, sys
source, links = sys.argv[1], sys.argv[2]
for wnid in sorted(os.listdir(source)):
    folder = os.path.join(links, "train", wnid)
    os.makedirs(folder)
    for name in sorted(os.listdir(os.path.join(source, wnid))):
        target = os.path.join(source, wnid, name)
        for copy in range(10):
            os.symlink(target, os.path.join(folder, f"copy{copy}_{name}"))
EOF
  echo "$stamp" >"$links/source"
fi
link_files=$(count_files "$links/train")
say "== memory: $memory_batches batches at 2 workers over $train_files and $link_files files"
for engine in torchvision qnstudio; do
  run "$engine" 2 "$data/train" "$memory_batches" "$out/memory.jsonl" \
    "{\"copies\": 1, \"files\": $train_files, \"load1\": $(cut -d' ' -f1 /proc/loadavg)}"
  run "$engine" 2 "$links/train" "$memory_batches" "$out/memory.jsonl" \
    "{\"copies\": 10, \"files\": $link_files, \"load1\": $(cut -d' ' -f1 /proc/loadavg)}"
done

$python "$here/summarise.py" "$out" --out "$results_md"
say "wrote $results_md"
if [ -s "$out/failures.txt" ]; then
  say "*** some runs failed (listed in $out/failures.txt)"
  exit 1
fi
