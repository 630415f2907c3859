#!/usr/bin/env bash
# UI responsiveness: QNStudio's longest UI-thread stall while runs train (in the GUI's own
# engine thread, then in another process on the same store) and the Pareto view shows a
# store of 300 finished runs. The window is drawn offscreen (QT_QPA_PLATFORM=offscreen) and
# reloads once a second. Needs jq and sqlite3.
#   bash experiments/ui_responsiveness/run.sh     (writes RESULTS.md here; ~3 minutes)
set -euo pipefail
for tool in jq sqlite3; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 1; }
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/installer/setup.sh" build >&2
bin=${QNS_BUILD_DIR:-$root/build}/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
preset=$root/resources/presets/fmnist-convnet.json
runs=${RUNS:-300}
seconds=${SECONDS_MEASURED:-60}

"$bin/qnoise" train --config "$preset" --set data.train_limit=512 --set train.max_steps=5 \
  --db "$work/base.sqlite" >/dev/null 2>&1
python3 "$here/fill_store.py" "$work/base.sqlite" "$runs" >&2
# Short runs one after another, so that runs start and end (full reloads of the list and
# the Pareto front) while curves grow (live redraws).
cat >"$work/sweep.json" <<JSON
{"name": "stall load", "base": $(jq -c . "$preset"),
 "grid": {"train.max_steps": [40], "data.train_limit": [2000], "noise.p": [0.1, 0.2, 0.3, 0.4,
          0.5, 0.6, 0.7, 0.8, 0.9], "noise.mode": ["quant-noise"], "quant.method": ["int"]}}
JSON
measure() {  # extra qnstudio arguments; prints the stall meter's JSON
  QT_QPA_PLATFORM=offscreen "$bin/qnstudio" --db "$work/big.sqlite" --view pareto \
    --measure-stalls "$seconds" "$@" 2>/dev/null
}
done_runs() { sqlite3 "$work/big.sqlite" "SELECT count(*) FROM runs WHERE status = 'done'"; }
# 1. The GUI trains the sweep itself (its engine thread, as after pressing Sweep).
cp "$work/base.sqlite" "$work/big.sqlite"
in_process=$(measure --sweep "$work/sweep.json")
in_process_done=$(($(done_runs) - runs - 1))
# 2. A CLI sweep trains it in another process on the same store.
cp "$work/base.sqlite" "$work/big.sqlite"
"$bin/qnoise" sweep --spec "$work/sweep.json" --db "$work/big.sqlite" >/dev/null 2>&1 &
trainer=$!
sleep 5
other_process=$(measure)
kill "$trainer"
other_process_done=$(($(done_runs) - runs - 1))
{
  echo "# UI responsiveness"
  echo
  echo "Longest UI-thread stall of \`qnstudio\` (Pareto view, offscreen, reloading the store once"
  echo "a second) over $seconds s while a sweep of short ConvNet runs (40 steps each) trains on a"
  echo "store that starts with $((runs + 1)) runs ($runs finished with 150-step curves). Measured by a"
  echo "5 ms timer (\`qnstudio --measure-stalls\`): a stall is the delay of a tick beyond its period;"
  echo "the first 0.5 s (the window's first layout and paint) is reported apart, as startup_stall_ms."
  echo "Made by \`bash experiments/ui_responsiveness/run.sh\` on $(nproc) CPU cores, $(date -u +%Y-%m-%d)."
  echo
  echo "| who trains | runs finished meanwhile | stalls |"
  echo "| --- | ---: | --- |"
  echo "| the GUI's engine thread (\`--sweep\`) | $in_process_done | \`$in_process\` |"
  echo "| \`qnoise sweep\` in another process | $other_process_done | \`$other_process\` |"
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"
