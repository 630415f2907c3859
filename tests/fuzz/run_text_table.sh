#!/usr/bin/env bash
# Fuzzes the text-classification table reader: bash tests/fuzz/run_text_table.sh [SECONDS]
# (default 300). Builds tests/fuzz/text_table_fuzzer.cpp with core/data/text_table.cpp (no
# LibTorch) under clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, and
# mutates seeds of each format (MNLI-like TSV, quoted CSV, JSON lines) for SECONDS. Any
# allocation over 64 MiB counts as a crash. A crash is written to build/fuzz/text_table/crash-*
# and the script exits non-zero. (clang and libclang-rt-14-dev: tests/fuzz/run.sh installs them.)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-300}
out=${QNS_FUZZ_DIR:-$root/build/fuzz}/text_table
mkdir -p "$out/corpus" "$out/seeds"
printf '\004index\tsentence1\tsentence2\tgold_label\n0\tA "b".\tC.\tentailment\n1\tD\tE\tneutral\n' \
  > "$out/seeds/mnli.tsv"
printf '\005sentence1,sentence2,gold_label\r\n"a, ""b""",c,x\r\n"two\nlines",d,y\r\n' > "$out/seeds/quoted.csv"
printf '\006{"sentence1": "a", "sentence2": "b", "gold_label": 1}\n{"sentence1": "\\u00e9", "sentence2": "", "gold_label": "x"}\n' \
  > "$out/seeds/lines.jsonl"
clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/core" "$root/tests/fuzz/text_table_fuzzer.cpp" "$root/core/data/text_table.cpp" \
  "$root/core/common/file_bytes.cpp" "$root/core/common/utf8.cpp" -o "$out/text_table_fuzzer"
"$out/text_table_fuzzer" "$out/corpus" "$out/seeds" -max_total_time="$seconds" -max_len=4096 \
  -malloc_limit_mb=64 -rss_limit_mb=2048 -artifact_prefix="$out/" -print_final_stats=1
