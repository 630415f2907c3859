"""RESULTS.md's tables, read from the paper table's stores (one SQLite store a sweep).

Rows are laid out like the paper's table: quantizer, training noise, size, compression, the
metric as mean and spread over seeds with every seed's value, and iPQ's metric before
fine-tuning. Under them: iPQ's stages (the metric right after each stage is quantized and
after its fine-tuning), the issue's goals checked against the rows, the fp32 row's
validation curve (how the training length was judged) and the time the runs took.
"""
import json
import sqlite3
import statistics
from collections import OrderedDict

STAGE_METRICS = ("after_quantization", "after_finetune")


def quantizer_label(quant):
    method = quant["method"]
    if method == "none":
        return "fp32"
    if method == "int":
        return f"int{quant['bits']} ({quant['observer']})"
    label = "iPQ" if method == "ipq" else "PQ"
    if quant.get("centroids", 256) != 256:
        label += f" K={quant['centroids']}"
    return label + (" + int8" if quant.get("centroid_bits") == 8 else "")


def noise_label(noise):
    if noise["mode"] == "none":
        return "none"
    if noise["mode"] == "ste":
        return "STE"
    return f"Quant-Noise p={noise['p']:g}"


class Row:
    """The runs of one (quantizer, training noise) pair: one a seed."""

    def __init__(self):
        self.seeds = []         # (seed, metric)
        self.before = []        # metric with every stage quantized, no fine-tuning (iPQ)
        self.stages = {}        # stage -> {"after_quantization": [...], "after_finetune": [...]}
        self.curves = {}        # seed -> [(step, validation metric during training)]
        self.metric_name = None
        self.size = self.compression = None
        self.seconds = 0.0
        self.spans = []         # (started_at, finished_at)
        self.not_done = 0
        self.order = None       # row_order of its config


def row_order(config):
    """Where a row goes in the table, whatever order its sweep ran it in (a sweep may run the
    rows its question depends on first): fp32, int by falling bit width, PQ, iPQ (plain
    codebooks before int8 ones, larger K first); none, STE, Quant-Noise by rate."""
    quant, noise = config["quant"], config["noise"]
    method = {"none": 0, "int": 1, "pq": 2, "ipq": 3}[quant["method"]]
    quantizer = (method, -quant.get("bits", 0) if method == 1 else 0,
                 -quant.get("centroids", 256), quant.get("centroid_bits") == 8)
    mode = {"none": 0, "ste": 1}.get(noise["mode"], 2)
    return quantizer, mode, noise.get("p", 0), config["train"].get("epochs", 0)


def read_rows(store):
    """(quantizer, noise) -> Row, in the table's order (row_order)."""
    db = sqlite3.connect(store)
    rows = OrderedDict()
    query = ("SELECT runs.config, runs.id, runs.status, runs.started_at, runs.finished_at, "
             "results.metric_name, results.metric, results.size_bytes, results.compression, "
             "results.seconds FROM runs LEFT JOIN results ON results.run_id = runs.id "
             "ORDER BY runs.id")
    runs = [(json.loads(config), *rest) for config, *rest in db.execute(query).fetchall()]
    # A store whose runs differ in length (lm_length.json) has a row per length.
    lengths = {config["train"].get("epochs") for config, *_ in runs}
    for (config, run_id, status, started, finished, metric_name, metric, size, compression,
         seconds) in runs:
        quantizer = quantizer_label(config["quant"])
        if len(lengths) > 1:
            quantizer += f", {config['train'].get('epochs')} epochs"
        row = rows.setdefault((quantizer, noise_label(config["noise"])), Row())
        row.order = row_order(config)
        if status != "done":
            row.not_done += 1
            continue
        seed = config["train"]["seed"]
        row.metric_name, row.size, row.compression = metric_name, size, compression
        row.seeds.append((seed, metric))
        row.seconds += seconds
        row.spans.append((started, finished))
        before = db.execute("SELECT value FROM metrics WHERE run_id = ? AND name = ?",
                            (run_id, f"{metric_name}_before_finetune")).fetchone()
        if before:
            row.before.append(before[0])
        for when in STAGE_METRICS:  # iPQ's and one-shot PQ's; none for int and fp32
            for stage, value in db.execute("SELECT step, value FROM metrics WHERE run_id = ? "
                                           "AND name = ? ORDER BY step",
                                           (run_id, f"{metric_name}_{when}")):
                row.stages.setdefault(stage, {w: [] for w in STAGE_METRICS})[when].append(value)
        # During training the metric is recorded as float_<metric> (the model before compression).
        row.curves[seed] = db.execute("SELECT step, value FROM metrics WHERE run_id = ? AND "
                                      "name = ? ORDER BY step", (run_id, f"float_{metric_name}")).fetchall()
    db.close()
    return OrderedDict(sorted(rows.items(), key=lambda item: item[1].order))


