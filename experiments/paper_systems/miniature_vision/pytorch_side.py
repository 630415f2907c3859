"""The PyTorch side of the miniature vision system (run.sh here): pretrain torchvision's
EfficientNet-B0 on the miniature ImageNet-layout folder with torchvision's own transforms,
and score any TorchScript file on its val/ the way torchvision would.

  /usr/bin/python3 pytorch_side.py pretrain FOLDER OUT.pt [--size 64] [--epochs 8] [--lr 1e-3]
      [--min-scale 0.25] [--arch efficientnet_b0] [--optimizer adam|sgd]
  /usr/bin/python3 pytorch_side.py evaluate FOLDER MODEL.pt [--size 64] [--json]

Training, from random weights (none can be downloaded here): ImageFolder(FOLDER/train) with
RandomResizedCrop(size, scale (min-scale, 1)) + RandomHorizontalFlip + ToTensor +
Normalize(ImageNet), Adam, cosine schedule, batch 64. (EfficientNet-B0 from scratch is slow to
start: at the defaults its training loss stays near chance for 8 epochs of 6,000 images while
its val accuracy reaches about 37%; a milder crop than torchvision's 0.08 helps it on so few
steps.) Evaluation: FOLDER/val
(flat) labelled by FOLDER/val_labels.csv (file,label), Resize(round(size / 0.875)) +
CenterCrop(size), bilinear; the transforms QNStudio's data.transform "torchvision" applies,
so the two accuracies can be compared image for image.
"""
import argparse
import csv
import json
import math
import os
import time

import torch
import torchvision
from PIL import Image
from torchvision import transforms

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


class FlatVal(torch.utils.data.Dataset):
    def __init__(self, folder, classes, transform):
        with open(os.path.join(folder, "val_labels.csv")) as handle:
            rows = list(csv.reader(handle))[1:]
        index = {name: i for i, name in enumerate(classes)}
        self.items = sorted((os.path.join(folder, "val", file), index[label]) for file, label in rows)
        self.transform = transform

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, label = self.items[i]
        return self.transform(Image.open(path).convert("RGB")), label


def evaluation_transform(size):
    return transforms.Compose([transforms.Resize(round(size / 0.875)), transforms.CenterCrop(size),
                               transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


def accuracy(model, folder, size):
    classes = sorted(os.listdir(os.path.join(folder, "train")))
    loader = torch.utils.data.DataLoader(FlatVal(folder, classes, evaluation_transform(size)), batch_size=128)
    correct = total = 0
    model.eval()
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(1) == labels).sum().item()
            total += labels.numel()
    return correct / total, correct, total


def pretrain(args):
    torch.manual_seed(0)
    train = torchvision.datasets.ImageFolder(os.path.join(args.folder, "train"), transforms.Compose([
        transforms.RandomResizedCrop(args.size, scale=(args.min_scale, 1.0)), transforms.RandomHorizontalFlip(),
        transforms.ToTensor(), transforms.Normalize(MEAN, STD)]))
    loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True, num_workers=1, drop_last=True)
    model = getattr(torchvision.models, args.arch)(num_classes=len(train.classes))
    if args.optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=4e-5)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * len(loader)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / steps)))
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        for step, (images, labels) in enumerate(loader):
            loss = torch.nn.functional.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            if step % 20 == 0:
                print(f"epoch {epoch} step {step}/{len(loader)} loss {loss.item():.3f} "
                      f"({time.time() - started:.0f} s)", flush=True)
    model.eval()
    torch.jit.script(model).save(args.model)
    top1, correct, total = accuracy(torch.jit.load(args.model), args.folder, args.size)
    print(json.dumps({"model": args.model, "accuracy": top1, "correct": correct, "examples": total,
                      "seconds": round(time.time() - started, 1)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["pretrain", "evaluate"])
    parser.add_argument("folder")
    parser.add_argument("model")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--arch", default="efficientnet_b0")
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--min-scale", type=float, default=0.25)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.action == "pretrain":
        pretrain(args)
        return
    top1, correct, total = accuracy(torch.jit.load(args.model, map_location="cpu"), args.folder, args.size)
    result = {"model": args.model, "accuracy": top1, "correct": correct, "examples": total,
              "file_bytes": os.path.getsize(args.model)}
    print(json.dumps(result) if args.json else f"{args.model}: accuracy {top1:.4f} ({correct}/{total})")


if __name__ == "__main__":
    main()
