"""Test accuracy of any TorchScript Fashion-MNIST classifier, with QNStudio's standardisation.

    /usr/bin/python3 experiments/your_model/evaluate_exported.py PATH.pt [--json]

The model is read with torch.jit.load alone (no Python class is needed: a file exported by
`qnoise export --format torchscript`, or the one pretrain_resnet.py saved), put in eval
mode and fed the standardised test split as (N, 1, 28, 28) float32 batches; its output is
taken as (N, 10) logits. The standardisation uses the whole training split, as a run with
data.train_limit 0 (the default) does; --train-limit N matches a run that set it. Prints the accuracy, or with --json one JSON object: path,
accuracy, correct, examples, file_bytes, parameters, parameter_bytes.
"""
import argparse
import json
import os

import torch

from fmnist_data import DEFAULT_DIR, accuracy, load_fashion_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", help="a TorchScript file (torch.jit.save)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--data", default=DEFAULT_DIR, help="folder of the four IDX files")
    parser.add_argument("--train-limit", type=int, default=0,
                        help="the run's data.train_limit: QNStudio then standardises with the "
                             "statistics of the first N training images (default 0: all)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    model = torch.jit.load(args.path, map_location="cpu")
    model.eval()
    images, labels = load_fashion_mnist(args.data, test_only=True,
                                        train_limit=args.train_limit)["test"]
    result = accuracy(model, images, labels)
    parameters = list(model.parameters())
    summary = {
        "path": args.path,
        "accuracy": result,
        "correct": round(result * labels.numel()),
        "examples": labels.numel(),
        "file_bytes": os.path.getsize(args.path),
        "parameters": sum(p.numel() for p in parameters),
        "parameter_bytes": sum(p.numel() * p.element_size() for p in parameters),
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{args.path}: test accuracy {result:.4f} ({summary['correct']}/"
              f"{summary['examples']}), {summary['file_bytes']:,} bytes")


if __name__ == "__main__":
    main()
