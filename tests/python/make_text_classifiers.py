"""Scripted text classifiers for test_text_classification, from the RoBERTa of
experiments/paper_systems/roberta.py (HuggingFace's layout), written to FOLDER:
  pair_classifier.pt      vocabulary 50257 (GPT-2's), 3 classes, model(input_ids, attention_mask)
  small_vocabulary.pt     the same with 1,000 words: GPT-2's tokenizer is not its own
  four_inputs.pt          a forward of four tensors: not a text classifier
  encoder_classifier.pt   nn.TransformerEncoder, 3 classes (attention in in_proj_weight)
  python3 make_text_classifiers.py SOURCE_ROOT FOLDER
"""
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(sys.argv[1]) / "experiments" / "paper_systems"))
import roberta  # noqa: E402


class FourInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50257, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
        return self.out(self.embed(a).mean(1))


def tiny(vocabulary: int) -> roberta.RobertaConfig:
    return roberta.RobertaConfig(vocabulary=vocabulary, hidden=16, layers=2, heads=2, ffn=32,
                                 positions=40, classes=3, padding_idx=0, dropout=0.0)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    save = lambda model, name: torch.jit.script(model).save(str(folder / name))  # noqa: E731
    save(roberta.RobertaForSequenceClassification(tiny(50257)), "pair_classifier.pt")
    save(roberta.RobertaForSequenceClassification(tiny(1000)), "small_vocabulary.pt")
    save(FourInputs(), "four_inputs.pt")
    save(roberta.TransformerEncoderClassifier(50257, 16, 2, 2, 32, 40, 3, padding_idx=0, dropout=0.0),
         "encoder_classifier.pt")


if __name__ == "__main__":
    main(Path(sys.argv[2]))
