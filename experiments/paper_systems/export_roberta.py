"""Writes RoBERTa for sequence classification (roberta.py, HuggingFace's layout) as a
TorchScript file QNStudio fine-tunes and compresses, called model(input_ids, attention_mask).

  /usr/bin/python3 experiments/paper_systems/export_roberta.py OUT.pt [--weights W.bin]
      [--classes 3] [--layerdrop 0.2] [--size base|large] [--keep-layers 0,2,4,6,8,10]

--weights: a HuggingFace state dict (pytorch_model.bin of roberta-base, or of a model
fine-tuned from it, e.g. on MNLI): its "roberta.*" tensors load by name; a checkpoint
without "classifier.*" (a masked-LM one) keeps the fresh classification head, and the
script says so. fairseq's own checkpoints name their tensors differently: convert them
with HuggingFace's convert_roberta_original_pytorch_checkpoint_to_pytorch.py first.
--keep-layers: only these encoder layers, renumbered in order (fairseq's
--encoder-layers-to-keep): the pruning a model trained with LayerDrop allows.
Without --weights the weights are random: enough for sizes (qnoise inspect --config), not
to train. The tokenizer is the model's own: vocab.json + merges.txt beside the weights
(data.tokenizer names their folder).
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import roberta  # noqa: E402

SIZES = {"base": dict(hidden=768, layers=12, heads=12, ffn=3072),
         "large": dict(hidden=1024, layers=24, heads=16, ffn=4096)}


def keep_layers(state, kept):
    """The state dict with encoder layer kept[i] renamed layer i, the others left out."""
    renamed = {}
    for name, tensor in state.items():
        parts = name.split(".")
        if name.startswith("roberta.encoder.layer."):
            old = int(parts[3])
            if old not in kept:
                continue
            parts[3] = str(kept.index(old))
        renamed[".".join(parts)] = tensor
    return renamed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--weights")
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--layerdrop", type=float, default=0.2)
    parser.add_argument("--size", choices=sorted(SIZES), default="base")
    parser.add_argument("--keep-layers", type=lambda text: [int(i) for i in text.split(",")])
    args = parser.parse_args()
    shape = dict(SIZES[args.size])
    kept = args.keep_layers or list(range(shape["layers"]))
    if any(i < 0 or i >= shape["layers"] for i in kept) or len(set(kept)) != len(kept):
        sys.exit(f"--keep-layers must list distinct layers of the {shape['layers']}")
    shape["layers"] = len(kept)
    config = roberta.RobertaConfig(classes=args.classes, layerdrop=args.layerdrop, **shape)
    model = roberta.RobertaForSequenceClassification(config)
    if args.weights:
        state = keep_layers(torch.load(args.weights, map_location="cpu"), kept)
        missing, unexpected = model.load_state_dict(state, strict=False)
        kept_head = [name for name in missing if name.startswith("classifier.")]
        missing = [name for name in missing if not name.startswith("classifier.")]
        unexpected = [name for name in unexpected
                      if not name.startswith(("lm_head.", "roberta.pooler.")) and not name.endswith("position_ids")]
        if missing or unexpected:
            sys.exit(f"{args.weights} is not a RoBERTa-{args.size} state dict: missing {missing[:5]}, "
                     f"unexpected {unexpected[:5]}")
        if kept_head:
            print("no classifier.* in the weights: the classification head is new (fine-tuning trains it)")
    model.eval()
    torch.jit.script(model).save(args.out)
    print(f"wrote {args.out}: {sum(p.numel() for p in model.parameters()):,} parameters")


if __name__ == "__main__":
    main()
