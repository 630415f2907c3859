"""QNStudio's built-in ConvNet preset written in PyTorch and saved as TorchScript, so that the
same network can be trained by QNStudio both ways: built in C++ (model.arch "convnet") and
loaded from this file (model.arch "torchscript"), for a training-speed comparison.

    /usr/bin/python3 experiments/your_model/scripted_convnet.py OUT.pt [--width 16] [--hidden 512]

Reproduces core/nn/convnet.{h,cpp} and core/nn/quantizable_modules.cpp exactly:
  * convolutions have no bias (QConv2dOptions.bias = false) and padding kernel_size / 2
    ("same" at stride 1); each is followed by BatchNorm2d (eps 1e-5, momentum 0.1);
  * stem: 3x3 conv in_channels -> width, BatchNorm, SiLU;
  * blocks (InvertedResidual): [1x1 expand conv + BN + SiLU, only when expansion > 1],
    3x3 depthwise conv carrying the stride + BN + SiLU, 1x1 projection conv + BN (no
    activation), residual when stride 1 and in == out. With width 16: 16 -> 24 (x1, stride 2),
    24 -> 24 (x4), 24 -> 40 (x4, stride 2);
  * classifier: flatten 40*7*7 = 1960 -> Linear 512 -> SiLU -> Linear 10 (with biases), no
    dropout;
  * weights and biases uniform in +-1/sqrt(fan_in), as the C++ layers are initialised (the
    same distribution as PyTorch's defaults for Conv2d and Linear, written out here).
Module and parameter names are the C++ ones (stem, stem_norm, blocks.N.expand/depthwise/
project and their _norm, hidden, classifier), so state dict keys line up with QNStudio's.

Prints the parameter count and the multiply-accumulates of one 28x28 image, measured on the
PyTorch module and computed in C++ terms from the formulas of convnet.cpp, and exits 1 when
they differ. The model is saved untrained, in training mode.
"""
import argparse
import math

import torch
from torch import nn
import torch.nn.functional as F


def uniform_init_(tensor, fan_in):
    bound = 1.0 / math.sqrt(fan_in)
    with torch.no_grad():
        tensor.uniform_(-bound, bound)


