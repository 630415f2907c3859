"""Accuracy of a TorchScript text classifier on packed inputs, as PyTorch computes it:
  python3 score_text_classifier.py MODEL.pt INPUTS.json
INPUTS.json: {"input_ids": [[...]], "attention_mask": [[...]], "labels": [...]}. Prints
{"accuracy", "label_names": the module's `labels` attribute, or null}."""
import json
import sys

import torch

model = torch.jit.load(sys.argv[1]).eval()
data = json.load(open(sys.argv[2]))
with torch.no_grad():
    logits = model(torch.tensor(data["input_ids"]), torch.tensor(data["attention_mask"]))
accuracy = float((logits.argmax(-1) == torch.tensor(data["labels"])).double().mean())
print(json.dumps({"accuracy": accuracy, "label_names": getattr(model, "labels", None)}))
