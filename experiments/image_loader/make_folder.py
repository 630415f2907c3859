"""Makes an ImageNet-layout folder of colour JPEGs from Fashion-MNIST, for the image-loader
benchmark (run.sh here): a folder that a torchvision user, or `qnoise bench loader`, reads as
it would read ILSVRC2012, with photo-sized JPEGs that cost what ImageNet's cost to decode.

    /usr/bin/python3 experiments/image_loader/make_folder.py OUT [--train N] [--val M] [--seed S]

Writes (N train, M val images; defaults 20000 and 2000):

    OUT/train/<wnid>/<wnid>_<k>.JPEG       10 class folders, wnids n00000000 .. n00000009
    OUT/val/ILSVRC2012_val_00000001.JPEG   val FLAT, as ImageNet's val tarball unpacks
    OUT/ILSVRC2012_validation_ground_truth.txt   the devkit's file: one 1-based class index a
                                           line, in val file order; the index counts classes in
                                           SORTED WNID order (line i of LOC_synset_mapping.txt,
                                           i.e. torchvision ImageFolder's class index + 1).
                                           (The real devkit numbers classes by its own
                                           ILSVRC2012_ID order, not sorted wnids; here the two
                                           coincide.)
    OUT/LOC_val_solution.csv               Kaggle's format: ImageId,PredictionString with one
                                           box "wnid xmin ymin xmax ymax" (the garment's extent)
    OUT/LOC_synset_mapping.txt             Kaggle's: "wnid name" a line, in sorted wnid order
    OUT/val_labels.csv                     file,label (label = wnid)
    OUT/stats.json                         counts, mean/min/max JPEG bytes, sizes, seed

Each image: a Fashion-MNIST 28x28 image (train from the 60k train set, val from the 10k test
set, drawn without replacement by the seed) upscaled with PIL bicubic to W x H, W in 400..500
and H in 300..400 (one in five swapped to portrait); the garment and background each get a
random colour (independent of the class), then a luminance texture (bicubic-upscaled noise at
four scales), a little colour noise and per-pixel grain, with a per-image strength, so that the
JPEG compresses like a photo: about 70 KB mean (45-100 KB) at Pillow quality 90, 4:2:0 chroma
subsampling (Pillow's default, set explicitly). The output depends only on --seed (each image
has its own generator seeded by (seed, split, index)), not on the process count.

Takes about 4 minutes for the default 22,000 images on 2 cores (about 23 ms an image a core);
1.5 GB on disk. The folder is written as OUT.partial and renamed to OUT when complete, so a
folder at OUT is always whole; an existing OUT is an error unless --force.
"""
import argparse
import gzip
import io
import json
import multiprocessing
import os
import shutil
import sys
import time

import numpy as np
from PIL import Image

FMNIST = "/usr/share/datasets/fashion-mnist"
NAMES = ["T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
         "bag", "ankle boot"]
WNIDS = [f"n{c:08d}" for c in range(10)]  # sorted order == Fashion-MNIST class order
QUALITY = 90
SPLITS = {"train": 0, "val": 1}  # the split's number in each image's seed

# Luminance texture: (cell size in pixels of the noise grid, amplitude in 8-bit levels).
LUMA_OCTAVES = [(64, 30), (16, 24), (4, 20), (1.5, 16)]
CHROMA_OCTAVES = [(64, 20), (8, 8)]
GRAIN = 10  # per-pixel Gaussian luminance noise, standard deviation in levels


def read_idx(path):
    """An IDX file (the MNIST format: magic 0x0000 <type 0x08 = ubyte> <ndims>, then each
    dimension as a big-endian uint32, then the data) as a uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndims = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndims)]
    array = np.frombuffer(data, np.uint8, offset=4 + 4 * ndims)
    if array.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {array.size} bytes of data for dimensions {dims}")
    return array.reshape(dims)


def noise_octave(rng, width, height, cell, amplitude, channels):
    """Uniform noise on a grid of cell-sized squares, upscaled bicubic to the image: zero
    mean, +-amplitude levels; shape (height, width, channels)."""
    grid_w, grid_h = max(2, round(width / cell)), max(2, round(height / cell))
    grid = rng.integers(0, 256, (grid_h, grid_w, channels), dtype=np.uint8)
    image = Image.fromarray(grid[..., 0] if channels == 1 else grid)
    up = np.asarray(image.resize((width, height), Image.BICUBIC), np.float32)
    up = up.reshape(height, width, channels)
    return (up - 127.5) * (amplitude / 127.5)


def synthesise(digit, rng, texture=1.0):
    """One photo-like RGB image from a 28x28 grey image; returns the PIL image and the
    garment's bounding box (xmin, ymin, xmax, ymax) in its pixels."""
    width, height = int(rng.integers(400, 501)), int(rng.integers(300, 401))
    if rng.random() < 0.2:
        width, height = height, width  # portrait
    alpha = np.asarray(Image.fromarray(digit).resize((width, height), Image.BICUBIC),
                       np.float32)[..., None] / 255.0
    alpha = np.clip(alpha, 0.0, 1.0)
    background = rng.uniform(0, 255, 3).astype(np.float32)
    foreground = rng.uniform(0, 255, 3).astype(np.float32)
    while np.abs(foreground - background).max() < 60:  # keep the garment visible
        foreground = rng.uniform(0, 255, 3).astype(np.float32)
    pixels = background * (1.0 - alpha) + foreground * alpha
    strength = rng.uniform(0.5, 1.5) * texture  # spreads the file sizes as photos' spread
    for cell, amplitude in LUMA_OCTAVES:
        pixels += noise_octave(rng, width, height, cell, amplitude * strength, 1)
    for cell, amplitude in CHROMA_OCTAVES:
        pixels += noise_octave(rng, width, height, cell, amplitude * texture, 3)
    pixels += rng.normal(0.0, GRAIN * strength, (height, width, 1)).astype(np.float32)
    image = Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8), "RGB")
    ys, xs = np.nonzero(alpha[..., 0] > 0.1)
    box = (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())) if xs.size else \
        (0, 0, width - 1, height - 1)
    return image, box


