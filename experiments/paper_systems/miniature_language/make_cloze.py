"""The miniature's sentence-pair task, from the Brown corpus: a cloze. Text A is a sentence
with one word replaced by "___", text B a word: does B fill the blank ("fits": the word that
was there) or not ("other": one of the 3,000 commonest words of the training documents,
drawn at random)? Balanced, GLUE-style TSV (index, sentence1, sentence2, label); documents
are split between training and dev, so dev sentences were never seen. Also writes the
training documents' sentences, one a line, for pretraining.

A masked-language model learns exactly this kind of guess, so a briefly pretrained encoder
transfers to it within a few hundred steps on 2 cores; "does B directly follow A" (tried
first) stayed at chance (52.1% after 1,500 fp32 steps).

    python3 make_cloze.py BROWN_FOLDER OUT_FOLDER [--train 16000] [--dev 2000]
"""
import argparse
import collections
import random
from pathlib import Path

BLANK = "___"
COMMON_WORDS = 3000
LONGEST = 40  # words: what max_tokens 64 holds whole


def documents(folder: Path):
    for path in sorted(folder.glob("c[a-r][0-9][0-9]")):
        sentences = []
        for line in path.read_text(encoding="utf-8").splitlines():
            words = [token.rsplit("/", 1)[0] for token in line.split()]
            if len(words) >= 4:  # headings and fragments
                sentences.append(words)
        if sentences:
            yield sentences


def cloze_rows(docs, count, common, rng):
    common_set = set(common)
    rows = []
    while len(rows) < count:
        words = rng.choice(rng.choice(docs))
        blanks = [i for i, w in enumerate(words) if w.lower() in common_set]
        if not blanks or len(words) > LONGEST:
            continue
        i = rng.choice(blanks)
        text = " ".join(words[:i] + [BLANK] + words[i + 1:])
        if len(rows) % 2 == 0:
            rows.append((text, words[i], "fits"))
        else:
            other = rng.choice(common)
            if other != words[i].lower():
                rows.append((text, other, "other"))
    rng.shuffle(rows)
    return rows


def write(path: Path, rows):
    with path.open("w", encoding="utf-8") as out:
        out.write("index\tsentence1\tsentence2\tlabel\n")
        for i, (a, b, label) in enumerate(rows):
            out.write(f"{i}\t{a}\t{b}\t{label}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("brown", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--train", type=int, default=16000)
    parser.add_argument("--dev", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(0)
    docs = list(documents(args.brown))
    rng.shuffle(docs)
    dev_docs, train_docs = docs[:50], docs[50:]
    counts = collections.Counter(w.lower() for doc in train_docs for s in doc for w in s
                                 if w.isalpha() and len(w) > 2)
    common = [w for w, _ in counts.most_common(COMMON_WORDS)]
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "train.tsv", cloze_rows(train_docs, args.train, common, rng))
    write(args.out / "dev.tsv", cloze_rows(dev_docs, args.dev, common, rng))
    with (args.out / "pretrain.txt").open("w", encoding="utf-8") as out:
        for doc in train_docs:
            out.write("\n".join(" ".join(s) for s in doc) + "\n")
    print(f"{len(train_docs)} training and {len(dev_docs)} dev documents; "
          f"{args.train} training and {args.dev} dev pairs")


if __name__ == "__main__":
    main()
