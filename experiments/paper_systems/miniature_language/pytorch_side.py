"""The PyTorch side of the language miniature (run.sh):

  pytorch_side.py pretrain ARCH TOKENS VOCABULARY OUT.pt   masked-language-model pretraining
      of a small RoBERTa-shaped encoder (ARCH roberta, roberta.py) or nn.TransformerEncoder
      (ARCH encoder) on TOKENS (one sentence's ids a line, as `qnoise tokenize` prints them,
      fairseq numbering: <s> 0, <pad> 1, </s> 2, <unk> 3), then a fresh 2-class head;
      saved scripted, called model(input_ids, attention_mask).
  pytorch_side.py evaluate MODEL.pt IDS TSV    accuracy of MODEL on TSV's labels (sorted:
      next 0, other 1), its inputs read from IDS (`qnoise tokenize --pair`'s lines): prints JSON.
"""
import argparse
import os
import json
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import roberta  # noqa: E402

BEGIN, PAD, END = 0, 1, 2
MAX_TOKENS = 64
SHAPE = dict(hidden=128, layers=4, heads=4, ffn=512)


def build(arch: str, vocabulary: int, classes: int) -> nn.Module:
    if arch == "roberta":
        config = roberta.RobertaConfig(vocabulary=vocabulary, positions=MAX_TOKENS + 2, classes=classes,
                                       padding_idx=PAD, layerdrop=0.2, **SHAPE)
        return roberta.RobertaForSequenceClassification(config)
    return roberta.TransformerEncoderClassifier(vocabulary, SHAPE["hidden"], SHAPE["layers"], SHAPE["heads"],
                                                SHAPE["ffn"], MAX_TOKENS, classes, padding_idx=PAD)


def token_embedding(model: nn.Module) -> nn.Embedding:
    return model.roberta.embeddings.word_embeddings if hasattr(model, "roberta") else model.tokens


def encoder_states(model: nn.Module, ids, mask):
    if hasattr(model, "roberta"):
        return model.roberta(ids, mask)
    positions = torch.arange(ids.shape[1])
    x = model.tokens(ids) + model.positions(positions)[None]
    return model.encoder(x, src_key_padding_mask=mask == 0)


def batches(sentences, size, generator):
    order = torch.randperm(len(sentences), generator=generator)
    for start in range(0, len(order) - size + 1, size):
        rows = [sentences[i] for i in order[start:start + size]]
        width = max(len(r) for r in rows)
        ids = torch.full((size, width), PAD, dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = torch.tensor(r)
        yield ids, (ids != PAD).long()


def pretrain(args):
    torch.manual_seed(0)
    vocabulary = args.vocabulary + 1  # and <mask>
    mask_id = args.vocabulary
    sentences = [[BEGIN] + json.loads(line)[:MAX_TOKENS - 2] + [END] for line in open(args.tokens)]
    model = build(args.arch, vocabulary, classes=2)
    embedding = token_embedding(model)
    output_bias = nn.Parameter(torch.zeros(vocabulary))  # the MLM head: tied to the embedding
    optimizer = torch.optim.AdamW(list(model.parameters()) + [output_bias], lr=5e-4, weight_decay=0.01)
    generator = torch.Generator().manual_seed(0)
    started, step = time.time(), 0
    model.train()
    while time.time() - started < args.seconds:
        for ids, mask in batches(sentences, 64, generator):
            chosen = (torch.rand(ids.shape, generator=generator) < 0.15) & (mask == 1) & (ids > END)
            inputs = ids.masked_fill(chosen, mask_id)
            states = encoder_states(model, inputs, mask)[chosen]
            logits = states @ embedding.weight.t() + output_bias
            loss = nn.functional.cross_entropy(logits, ids[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if step % 100 == 0:
                print(f"step {step} masked-token loss {loss.item():.3f} ({time.time() - started:.0f} s)", file=sys.stderr)
            if time.time() - started >= args.seconds:
                break
    model.eval()
    torch.jit.script(model).save(args.out)
    print(json.dumps({"arch": args.arch, "steps": step, "seconds": round(time.time() - started),
                      "masked_token_loss": round(loss.item(), 3),
                      "parameters": sum(p.numel() for p in model.parameters())}))


def evaluate(args):
    model = torch.jit.load(args.model).eval()
    labels = sorted({line.rstrip("\n").split("\t")[3] for line in open(args.tsv)} - {"label"})
    rows = [line.rstrip("\n").split("\t") for line in open(args.tsv)][1:]
    inputs = [json.loads(line) for line in open(args.ids)]
    right = 0
    with torch.no_grad():
        for start in range(0, len(rows), 64):
            chunk = inputs[start:start + 64]
            width = max(len(r) for r in chunk)
            ids = torch.full((len(chunk), width), PAD, dtype=torch.long)
            for i, r in enumerate(chunk):
                ids[i, :len(r)] = torch.tensor(r)
            predicted = model(ids, (ids != PAD).long()).argmax(-1)
            truth = torch.tensor([labels.index(r[3]) for r in rows[start:start + 64]])
            right += int((predicted == truth).sum())
    print(json.dumps({"accuracy": right / len(rows), "examples": len(rows)}))


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("pretrain")
    p.add_argument("arch", choices=["roberta", "encoder"])
    p.add_argument("tokens")
    p.add_argument("vocabulary", type=int)
    p.add_argument("out")
    p.add_argument("--seconds", type=float, default=300)
    e = commands.add_parser("evaluate")
    e.add_argument("model")
    e.add_argument("ids")
    e.add_argument("tsv")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)  # Debian's torch starts with one thread here
    pretrain(args) if args.command == "pretrain" else evaluate(args)


if __name__ == "__main__":
    main()
