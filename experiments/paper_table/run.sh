#!/usr/bin/env bash
# The paper's table in miniature, headless and resumable (experiments/paper_table/README.md).
#   bash experiments/paper_table/run.sh            the full table into experiments/paper_table
#   QUICK=1 OUT=/tmp/t bash experiments/paper_table/run.sh   CI's reduced version
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$root/installer/setup.sh" build >&2
bin=${QNS_BUILD_DIR:-$root/build}/bin
/usr/bin/python3 "$here/paper_table.py" --qnoise "$bin/qnoise" --qnstudio "$bin/qnstudio" \
  --out "${OUT:-$here}" ${QUICK:+--quick}