def is_accuracy(rows):
    return any(row.metric_name == "accuracy" for row in rows.values())


def scale_of(rows):
    return 100 if is_accuracy(rows) else 1


def mean(values):
    return statistics.mean(values) if values else None


def spread(values, scale):
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0] * scale:.2f}"
    return f"{statistics.mean(values) * scale:.2f} ± {statistics.stdev(values) * scale:.2f}"


def main_table(rows):
    scale = scale_of(rows)
    name = "accuracy (%)" if is_accuracy(rows) else "perplexity"
    lines = [f"| quantizer | training noise | size (bytes) | compression | {name}, mean ± sd | "
             "each seed | before fine-tuning | seconds |",
             "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for (quantizer, noise), row in rows.items():
        seeds = ", ".join(f"{seed}: {value * scale:.2f}" for seed, value in sorted(row.seeds))
        if row.not_done:
            seeds += f" ({row.not_done} not done)"
        size = f"{row.size:,}" if row.size else "-"  # no run of the row done: nothing measured
        compression = f"x{row.compression:.1f}" if row.compression else "-"
        lines.append(f"| {quantizer} | {noise} | {size} | {compression} | "
                     f"{spread([v for _, v in row.seeds], scale)} | {seeds} | "
                     f"{spread(row.before, scale)} | {row.seconds:.0f} |")
    return "\n".join(lines)


def stage_table(rows):
    """iPQ's staircase: per stage, the metric right after quantizing it (BatchNorm
    re-estimated) and after its fine-tuning, mean ± sd over seeds."""
    staged = [(key, row) for key, row in rows.items() if row.stages]
    if not staged:
        return ""
    scale = scale_of(rows)
    stages = sorted({stage for _, row in staged for stage in row.stages})
    header = "| quantizer | training noise | " + " | ".join(
        f"stage {s}: quantized | stage {s}: fine-tuned" for s in stages) + " |"
    lines = [header, "| --- | --- |" + " ---: |" * (2 * len(stages))]
    for (quantizer, noise), row in staged:
        cells = []
        for stage in stages:
            values = row.stages.get(stage, {w: [] for w in STAGE_METRICS})
            cells += [spread(values[when], scale) for when in STAGE_METRICS]
        lines.append(f"| {quantizer} | {noise} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def validation_curve(rows):
    """The fp32 rows' validation metric at each evaluation, seed by seed: whether the
    training length lets the float model converge is read from it."""
    scale = scale_of(rows)
    lines = []
    for (quantizer, noise), row in rows.items():
        if not quantizer.startswith("fp32") or noise != "none":
            continue
        for seed, curve in sorted(row.curves.items()):
            points = ", ".join(f"{step}: {value * scale:.2f}" for step, value in curve)
            lines.append(f"- {quantizer}, seed {seed}: {points}")
    return "fp32 validation metric by training step:\n\n" + "\n".join(lines) if lines else ""


def time_taken(rows):
    spans = [span for row in rows.values() for span in row.spans if span[0] and span[1]]
    if not spans:
        return ""
    seconds = sum(row.seconds for row in rows.values())
    first, last = min(s for s, _ in spans), max(f for _, f in spans)
    return (f"Time: the runs' own wall times add up to {duration(seconds)}; the first started "
            f"{duration(last - first)} before the last finished.")


def duration(seconds):
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _lead(rows, quantizer, values_of):
    """Quant-Noise's lead over no noise for `quantizer`, better positive (higher accuracy,
    lower perplexity), in the table's units; None where a row or its values are missing, or
    where several noise rates would make "the" Quant-Noise row ambiguous."""
    noisy = [row for (q, n), row in rows.items() if q == quantizer and n.startswith("Quant-Noise")]
    without = rows.get((quantizer, "none"))
    if len(noisy) != 1 or not without:
        return None
    a, b = mean(values_of(noisy[0])), mean(values_of(without))
    if a is None or b is None:
        return None
    return ((a - b) if is_accuracy(rows) else (b - a)) * scale_of(rows)


def _verdict(ok):
    return "**met**" if ok else "**not met**"


def goals(rows):
    """The issue's goals checked against the table's rows, and Quant-Noise's lead right after
    quantization for every iPQ quantizer (a goal on Fashion-MNIST: +5 points; shown without
    a verdict for the language model, whose goal is on the final perplexity)."""
    accuracy = is_accuracy(rows)
    lines = []
    fp32 = rows.get(("fp32", "none"))
    pq_keys = [key for key, row in rows.items() if key[0].startswith("iPQ") and row.seeds]
    if accuracy and fp32 and fp32.seeds:
        fp32_mean = mean([v for _, v in fp32.seeds])
        for quantizer, noise in pq_keys:
            row = rows[(quantizer, noise)]
            if row.compression >= 20:
                gap = (fp32_mean - mean([v for _, v in row.seeds])) * 100
                lines.append(f"- {quantizer}, {noise}, x{row.compression:.1f}: {abs(gap):.2f} points "
                             f"{'under' if gap > 0 else 'above'} fp32 after fine-tuning (goal: "
                             f"within 1.5): {_verdict(gap <= 1.5)}")
    # The lead is positive where Quant-Noise is better: more accuracy, less perplexity.
    def lead_text(lead):
        if accuracy:
            return f"{lead:+.2f} points over no noise"
        return f"{abs(lead):.2f} perplexity {'better' if lead >= 0 else 'worse'} than no noise"
    goal = lambda lead: f" (goal: +5): {_verdict(lead >= 5.0)}" if accuracy else ""
    for quantizer in dict.fromkeys(q for q, _ in pq_keys):
        lead = _lead(rows, quantizer, lambda row: row.before)
        if lead is not None:
            lines.append(f"- {quantizer}, one-shot (every stage quantized at once, no fine-tuning): "
                         f"Quant-Noise {lead_text(lead)}{goal(lead)}")
        stages = sorted({s for (q, _), row in rows.items() if q == quantizer for s in row.stages})
        for stage in stages:
            lead = _lead(rows, quantizer,
                         lambda row: row.stages.get(stage, {}).get("after_quantization", []))
            if lead is not None:
                lines.append(f"- {quantizer}, stage {stage} right after quantization: Quant-Noise "
                             f"{lead_text(lead)}{goal(lead)}")
        lead = _lead(rows, quantizer, lambda row: [v for _, v in row.seeds])
        if lead is not None and not accuracy:
            lines.append(f"- {quantizer} after fine-tuning: Quant-Noise {lead_text(lead)} "
                         f"(goal: no worse): {_verdict(lead >= 0)}")
    return "\n".join(lines)


def section(title, summary, rows, plot_names):
    parts = [f"## {title}", summary, main_table(rows)]
    stages = stage_table(rows)
    if stages:
        parts += ["iPQ stage by stage (mean ± sd over seeds):", stages]
    checked = goals(rows)
    if checked:
        parts += ["Goals, checked against the rows above:", checked]
    for text in (validation_curve(rows), time_taken(rows)):
        if text:
            parts.append(text)
    parts += [f"![{name}]({name})" for name in plot_names]
    return "\n\n".join(parts) + "\n"
