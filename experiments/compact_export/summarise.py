"""RESULTS.md of experiments/compact_export from run.sh's raw results.

    /usr/bin/python3 summarise.py RESULTS_FOLDER > RESULTS.md
"""
import json
import sys
from pathlib import Path


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def kib(count):
    return f"{count / 1024:,.1f} KiB"


def median_ms(record, variant):
    for entry in record["variants"]:
        if entry["variant"] == variant:
            return entry["seconds_per_step"]["median"] * 1e3
    raise KeyError(variant)


def speedup(record, variant, reference):
    """reference's time over variant's (x faster), with the 95% interval of the ratio."""
    for comparison in record["comparisons"]:
        if comparison["variant"] == variant and comparison["reference"] == reference:
            ratio = comparison["time_ratio"]
            return (f"{1 / ratio['median']:.2f}x [{1 / ratio['median_high']:.2f} .. "
                    f"{1 / ratio['median_low']:.2f}]")
    raise KeyError(variant)


def sizes_table(records):
    out = ["| model | .qnz | compact TorchScript | its tensors | its code and zip records | "
           "compact / (.qnz + code) | fp32 TorchScript | fp32 / compact | logits, compact vs fp32 file |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for record in records:
        compact, decoded = record["compact"], record["float"]
        ratio = compact["bytes"] / (record["qnz_bytes"] + compact["other_bytes"])
        out.append(f"| {record['model']} | {record['qnz_bytes']:,} | {compact['bytes']:,} | "
                   f"{compact['tensor_bytes']:,} | {compact['other_bytes']:,} | {ratio:.3f} | "
                   f"{decoded['bytes']:,} | {decoded['bytes'] / compact['bytes']:.1f}x | "
                   f"{record['compact_vs_float_logits']:.1e} |")
    return out


def layer_table(records):
    out = ["| Linear | batch | run | fp32 torch::linear, ms | decode + linear, ms | lookup tables, ms | "
           "lookup tables against fp32 (95% interval) | relative difference |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for record in sorted(records, key=lambda r: (r["in_features"], r["batch"], r["run"])):
        out.append(f"| {record['in_features']} -> {record['out_features']} | {record['batch']} | "
                   f"{record['run']} | {median_ms(record, 'fp32 linear'):.3f} | "
                   f"{median_ms(record, 'decode + linear'):.3f} | "
                   f"{median_ms(record, 'lookup tables'):.3f} | "
                   f"{speedup(record, 'lookup tables', 'fp32 linear')} | "
                   f"{record['lookup_relative_difference']:.1e} |")
    return out


def crossover(records):
    """The smallest batch, per Linear, at which lookup tables are not faster (every run)."""
    out = []
    for shape in sorted({(r["in_features"], r["out_features"]) for r in records}):
        rows = [r for r in records if (r["in_features"], r["out_features"]) == shape]
        slower = sorted({r["batch"] for r in rows
                         if median_ms(r, "lookup tables") >= median_ms(r, "fp32 linear")})
        largest = max(r["batch"] for r in rows)
        out.append(f"- {shape[0]} -> {shape[1]}: " +
                   (f"the dense product is faster from batch {slower[0]} on." if slower else
                    f"lookup tables are faster at every batch measured, up to {largest}: no "
                    "cross-over on this machine, where a one-thread GEMM reaches about "
                    f"{2 * shape[0] * shape[1] * largest / (1e-3 * min(median_ms(r, 'fp32 linear') for r in rows if r['batch'] == largest)) / 1e9:.0f} GFLOP/s."))
    return out


def model_table(records):
    out = ["| input | run | fp32 weights, ms | lookup tables, ms | lookup tables against fp32 "
           "(95% interval) | relative difference |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for record in sorted(records, key=lambda r: (-r["input_shape"][1], r["run"])):
        out.append(f"| {record['input_shape']} | {record['run']} | "
                   f"{median_ms(record, 'fp32 weights'):.3f} | "
                   f"{median_ms(record, 'lookup tables'):.3f} | "
                   f"{speedup(record, 'lookup tables', 'fp32 weights')} | "
                   f"{record['lookup_relative_difference']:.1e} |")
    return out


def memory_table(records):
    out = ["| served by | file | the model's tensors | anonymous memory, model loaded | "
           "after a forward (batch 1) | VmRSS growth, loaded / after a forward |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for record in records:
        served = "lookup tables over the codes" if record["engine"] == "lut" else "decoded fp32 weights"
        out.append(f"| {served} | {kib(record['file_bytes'])} | {kib(record['model_tensor_bytes'])} | "
                   f"{kib(record['model_anonymous_bytes'])} | "
                   f"{kib(record['after_forward_anonymous_bytes'])} | "
                   f"{kib(record['model_resident_bytes'])} / {kib(record['after_forward_resident_bytes'])} |")
    return out


def main(folder):
    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text())
    layer = lines(folder / "layer.jsonl")
    machine = layer[0]["machine"] if layer else {}
    text = [
        "# Compact TorchScript export and inference from the codes",
        "",
        f"Made by `bash experiments/compact_export/run.sh` on {meta['date']} at commit "
        f"{meta['commit']}: {meta['cpu']}, {meta['cores']} cores, no GPU; "
        f"BLAS {machine.get('blas', '')}. Timings are medians over interleaved rounds "
        "(core/bench/interleaved_bench.h) with the 95% interval of the round-by-round ratio.",
        "",
        "## Sizes (iPQ, K = 256, the presets' block sizes)",
        "",
        "The compact file holds the .qnz's sections as tensors (tests/python/run_exported_model.py "
        "counts the zip's data/ entries) plus TorchScript code and pickled module records; "
        "the goal is at most 1.05x the .qnz plus that code.",
        "",
        *sizes_table(lines(folder / "sizes.jsonl")),
        "",
        "## One Linear, K = 256, b = 8, one thread",
        "",
        *layer_table(layer),
        "",
        *crossover(layer),
        "",
        "## The language model's forward, batch 1, one thread",
        "",
        *model_table(lines(folder / "model.jsonl")),
        "",
        "## Resident memory of the language model (each row a fresh process)",
        "",
        *memory_table(lines(folder / "memory.jsonl")),
        "",
    ]
    print("\n".join(text))


if __name__ == "__main__":
    main(sys.argv[1])
