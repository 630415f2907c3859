"""RoBERTa for sequence classification in plain PyTorch, laid out as HuggingFace's
RobertaForSequenceClassification (the same module names, so its state dict loads as it is),
and scriptable: what QNStudio trains and compresses for the paper's language system.

    model = RobertaForSequenceClassification(RobertaConfig.base(classes=3))
    torch.jit.script(model).save("roberta_base.pt")
    logits = model(input_ids, attention_mask)          # [batch, classes]

Every weight that acts as a linear map is an nn.Linear (query, key, value and output of
each attention, the feed-forward pair, the classification head) or an nn.Embedding (words,
positions, token types): QNStudio finds and compresses each by its class.
"""
import math
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class RobertaConfig:
    vocabulary: int = 50265
    hidden: int = 768
    layers: int = 12
    heads: int = 12
    ffn: int = 3072
    positions: int = 514  # 512 tokens after RoBERTa's offset of padding_idx + 1
    token_types: int = 1
    padding_idx: int = 1  # fairseq's <pad>
    classes: int = 3
    dropout: float = 0.1
    layerdrop: float = 0.0  # LayerDrop (Fan et al. 2019): each layer skipped in training at this rate

    @staticmethod
    def base(classes: int = 3) -> "RobertaConfig":
        return RobertaConfig(classes=classes)


class RobertaEmbeddings(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.padding_idx = config.padding_idx
        self.word_embeddings = nn.Embedding(config.vocabulary, config.hidden, padding_idx=config.padding_idx)
        self.position_embeddings = nn.Embedding(config.positions, config.hidden, padding_idx=config.padding_idx)
        self.token_type_embeddings = nn.Embedding(config.token_types, config.hidden)
        self.LayerNorm = nn.LayerNorm(config.hidden, eps=1e-5)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        # RoBERTa numbers positions from padding_idx + 1 and gives padding padding_idx.
        mask = attention_mask.long()
        positions = torch.cumsum(mask, dim=1) * mask + self.padding_idx
        types = torch.zeros_like(input_ids)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings(types)
        return self.dropout(self.LayerNorm(x))


class RobertaSelfAttention(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.heads = config.heads
        self.head_size = config.hidden // config.heads
        self.query = nn.Linear(config.hidden, config.hidden)
        self.key = nn.Linear(config.hidden, config.hidden)
        self.value = nn.Linear(config.hidden, config.hidden)
        self.dropout = nn.Dropout(config.dropout)

    def split(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_size).transpose(1, 2)

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size) + additive_mask
        context = torch.matmul(self.dropout(torch.softmax(scores, dim=-1)), v)
        return context.transpose(1, 2).reshape(x.shape[0], x.shape[1], self.heads * self.head_size)


class RobertaSelfOutput(nn.Module):
    """A projection back to the model's width, added to the residual and normalised: after
    attention (width to width) and, as RobertaOutput, after the feed-forward (ffn to width)."""

    def __init__(self, config: RobertaConfig, inputs: int = 0):
        super().__init__()
        self.dense = nn.Linear(inputs or config.hidden, config.hidden)
        self.LayerNorm = nn.LayerNorm(config.hidden, eps=1e-5)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class RobertaAttention(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.self = RobertaSelfAttention(config)
        self.output = RobertaSelfOutput(config)

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, additive_mask), x)


class RobertaIntermediate(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden, config.ffn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.gelu(self.dense(x))


class RobertaLayer(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.attention = RobertaAttention(config)
        self.intermediate = RobertaIntermediate(config)
        self.output = RobertaSelfOutput(config, inputs=config.ffn)

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        attended = self.attention(x, additive_mask)
        return self.output(self.intermediate(attended), attended)


class RobertaEncoder(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.layerdrop = config.layerdrop
        self.layer = nn.ModuleList([RobertaLayer(config) for _ in range(config.layers)])

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layer:
            dropped = self.training and self.layerdrop > 0 and float(torch.rand(1)) < self.layerdrop
            if not dropped:
                x = layer(x, additive_mask)
        return x


class RobertaModel(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.embeddings = RobertaEmbeddings(config)
        self.encoder = RobertaEncoder(config)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        # 0 where a token may be attended to, a large negative number at padding.
        additive = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        return self.encoder(self.embeddings(input_ids, attention_mask), additive)


class RobertaClassificationHead(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden, config.hidden)
        self.dropout = nn.Dropout(config.dropout)
        self.out_proj = nn.Linear(config.hidden, config.classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = self.dropout(features[:, 0, :])  # <s>
        return self.out_proj(self.dropout(torch.tanh(self.dense(x))))


def init_weights(model: nn.Module) -> None:
    """RoBERTa's initialisation: every linear map and embedding N(0, 0.02), biases 0 (an
    embedding's N(0, 1) default makes a tied output layer's first logits huge)."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)


class RobertaForSequenceClassification(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.roberta = RobertaModel(config)
        self.classifier = RobertaClassificationHead(config)
        init_weights(self)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.roberta(input_ids, attention_mask))


class TransformerEncoderClassifier(nn.Module):
    """PyTorch's own nn.TransformerEncoder as a pair classifier: its attention keeps query,
    key and value in one in_proj_weight (QNStudio compresses it whole)."""

    def __init__(self, vocabulary: int, hidden: int, layers: int, heads: int, ffn: int,
                 positions: int, classes: int, padding_idx: int = 1, dropout: float = 0.1):
        super().__init__()
        self.tokens = nn.Embedding(vocabulary, hidden, padding_idx=padding_idx)
        self.positions = nn.Embedding(positions, hidden)
        layer = nn.TransformerEncoderLayer(hidden, heads, dim_feedforward=ffn, dropout=dropout,
                                           activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(hidden, classes)
        init_weights(self)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = self.tokens(input_ids) + self.positions(positions)[None]
        x = self.encoder(x, src_key_padding_mask=attention_mask == 0)
        return self.head(x[:, 0])
