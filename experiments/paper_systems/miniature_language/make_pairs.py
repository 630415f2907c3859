"""The miniature's sentence-pair task, from the Brown corpus: does sentence B directly
follow sentence A in the same document ("next"), or was B drawn from another document
("other")? Balanced, GLUE-style TSV (index, sentence1, sentence2, label); documents are
split between training and dev, so dev sentences were never seen. Also writes every
training document's sentences, one a line, for pretraining.

    python3 make_pairs.py BROWN_FOLDER OUT_FOLDER [--train 16000] [--dev 2000]
"""
import argparse
import random
from pathlib import Path


def documents(folder: Path):
    for path in sorted(folder.glob("c[a-r][0-9][0-9]")):
        sentences = []
        for line in path.read_text(encoding="utf-8").splitlines():
            words = [token.rsplit("/", 1)[0] for token in line.split()]
            if len(words) >= 4:  # headings and fragments say nothing of what follows
                sentences.append(" ".join(words))
        if len(sentences) >= 2:
            yield sentences


def pairs(docs, count, rng):
    rows = []
    while len(rows) < count:
        doc = rng.randrange(len(docs))
        i = rng.randrange(len(docs[doc]) - 1)
        if len(rows) % 2 == 0:
            rows.append((docs[doc][i], docs[doc][i + 1], "next"))
        else:
            other = rng.choice([d for d in range(len(docs)) if d != doc])
            rows.append((docs[doc][i], rng.choice(docs[other]), "other"))
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
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "train.tsv", pairs(train_docs, args.train, rng))
    write(args.out / "dev.tsv", pairs(dev_docs, args.dev, rng))
    with (args.out / "pretrain.txt").open("w", encoding="utf-8") as out:
        for doc in train_docs:
            out.write("\n".join(doc) + "\n")
    print(f"{len(train_docs)} training and {len(dev_docs)} dev documents; "
          f"{args.train} training and {args.dev} dev pairs")


if __name__ == "__main__":
    main()