def conv(in_channels, out_channels, kernel_size, stride=1, groups=1):
    """QConv2d: no bias, padding kernel_size // 2, weights uniform in +-1/sqrt(fan_in)."""
    layer = nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2,
                      groups=groups, bias=False)
    uniform_init_(layer.weight, in_channels // groups * kernel_size * kernel_size)
    return layer


def linear(in_features, out_features):
    """QLinear: weight and bias uniform in +-1/sqrt(in_features)."""
    layer = nn.Linear(in_features, out_features)
    uniform_init_(layer.weight, in_features)
    uniform_init_(layer.bias, in_features)
    return layer


class InvertedResidual(nn.Module):
    has_expand: torch.jit.Final[bool]
    residual: torch.jit.Final[bool]

    def __init__(self, in_channels: int, out_channels: int, expansion: int, stride: int):
        super().__init__()
        mid = in_channels * expansion
        self.has_expand = expansion > 1
        if self.has_expand:
            self.expand = conv(in_channels, mid, 1)
            self.expand_norm = nn.BatchNorm2d(mid)
        else:  # C++ registers no expand module; Identity holds no parameter and is skipped
            self.expand = nn.Identity()
            self.expand_norm = nn.Identity()
        self.depthwise = conv(mid, mid, 3, stride, groups=mid)
        self.depthwise_norm = nn.BatchNorm2d(mid)
        self.project = conv(mid, out_channels, 1)
        self.project_norm = nn.BatchNorm2d(out_channels)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        x = input
        if self.has_expand:
            x = F.silu(self.expand_norm(self.expand(x)))
        x = F.silu(self.depthwise_norm(self.depthwise(x)))
        x = self.project_norm(self.project(x))
        if self.residual:
            x = x + input
        return x


class ConvNet(nn.Module):
    def __init__(self, in_channels=1, image_size=28, classes=10, width=16, hidden=512):
        super().__init__()
        if image_size % 4 != 0:
            raise ValueError(f"the convnet needs an image size divisible by 4 (got {image_size})")
        c1, c2, c3 = width, width * 3 // 2, width * 5 // 2
        self.stem = conv(in_channels, width, 3)
        self.stem_norm = nn.BatchNorm2d(width)
        self.blocks = nn.ModuleList([InvertedResidual(c1, c2, 1, 2), InvertedResidual(c2, c2, 4, 1),
                                     InvertedResidual(c2, c3, 4, 2)])
        side = image_size // 4
        self.hidden = linear(c3 * side * side, hidden)
        self.classifier = linear(hidden, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = F.silu(self.stem_norm(self.stem(images)))
        for block in self.blocks:
            x = block(x)
        x = F.silu(self.hidden(x.flatten(1)))
        return self.classifier(x)


def cpp_counts(in_channels=1, image_size=28, classes=10, width=16, hidden=512):
    """(parameters, MACs of one image) of the C++ ConvNet, from the code of convnet.cpp:
    QConv2d holds weight (out, in/groups, k, k) and no bias; BatchNorm2d holds weight and
    bias (its running statistics are buffers); QLinear holds weight and bias."""
    c1, c2, c3 = width, width * 3 // 2, width * 5 // 2
    parameters = in_channels * c1 * 9 + 2 * c1            # stem + stem_norm
    side = image_size                                     # stem: stride 1, padding 1
    macs = side * side * c1 * in_channels * 9
    for cin, cout, expansion, stride in ((c1, c2, 1, 2), (c2, c2, 4, 1), (c2, c3, 4, 2)):
        mid = cin * expansion
        if expansion > 1:
            parameters += cin * mid + 2 * mid             # expand + expand_norm
            macs += side * side * cin * mid
        side = (side + 2 * 1 - 3) // stride + 1           # 3x3 depthwise, padding 1
        parameters += mid * 9 + 2 * mid                   # depthwise + depthwise_norm
        parameters += mid * cout + 2 * cout               # project + project_norm
        macs += side * side * (mid * 9 + mid * cout)
    flat = c3 * side * side
    parameters += flat * hidden + hidden + hidden * classes + classes
    macs += flat * hidden + hidden * classes
    return parameters, macs


def measured_macs(model, image_size=28, in_channels=1):
    """Multiply-accumulates of one forward, from the Conv2d and Linear layers' output shapes."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * \
                module.kernel_size[1]
            total += output[0].numel() * per_output
        else:
            total += output[0].numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, in_channels, image_size, image_size))
    model.train(was_training)
    for handle in handles:
        handle.remove()
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="where to write the TorchScript file")
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    model = ConvNet(width=args.width, hidden=args.hidden)
    python_parameters = sum(p.numel() for p in model.parameters())
    python_macs = measured_macs(model)
    cpp_parameters, cpp_macs = cpp_counts(width=args.width, hidden=args.hidden)
    for name, parameter in model.named_parameters():
        print(f"  {name:<28} {list(parameter.shape)}")
    print(f"parameters: PyTorch {python_parameters:,}, C++ ConvNet {cpp_parameters:,}")
    print(f"MACs per 28x28 image: PyTorch {python_macs:,}, C++ ConvNet {cpp_macs:,}")

    scripted = torch.jit.script(model.train())
    torch.jit.save(scripted, args.out)
    reloaded = torch.jit.load(args.out)
    x = torch.randn(4, 1, 28, 28)
    model.eval()
    reloaded.eval()
    with torch.no_grad():
        assert torch.equal(model(x), reloaded(x))
    print(f"wrote {args.out}")
    if (python_parameters, python_macs) != (cpp_parameters, cpp_macs):
        print("MISMATCH between the PyTorch module and the C++ ConvNet")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
