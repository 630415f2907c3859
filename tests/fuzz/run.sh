#!/usr/bin/env bash
# Fuzzes the .qnz reader: bash tests/fuzz/run.sh [SECONDS] (default 600).
# Builds tests/fuzz/qnz_reader_fuzzer.cpp and the reader's and writer's sources (no LibTorch) with
# clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer (checksums off, see
# qnz_reader.cpp), then mutates the seed corpus (tests/fuzz/corpus: real exports and their
# unwrapped headers; regenerate with make_corpus.sh) for SECONDS.
# Any allocation over 64 MiB counts as a crash (the reader must never trust a length).
# New inputs go to build/fuzz/corpus; a crash is written to build/fuzz/crash-* and the
# script exits non-zero: fix it, then commit the input under tests/fuzz/corpus so that
# test_checkpoint replays it forever.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-600}
out=${QNS_FUZZ_DIR:-$root/build/fuzz}
mkdir -p "$out/corpus"

if ! command -v clang++ >/dev/null || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  sudo_or_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_or_root apt-get update -q
  sudo_or_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    clang libclang-rt-14-dev nlohmann-json3-dev zlib1g-dev
fi

clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
  -I"$root/core" "$root/tests/fuzz/qnz_reader_fuzzer.cpp" "$root/core/io/qnz_reader.cpp" \
  "$root/core/io/qnz_format.cpp" "$root/core/io/qnz_writer.cpp" -lz -o "$out/qnz_reader_fuzzer"

"$out/qnz_reader_fuzzer" "$out/corpus" "$root/tests/fuzz/corpus" \
  -max_total_time="$seconds" -max_len=65536 -malloc_limit_mb=64 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" -print_final_stats=1
