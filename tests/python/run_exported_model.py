"""Runs a TorchScript file QNStudio exported, with python3-torch alone, on an input made
the same way in C++, and reports its logits and the file's make-up as JSON.

    python3 run_exported_model.py MODEL.pt images N C H W
    python3 run_exported_model.py MODEL.pt tokens N T VOCABULARY

images: sin(0, 1, 2, ...) reshaped to (N, C, H, W); tokens: (7 * i) % VOCABULARY as int64,
shaped (N, T). Prints {"training", "shape", "logits" (flat), "archive": {"bytes",
"tensor_bytes" (the tensors' storages, data/ in the zip), "other_bytes" (code, pickles,
zip records)}}. Used by test_compact_export and experiments/compact_export.
"""
import json
import math
import os
import sys
import zipfile

import torch


def make_input(kind, sizes):
    count = math.prod(sizes)
    if kind == "images":
        return torch.sin(torch.arange(count, dtype=torch.float32)).reshape(sizes)
    vocabulary = sizes.pop()
    return (torch.arange(math.prod(sizes), dtype=torch.int64) * 7 % vocabulary).reshape(sizes)


def archive_make_up(path):
    with zipfile.ZipFile(path) as archive:
        tensor_bytes = sum(entry.file_size for entry in archive.infolist()
                           if entry.filename.split("/")[1:2] == ["data"])
    total = os.path.getsize(path)
    return {"bytes": total, "tensor_bytes": tensor_bytes, "other_bytes": total - tensor_bytes}


def main():
    path, kind, sizes = sys.argv[1], sys.argv[2], [int(value) for value in sys.argv[3:]]
    model = torch.jit.load(path)
    with torch.no_grad():
        logits = model(make_input(kind, sizes))
    print(json.dumps({"training": model.training, "shape": list(logits.shape),
                      "logits": logits.flatten().tolist(), "archive": archive_make_up(path)}))


if __name__ == "__main__":
    main()
