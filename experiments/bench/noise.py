"""Quant-Noise in PyTorch as a user of fairseq would write it (fairseq/modules/quant_noise.py's
idea, as a parametrization so that the stored weight is never changed): the twins of
QNStudio's "int8 quant-noise" and "pq proxy" training variants."""
import torch
from torch import nn
from torch.nn.utils import parametrize


class ProxyNoise(nn.Module):
    """PQ's proxy: each block of `block` weights along the input dimension (a whole kernel
    for a kxk convolution) is dropped with probability p, the rest scaled by 1 / (1 - p)."""

    def __init__(self, p, block):
        super().__init__()
        self.p, self.block = p, block

    def forward(self, weight):
        if not self.training:
            return weight
        if weight.dim() == 4 and weight.shape[2] * weight.shape[3] > 1:  # kxk: whole kernels
            mask = torch.rand(weight.shape[0], weight.shape[1], 1, 1, device=weight.device)
        else:
            rows, cols = weight.shape[0], weight.shape[1]
            mask = torch.rand(rows, cols // self.block, device=weight.device)
            mask = mask.repeat_interleave(self.block, 1).view(rows, cols, *weight.shape[2:])
        return weight.masked_fill(mask < self.p, 0) / (1 - self.p)


class IntNoise(nn.Module):
    """intN Quant-Noise: a random share p of the weights is fake-quantized (per-tensor
    min-max range, observed again every 100 forwards as the engine does), the gradient
    passing straight through to every weight."""

    def __init__(self, p, bits=8, refresh_every=100):
        super().__init__()
        self.p, self.levels, self.refresh_every = p, 2 ** bits - 1, refresh_every
        self.forwards, self.range = 0, None

    def forward(self, weight):
        if not self.training:
            return weight
        with torch.no_grad():
            if self.range is None or self.forwards % self.refresh_every == 0:
                low, high = weight.min().clamp(max=0), weight.max().clamp(min=0)
                scale = float((high - low).clamp(min=1e-8) / self.levels)
                self.range = scale, int(torch.round(-low / scale))
            self.forwards += 1
            scale, zero = self.range
            noise = torch.fake_quantize_per_tensor_affine(weight, scale, zero, 0, self.levels)
            noise = (noise - weight) * (torch.rand_like(weight) < self.p)
        return weight + noise


def block_size(config, module):
    sizes = {"linear": 8, "conv1x1": 4, "conv": 9, "embedding": 8}
    sizes.update(config.get("quant", {}).get("block_size", {}))
    if isinstance(module, nn.Embedding):
        return sizes["embedding"]
    if isinstance(module, nn.Conv2d):
        return sizes["conv1x1"] if module.kernel_size == (1, 1) else sizes["conv"]
    return sizes["linear"]


def attach(model, config, make_noise):
    """Puts make_noise(module) on the weight of every Linear, Conv2d and Embedding: the
    layers QNStudio quantizes."""
    for module in list(model.modules()):
        if isinstance(module, (nn.Linear, nn.Conv2d, nn.Embedding)):
            parametrize.register_parametrization(module, "weight", make_noise(module))
