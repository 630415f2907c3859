"""Times torchvision's reference ImageNet training pipeline on a folder: the figure that
`qnoise bench loader` is compared with (run.sh here runs both, interleaved).

    /usr/bin/python3 experiments/image_loader/torchvision_loader.py --dir DIR/train --workers W \
        [--batch-size 64] [--batches B] [--image-size 224] [--seed S] --json

The pipeline is the one in pytorch/vision's references/classification/train.py:
torchvision.datasets.ImageFolder (PIL decode, convert to RGB) with RandomResizedCrop(224,
scale (0.08, 1), ratio (3/4, 4/3), bilinear), RandomHorizontalFlip(), ToTensor(),
Normalize(ImageNet mean and std); torch.utils.data.DataLoader(num_workers=W, batch_size=64,
shuffle=True, drop_last=False, persistent_workers=False). torch.set_num_threads(1) in the main
process and in each worker, so W workers use W cores.

--batches B stops after B batches; a B past one epoch goes on into the next epoch in the same
iterator (a RandomSampler with num_samples = B x batch size: one shuffled permutation after
another, which is what shuffle=True builds when B is not given), so the workers are not
restarted. Without --batches: one epoch.

Output (one JSON line on stdout; --json is accepted for the same command line as qnoise's):
  engine "torchvision"; workers; images: the images in the batches after the first (those
  that arrived inside the timed interval); seconds: from the first batch received to the last;
  images_per_second = images / seconds; startup_seconds: from the start of the directory scan
  (ImageFolder) to the first batch received (imports excluded); peak_rss_bytes: the larger of
  this process's and its largest child's peak resident set (getrusage RUSAGE_SELF and
  RUSAGE_CHILDREN, ru_maxrss x 1024), read after the workers have been joined.
  Timing from the first batch favours a loader whose workers each build whole batches (this
  one): its first W batches arrive together, so the rate is (B-1)/(B-W) times the steady one,
  0.3% over a 313-batch epoch at W=2 but 2x at B=4; use 50 batches or more (run.sh's default
  is the whole epoch).
  Also (informative): batch_size, image_size, batches, files, epoch_images (all images
  received, the first batch's included).

Cost on the 2-core VM this was written on: about 3.3 ms of CPU an image (decode + crop +
resize + tensor), i.e. about 300 images/s at 1 worker; at 2 workers 320-450 images/s measured
while a build shared the cores (expect nearer 550 on a quiet machine: the main process takes a
little of the 2 cores too). So one 20,000-image epoch takes about 70 s at 1 worker and 40 s at
2; start-up 0.3-0.5 s, plus about 1.5 s of imports before it.
"""
import argparse
import json
import resource
import sys
import time

import torch
import torchvision
from torch.utils.data import DataLoader, RandomSampler
from torchvision import transforms

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def one_thread(_worker_id):
    torch.set_num_threads(1)


def peak_rss_bytes():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * 1024  # Linux reports kilobytes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="an ImageFolder root (DIR/train)")
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--batches", type=int, default=None,
                        help="stop after this many batches (default: one epoch)")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--seed", type=int, default=None, help="the shuffle's seed")
    parser.add_argument("--json", action="store_true", help="(the output is always JSON)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.seed is not None:
        torch.manual_seed(args.seed)

    started = time.perf_counter()
    transform = transforms.Compose([
        transforms.RandomResizedCrop(args.image_size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3),
                                     interpolation=transforms.InterpolationMode.BILINEAR),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(mean=MEAN, std=STD),
    ])
    dataset = torchvision.datasets.ImageFolder(args.dir, transform=transform)
    if args.batches is None:
        loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True,
                            num_workers=args.workers, drop_last=False,
                            persistent_workers=False, worker_init_fn=one_thread)
    else:
        sampler = RandomSampler(dataset, num_samples=args.batches * args.batch_size)
        loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler,
                            num_workers=args.workers, drop_last=False,
                            persistent_workers=False, worker_init_fn=one_thread)

    batches = epoch_images = 0
    first = last = None
    first_images = 0
    iterator = iter(loader)
    for images, _labels in iterator:
        last = time.perf_counter()
        batches += 1
        epoch_images += images.shape[0]
        if first is None:
            first, first_images = last, images.shape[0]
    del iterator  # the workers are joined when the iterator ends; this makes sure of it
    if batches < 2:
        sys.exit(f"{batches} batch(es): at least 2 are needed to time between the first and "
                 "the last")
    timed_images = epoch_images - first_images
    seconds = last - first
    print(json.dumps({
        "engine": "torchvision", "workers": args.workers, "images": timed_images,
        "seconds": round(seconds, 4), "images_per_second": round(timed_images / seconds, 2),
        "startup_seconds": round(first - started, 4), "peak_rss_bytes": peak_rss_bytes(),
        "batch_size": args.batch_size, "image_size": args.image_size, "batches": batches,
        "files": len(dataset), "epoch_images": epoch_images,
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__},
    }), flush=True)


if __name__ == "__main__":
    main()
