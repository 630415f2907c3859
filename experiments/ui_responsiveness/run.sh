#!/usr/bin/env bash
# UI responsiveness: QNStudio's longest UI-thread stall while a run trains (in another
# process, on the same store) and the Pareto view shows a store of 300 finished runs. The
# window is drawn offscreen (QT_QPA_PLATFORM=offscreen) and reloads once a second.
#   bash experiments/ui_responsiveness/run.sh     (writes results.md here; ~1 minute)
set -euo pipefail
command -v jq >/dev/null || { echo "needs jq (apt-get install jq)" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/installer/setup.sh" build >&2
bin=${QNS_BUILD_DIR:-$root/build}/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/big.sqlite
preset=$root/resources/presets/fmnist-convnet.json
runs=${RUNS:-300}
seconds=${SECONDS_MEASURED:-30}

"$bin/qnoise" train --config "$preset" --set data.train_limit=512 --set train.max_steps=5 \
  --db "$db" >/dev/null 2>&1
python3 "$here/fill_store.py" "$db" "$runs" >&2
# Short runs one after another, so that runs start and end (full reloads of the list and
# the Pareto front) while curves grow (live redraws).
cat >"$work/sweep.json" <<JSON
{"name": "stall load", "base": $(jq -c . "$preset"),
 "grid": {"train.max_steps": [40], "data.train_limit": [2000], "noise.p": [0.1, 0.2, 0.3, 0.4,
          0.5, 0.6, 0.7, 0.8, 0.9], "noise.mode": ["quant-noise"], "quant.method": ["int"]}}
JSON
"$bin/qnoise" sweep --spec "$work/sweep.json" --db "$db" >/dev/null 2>&1 &
trainer=$!
sleep 5
QT_QPA_PLATFORM=offscreen "$bin/qnstudio" --db "$db" --view pareto --measure-stalls "$seconds" \
  2>/dev/null >"$work/stalls.json"
kill "$trainer"
stalls=$(cat "$work/stalls.json")
{
  echo "# UI responsiveness"
  echo
  echo "Longest UI-thread stall of \`qnstudio\` (Pareto view, offscreen, reloading the store once"
  echo "a second) over $seconds s while a sweep of short ConvNet runs trains in another process on"
  echo "the same store, which starts with $((runs + 1)) runs ($runs finished with 150-step curves). Measured by a 5 ms"
  echo "timer (\`qnstudio --measure-stalls\`): a stall is the delay of a tick beyond its period."
  echo "Made by \`bash experiments/ui_responsiveness/run.sh\` on $(nproc) CPU cores, $(date -u +%Y-%m-%d)."
  echo
  echo '```'
  echo "$stalls"
  echo '```'
} >"$here/results.md"
cat "$here/results.md"
