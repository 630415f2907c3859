"""Writes the TorchScript models the scripted-model tests load, into the folder argv[1].

Made at test time by Debian's python3-torch (the same LibTorch as the engine), so the files
are what a user's torch.jit.save writes:
  small_cnn.pt       scripted: 3x3 conv + BatchNorm, depthwise 3x3, 1x1 conv, Linear
  small_cnn_traced.pt the same network traced
  three_channels.pt  expects 3-channel images (does not fit Fashion-MNIST)
  four_classes.pt    returns 4 logits per image (not the task's 10 classes)
  no_layers.pt       only activations: nothing to compress
  row_transformer.pt nn.TransformerEncoder over an image's rows (MultiheadAttention)
  not_torchscript.pt text, and truncated.pt the first half of small_cnn.pt
"""
import sys
from pathlib import Path

import torch
from torch import nn


class SmallCnn(nn.Module):
    def __init__(self, in_channels: int = 1, classes: int = 10):
        super().__init__()
        self.stem = nn.Conv2d(in_channels, 8, 3, padding=1, bias=False)
        self.stem_norm = nn.BatchNorm2d(8)
        self.features = nn.Sequential(
            nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False),  # depthwise
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.Conv2d(8, 16, 1),  # pointwise
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(4),
        )
        self.fc = nn.Linear(16 * 4 * 4, classes)

    def forward(self, x):
        x = torch.relu(self.stem_norm(self.stem(x)))
        return self.fc(torch.flatten(self.features(x), 1))


class RowTransformer(nn.Module):
    """PyTorch's own nn.TransformerEncoder over an image's 28 rows as 28 tokens: its
    attention keeps query, key and value in one in_proj_weight."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.embed = nn.Linear(28, 32)
        layer = nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(32, classes)

    def forward(self, x):
        tokens = self.embed(x.reshape(x.shape[0], 28, 28))
        return self.head(self.encoder(tokens).mean(1))


class NoLayers(nn.Module):
    def forward(self, x):
        return torch.relu(torch.flatten(x, 1))[:, :10]


class TinyLm(nn.Module):
    """A language model of its own vocabulary: token ids [batch, positions] to logits
    [batch, positions, vocabulary]."""

    def __init__(self, vocabulary: int, tied: bool = False):
        super().__init__()
        self.embed = nn.Embedding(vocabulary, 16)
        self.hidden = nn.Linear(16, 16 if tied else 32)
        self.out = nn.Linear(16 if tied else 32, vocabulary)
        if tied:  # the output projection is the embedding table: one tensor in two modules
            self.out.weight = self.embed.weight

    def forward(self, tokens):
        return self.out(torch.relu(self.hidden(self.embed(tokens))))


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = SmallCnn().eval()
    # Non-trivial BatchNorm statistics, as a pretrained model has.
    with torch.no_grad():
        model.stem_norm.running_mean.uniform_(-0.1, 0.1)
        model.stem_norm.running_var.uniform_(0.5, 1.5)
    model.train()
    torch.jit.save(torch.jit.script(model), str(folder / "small_cnn.pt"))
    torch.jit.save(torch.jit.trace(model.eval(), torch.zeros(2, 1, 28, 28)),
                   str(folder / "small_cnn_traced.pt"))
    torch.jit.save(torch.jit.script(SmallCnn(in_channels=3)), str(folder / "three_channels.pt"))
    torch.jit.save(torch.jit.script(SmallCnn(classes=4)), str(folder / "four_classes.pt"))
    torch.jit.save(torch.jit.script(NoLayers()), str(folder / "no_layers.pt"))
    torch.jit.save(torch.jit.script(RowTransformer()), str(folder / "row_transformer.pt"))
    torch.jit.save(torch.jit.script(TinyLm(3000)), str(folder / "tiny_lm.pt"))
    torch.jit.save(torch.jit.script(TinyLm(5)), str(folder / "tiny_lm_five_words.pt"))
    torch.jit.save(torch.jit.script(TinyLm(3000, tied=True)), str(folder / "tiny_lm_tied.pt"))
    (folder / "not_torchscript.pt").write_text("this is not a model\n")
    whole = (folder / "small_cnn.pt").read_bytes()
    (folder / "truncated.pt").write_bytes(whole[: len(whole) // 2])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
