#!/usr/bin/env bash
# Fuzzes the tokenizer files a user brings: bash tests/fuzz/run_tokenizer_files.sh [SECONDS]
# (default 300). Builds tests/fuzz/tokenizer_files_fuzzer.cpp with the BPE and WordPiece
# readers (no LibTorch) under clang's libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer, and mutates seeds of each family for SECONDS: a small GPT-2
# vocabulary (its 256 byte tokens and a few merges, with and without a fairseq dict.txt) and
# a BERT vocab.txt. Any allocation over 64 MiB counts as a crash. A crash is written to
# build/fuzz/tokenizer_files/crash-* and the script exits non-zero. (clang and
# libclang-rt-14-dev: tests/fuzz/run.sh installs them.)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-300}
out=${QNS_FUZZ_DIR:-$root/build/fuzz}/tokenizer_files
mkdir -p "$out/corpus" "$out/seeds"
/usr/bin/python3 - "$out/seeds" <<'PY'
import json, sys
from pathlib import Path
# GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others from U+0100 on.
printable = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
chars, extra = {}, 0
for b in range(256):
    if b in printable:
        chars[b] = chr(b)
    else:
        chars[b] = chr(256 + extra)
        extra += 1
vocabulary = {chars[b]: i for i, b in enumerate(range(256))}
merges = [("\u0120", "t"), ("h", "e"), ("\u0120t", "he"), ("l", "l"), ("o", "r")]
for a, b in merges:
    vocabulary[a + b] = len(vocabulary)
vocabulary["<|endoftext|>"] = len(vocabulary)
encoder = json.dumps(vocabulary, ensure_ascii=False).encode()
bpe = ("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)).encode()
seeds = Path(sys.argv[1])
(seeds / "bpe").write_bytes(b"\x00" + encoder + b"\x01\x02" + bpe)
(seeds / "bpe_dict").write_bytes(b"\x02" + encoder + b"\x01\x02" + bpe + b"\x01\x02" + b"256 10\n44 3\n260 1\n")
(seeds / "wordpiece").write_bytes(b"\x01[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\ncafe\n\xe6\x97\xa5\n")
PY
clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/core" "$root/tests/fuzz/tokenizer_files_fuzzer.cpp" "$root/core/data/byte_level_bpe.cpp" \
  "$root/core/data/wordpiece.cpp" "$root/core/data/input_framing.cpp" "$root/core/data/tokenizer.cpp" \
  "$root/core/common/file_bytes.cpp" "$root/core/common/utf8.cpp" \
  -lpcre2-8 -licuuc -o "$out/tokenizer_files_fuzzer"
"$out/tokenizer_files_fuzzer" "$out/corpus" "$out/seeds" -max_total_time="$seconds" -max_len=8192 \
  -malloc_limit_mb=64 -rss_limit_mb=2048 -artifact_prefix="$out/" -print_final_stats=1