def write_one(task):
    """Worker: (seed, split, index, digit, path, texture) -> (path, bytes, width, height, box)."""
    seed, split, index, digit, path, texture = task
    rng = np.random.default_rng([seed, SPLITS[split], index])
    image, box = synthesise(digit, rng, texture)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=QUALITY, subsampling="4:2:0")
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
    return path, buffer.tell(), image.width, image.height, box


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--train", type=int, default=20000, help="train images (of 60,000)")
    parser.add_argument("--val", type=int, default=2000, help="val images (of 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--texture", type=float, default=1.0,
                        help="scales the texture and grain (1: photo-like file sizes; less: easier to learn)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--force", action="store_true", help="replace an existing OUT")
    args = parser.parse_args()
    if not 0 < args.train <= 60000 or not 0 <= args.val <= 10000:
        parser.error("--train must be 1..60000 and --val 0..10000")
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        if not args.force:
            sys.exit(f"{out} exists (use --force to replace it)")
        shutil.rmtree(out)
    partial = out + ".partial"
    shutil.rmtree(partial, ignore_errors=True)

    started = time.time()
    images = {"train": read_idx(f"{FMNIST}/train-images-idx3-ubyte.gz"),
              "val": read_idx(f"{FMNIST}/t10k-images-idx3-ubyte.gz")}
    labels = {"train": read_idx(f"{FMNIST}/train-labels-idx1-ubyte.gz"),
              "val": read_idx(f"{FMNIST}/t10k-labels-idx1-ubyte.gz")}
    rng = np.random.default_rng(args.seed)
    chosen = {"train": rng.permutation(len(images["train"]))[:args.train],
              "val": rng.permutation(len(images["val"]))[:args.val]}

    for wnid in WNIDS:
        os.makedirs(os.path.join(partial, "train", wnid))
    os.makedirs(os.path.join(partial, "val"))
    tasks, val_rows = [], []
    per_class = [0] * 10
    for index, source in enumerate(chosen["train"]):
        label = int(labels["train"][source])
        wnid = WNIDS[label]
        path = os.path.join(partial, "train", wnid, f"{wnid}_{per_class[label]}.JPEG")
        per_class[label] += 1
        tasks.append((args.seed, "train", index, images["train"][source], path, args.texture))
    for index, source in enumerate(chosen["val"]):
        name = f"ILSVRC2012_val_{index + 1:08d}"
        val_rows.append((name, int(labels["val"][source])))
        tasks.append((args.seed, "val", index, images["val"][source],
                      os.path.join(partial, "val", name + ".JPEG"), args.texture))

    results = {}
    with multiprocessing.Pool(args.processes) as pool:
        for done, result in enumerate(pool.imap_unordered(write_one, tasks, chunksize=32), 1):
            results[result[0]] = result[1:]
            if done % 2000 == 0 or done == len(tasks):
                print(f"{done}/{len(tasks)} images, {time.time() - started:.0f} s",
                      file=sys.stderr)

    # The label files of a real ImageNet copy (val in file order).
    with open(os.path.join(partial, "ILSVRC2012_validation_ground_truth.txt"), "w") as f:
        # 1-based index into the SORTED wnid list (LOC_synset_mapping.txt's line order).
        f.writelines(f"{label + 1}\n" for _, label in val_rows)
    with open(os.path.join(partial, "LOC_val_solution.csv"), "w") as f:
        f.write("ImageId,PredictionString\n")
        for name, label in val_rows:
            box = results[os.path.join(partial, "val", name + ".JPEG")][3]
            f.write(f"{name},{WNIDS[label]} {box[0]} {box[1]} {box[2]} {box[3]}\n")
    with open(os.path.join(partial, "LOC_synset_mapping.txt"), "w") as f:
        f.writelines(f"{wnid} {name}\n" for wnid, name in zip(WNIDS, NAMES))
    with open(os.path.join(partial, "val_labels.csv"), "w") as f:
        f.write("file,label\n")
        f.writelines(f"{name}.JPEG,{WNIDS[label]}\n" for name, label in val_rows)

    sizes = np.array([r[0] for r in results.values()])
    widths = np.array([r[1] for r in results.values()])
    heights = np.array([r[2] for r in results.values()])
    stats = {"train": args.train, "val": args.val, "seed": args.seed, "texture": args.texture, "quality": QUALITY,
             "subsampling": "4:2:0", "classes": len(WNIDS),
             "train_per_class": dict(zip(WNIDS, per_class)),
             "jpeg_bytes_mean": float(sizes.mean()), "jpeg_bytes_min": int(sizes.min()),
             "jpeg_bytes_max": int(sizes.max()), "jpeg_bytes_total": int(sizes.sum()),
             "width_mean": float(widths.mean()), "height_mean": float(heights.mean()),
             "portrait_fraction": float((heights > widths).mean()),
             "seconds": round(time.time() - started, 1)}
    with open(os.path.join(partial, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1)
    os.rename(partial, out)
    print(f"wrote {out}: {args.train} train + {args.val} val JPEGs, mean "
          f"{stats['jpeg_bytes_mean'] / 1000:.1f} KB ({stats['jpeg_bytes_min'] / 1000:.1f}-"
          f"{stats['jpeg_bytes_max'] / 1000:.1f}), {stats['seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
