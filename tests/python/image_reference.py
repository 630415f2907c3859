"""Images and what Pillow and torchvision make of them, for tests/core/test_image_stream.cpp.

  /usr/bin/python3 tests/python/image_reference.py OUT

Writes into OUT, for each case NAME:
  NAME.jpg / NAME.png       the image file (photo-like content: gradients and noise, so
                            that JPEG's chroma subsampling and DCT have work to do)
  NAME.rgb                  Pillow's decode, convert("RGB"): height*width*3 bytes
  NAME.eval.f32             torchvision's Resize(SIDE) + CenterCrop(CROP) + ToTensor +
                            Normalize(ImageNet), float32, (3, CROP, CROP)
and cases.json: [{"name", "file", "width", "height", "resample", "side", "crop"}];
  crops.f64                 20,000 boxes of torchvision's RandomResizedCrop.get_params(224)
                            on a 500 x 375 image, (left, top, width, height) each, float64;
  imagenet/                 a folder in ImageNet's layout: train/<class>/*.JPEG (3 classes
                            told apart by colour, 24 images each) and a flat val/ (12
                            images) labelled by imagenet/val_labels.csv (file,label).
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

SIDE, CROP = 256, 224
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def photo(width, height, seed):
    random = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    channels = [
        128 + 100 * np.sin(x / (7 + 3 * c) + c) * np.cos(y / (11 + 2 * c)) + random.normal(0, 12, (height, width))
        for c in range(3)
    ]
    return np.clip(np.stack(channels, axis=2), 0, 255).astype(np.uint8)


def imagenet_folder(root):
    classes = ["n01440764", "n02102040", "n03000684"]  # sorted, as their folders are read
    tints = [(1.0, 0.35, 0.3), (0.3, 1.0, 0.35), (0.35, 0.3, 1.0)]
    random = np.random.default_rng(5)

    def image(label, seed):
        width, height = int(random.integers(90, 160)), int(random.integers(80, 140))
        pixels = photo(width, height, seed).astype(np.float32) * np.array(tints[label], np.float32)
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))

    for label, name in enumerate(classes):
        os.makedirs(os.path.join(root, "train", name), exist_ok=True)
        for i in range(24):
            image(label, 100 * label + i).save(os.path.join(root, "train", name, f"{name}_{i}.JPEG"), quality=90)
    os.makedirs(os.path.join(root, "val"), exist_ok=True)
    rows = ["file,label"]
    for i in range(12):
        label = i % 3
        file_name = f"ILSVRC2012_val_{i + 1:08d}.JPEG"
        image(label, 1000 + i).save(os.path.join(root, "val", file_name), quality=90)
        rows.append(f"{file_name},{classes[label]}")
    with open(os.path.join(root, "val_labels.csv"), "w") as handle:
        handle.write("\n".join(rows) + "\n")


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = []

    def add(name, image, file_name, save, resample="bilinear"):
        path = os.path.join(out, file_name)
        save(image, path)
        decoded = Image.open(path).convert("RGB")
        np.asarray(decoded).tofile(os.path.join(out, name + ".rgb"))
        interpolation = {"bilinear": transforms.InterpolationMode.BILINEAR,
                         "bicubic": transforms.InterpolationMode.BICUBIC}[resample]
        evaluation = transforms.Compose([
            transforms.Resize(SIDE, interpolation=interpolation), transforms.CenterCrop(CROP),
            transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
        evaluation(decoded).numpy().astype(np.float32).tofile(os.path.join(out, name + ".eval.f32"))
        cases.append({"name": name, "file": file_name, "width": decoded.width, "height": decoded.height,
                      "resample": resample, "side": SIDE, "crop": CROP})

    jpeg = lambda quality, **options: lambda image, path: image.save(path, "JPEG", quality=quality, **options)
    add("landscape", Image.fromarray(photo(500, 375, 1)), "landscape.jpg", jpeg(90))
    add("portrait", Image.fromarray(photo(333, 500, 2)), "portrait.jpg", jpeg(75))
    add("bicubic", Image.fromarray(photo(401, 299, 3)), "bicubic.jpg", jpeg(90), resample="bicubic")
    add("full_chroma", Image.fromarray(photo(300, 260, 4)), "full_chroma.jpg", jpeg(95, subsampling=0))
    add("progressive", Image.fromarray(photo(420, 300, 5)), "progressive.jpg", jpeg(85, progressive=True))
    add("gray", Image.fromarray(photo(300, 280, 6)[:, :, 0]), "gray.jpg", jpeg(90))
    add("cmyk", Image.fromarray(photo(310, 270, 7)).convert("CMYK"), "cmyk.jpg", jpeg(90))
    add("small", Image.fromarray(photo(180, 120, 8)), "small.jpg", jpeg(90))  # enlarged, not shrunk
    png = lambda image, path: image.save(path, "PNG")
    add("png_rgb", Image.fromarray(photo(290, 310, 9)), "png_rgb.png", png)
    rgba = np.dstack([photo(260, 300, 10), np.full((300, 260), 128, np.uint8)])
    add("png_rgba", Image.fromarray(rgba, "RGBA"), "png_rgba.png", png)
    add("png_palette", Image.fromarray(photo(270, 260, 11)).quantize(64), "png_palette.png", png)
    # ImageNet holds a PNG named .JPEG: the format comes from the bytes.
    add("png_named_jpeg", Image.fromarray(photo(280, 290, 12)), "png_named_jpeg.JPEG", png)
    with open(os.path.join(out, "cases.json"), "w") as handle:
        json.dump(cases, handle, indent=1)
    imagenet_folder(os.path.join(out, "imagenet"))
    torch.manual_seed(0)
    canvas = Image.new("RGB", (500, 375))
    boxes = [transforms.RandomResizedCrop.get_params(canvas, [0.08, 1.0], [3 / 4, 4 / 3]) for _ in range(20000)]
    np.array([(j, i, w, h) for i, j, h, w in boxes], np.float64).tofile(os.path.join(out, "crops.f64"))


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(sys.argv[1])
