"""Writes torchvision's EfficientNet-B3 as a TorchScript file QNStudio trains and compresses.

  /usr/bin/python3 experiments/paper_systems/export_efficientnet_b3.py OUT.pt [--weights W.pth] [--classes N]

--weights: a state dict of torchvision's efficientnet_b3 (torchvision's
EfficientNet_B3_Weights.IMAGENET1K_V1 file, efficientnet_b3_rwightman-cf984f9c.pth, which
this machine cannot download: fetch it where you can and copy it here). Without it the
weights are random: enough to compute sizes (qnoise inspect --config), not to train.
"""
import argparse

import torch
import torchvision


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--weights")
    parser.add_argument("--classes", type=int, default=1000)
    args = parser.parse_args()
    model = torchvision.models.efficientnet_b3(num_classes=args.classes)
    if args.weights:
        model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    model.eval()
    torch.jit.script(model).save(args.out)
    print(f"wrote {args.out}: {sum(p.numel() for p in model.parameters()):,} parameters")


if __name__ == "__main__":
    main()
