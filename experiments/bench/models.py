"""QNStudio's two architectures in PyTorch, built from a run config as core/train/task_model
builds them, so that a benchmark times the same model on both sides (twin.py checks that the
parameter counts agree)."""
import math

import torch
from torch import nn


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, expansion, stride):
        super().__init__()
        mid = cin * expansion
        layers = []
        if expansion > 1:
            layers += [nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.SiLU()]
        layers += [nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False), nn.BatchNorm2d(mid),
                   nn.SiLU(), nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class ConvNet(nn.Module):
    """core/nn/convnet.h: stem 3x3 -> width, blocks width -> 1.5 width (x1, /2),
    1.5 width -> 1.5 width (x4), 1.5 width -> 2.5 width (x4, /2), then -> hidden -> classes.
    The preset (width 16, hidden 512, 28x28x1, 10 classes) has 1,023,322 parameters."""

    def __init__(self, image_shape, classes, width=16, hidden=512):
        super().__init__()
        channels, height, breadth = image_shape
        mid, last = width * 3 // 2, width * 5 // 2
        self.stem = nn.Sequential(nn.Conv2d(channels, width, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(width), nn.SiLU())
        self.blocks = nn.Sequential(InvertedResidual(width, mid, 1, 2),
                                    InvertedResidual(mid, mid, 4, 1),
                                    InvertedResidual(mid, last, 4, 2))
        spatial = math.ceil(math.ceil(height / 2) / 2) * math.ceil(math.ceil(breadth / 2) / 2)
        self.hidden = nn.Linear(last * spatial, hidden)
        self.classifier = nn.Linear(hidden, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.classifier(nn.functional.silu(self.hidden(x.flatten(1))))


class SelfAttention(nn.Module):
    def __init__(self, dim, heads, dropout):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value, self.output = (nn.Linear(dim, dim) for _ in range(4))
        self.attention_dropout = nn.Dropout(dropout)

    def forward(self, x):
        batch, length, dim = x.shape
        head_dim = dim // self.heads

        def split(t):
            return t.view(batch, length, self.heads, head_dim).transpose(1, 2)

        query, key, value = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(head_dim)
        future = torch.ones(length, length, dtype=torch.bool, device=x.device).triu(1)
        weights = self.attention_dropout(torch.softmax(scores.masked_fill(future, -math.inf), -1))
        return self.output(torch.matmul(weights, value).transpose(1, 2).reshape(batch, length, dim))


class TransformerLayer(nn.Module):
    def __init__(self, dim, heads, ffn, dropout):
        super().__init__()
        self.attention_norm, self.ffn_norm = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = SelfAttention(dim, heads, dropout)
        self.expand, self.project = nn.Linear(dim, ffn), nn.Linear(ffn, dim)
        self.ffn_dropout, self.dropout = nn.Dropout(dropout), nn.Dropout(dropout)

    def forward(self, x):
        x = x + self.dropout(self.attention(self.attention_norm(x)))
        inner = self.ffn_dropout(nn.functional.gelu(self.expand(self.ffn_norm(x))))
        return x + self.dropout(self.project(inner))


class TransformerLM(nn.Module):
    """core/nn/transformer_lm.h: embedding + learned positions, pre-norm layers, a final
    LayerNorm, the output tied to the embedding (or a Linear without bias)."""

    def __init__(self, vocabulary, dim, layers, heads, ffn, context, tied_embeddings, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, dim)
        self.position = nn.Parameter(0.02 * torch.randn(context, dim))
        self.layers = nn.ModuleList(TransformerLayer(dim, heads, ffn, dropout)
                                    for _ in range(layers))
        self.final_norm = nn.LayerNorm(dim)
        self.output = None if tied_embeddings else nn.Linear(dim, vocabulary, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, tokens):
        table = self.embedding.weight  # once: a noisy weight is drawn once a step, as in C++
        x = self.dropout(nn.functional.embedding(tokens, table) + self.position[:tokens.shape[1]])
        for layer in self.layers:
            x = layer(x)
        x = self.final_norm(x)
        return self.output(x) if self.output is not None else x @ table.t()


def build(config, classes, image_shape):
    """The model of a run config (its "model" section) for the data's classes (or vocabulary)
    and image shape."""
    model = config["model"]
    if model["arch"] == "convnet":
        return ConvNet(image_shape, classes, model.get("width", 16), model.get("hidden", 512))
    if model["arch"] == "transformer-lm":
        return TransformerLM(classes, model["dim"], model["layers"], model["heads"], model["ffn"],
                             model["context"], model.get("tied_embeddings", True),
                             model.get("dropout", 0.1))
    raise SystemExit(f"twin: no PyTorch twin of model.arch {model['arch']!r}")


def random_data(config, classes, image_shape, rows=4096):
    """Random inputs and targets of the task's shapes: the twin times the model, not a disk."""
    if config["model"]["arch"] == "transformer-lm":
        context = config["model"]["context"]
        return (torch.randint(0, classes, (rows, context)),
                torch.randint(0, classes, (rows, context)))
    return torch.randn(rows, *image_shape), torch.randint(0, classes, (rows,))
