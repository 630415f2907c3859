"""results/{loader,memory}.jsonl and results/meta.json (run.sh here) -> RESULTS.md.

    /usr/bin/python3 experiments/image_loader/summarise.py [RESULTS_DIR] [--out RESULTS.md]

Speed, a table per worker count: each engine's mean images/s over the rounds with its 95%
interval (mean +- t(0.975, n-1) x sd / sqrt(n), Student's t from a table for df 1..30), the
same per core (images/s / workers), start-up and peak RSS; then qnstudio / torchvision as a
ratio of the means, its 95% interval by the delta method paired by round (the two engines of a
round ran back to back, so the covariance of their rounds is used: var(R) ~ R^2/n x (s_q^2/q^2
+ s_t^2/t^2 - 2 cov/(q t)), t quantile with n-1 df). Then each round's figures, and memory:
peak RSS of each engine at 2 workers over the folder's files and ten times as many.
Lines of one engine alone (the other failed or was not built) give "not run" in its columns.
Takes well under a second.
"""
import argparse
import json
import math
import os
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINES = ["torchvision", "qnstudio"]
# Student's t, two-sided 95% (the 0.975 quantile), df 1..30.
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t975(df):
    if df <= 30:
        return T975[df - 1]
    z = 1.959964  # past 30: the normal quantile with the first Cornish-Fisher term
    return z + (z ** 3 + z) / (4 * df)


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def mean_interval(values):
    """(mean, half-width of the 95% interval or None when there are fewer than 2 values)."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, None
    return mean, t975(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))


def fmt_interval(mean, half, digits=1):
    if half is None:
        return f"{mean:,.{digits}f} (1 round: no interval)"
    return f"{mean:,.{digits}f} [{mean - half:,.{digits}f}, {mean + half:,.{digits}f}]"


def ratio_interval(pairs):
    """pairs: [(qnstudio, torchvision)] images/s of the same round. Ratio of the means and the
    half-width of its 95% interval (delta method, paired), or None with fewer than 2 pairs."""
    q = [p[0] for p in pairs]
    t = [p[1] for p in pairs]
    mq, mt = statistics.fmean(q), statistics.fmean(t)
    ratio = mq / mt
    n = len(pairs)
    if n < 2:
        return ratio, None
    vq, vt = statistics.variance(q), statistics.variance(t)
    cov = sum((a - mq) * (b - mt) for a, b in pairs) / (n - 1)
    var = ratio ** 2 / n * (vq / mq ** 2 + vt / mt ** 2 - 2 * cov / (mq * mt))
    return ratio, t975(n - 1) * math.sqrt(max(var, 0.0))


def mib(nbytes):
    return f"{nbytes / 2 ** 20:,.0f} MiB"


def machine():
    model, cores = "unknown CPU", os.cpu_count()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        memory = f", {kb / 2 ** 20:.0f} GiB memory"
    except (OSError, StopIteration):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return f"{model}, {cores} cores ({usable} usable by this process){memory}"


def speed_section(lines, workers, meta):
    out = [f"## {workers} worker{'s' if workers > 1 else ''} ({workers} core"
           f"{'s' if workers > 1 else ''} of decoding and augmenting)", ""]
    out.append("| engine | rounds | images/s, mean [95% interval] | per core images/s "
               "[95% interval] | start-up s, mean | peak RSS, max |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    by_engine = {e: [r for r in lines if r["engine"] == e and r["workers"] == workers]
                 for e in ENGINES}
    for engine in ENGINES:
        rows = by_engine[engine]
        if not rows:
            out.append(f"| {engine} | not run | not run | not run | not run | not run |")
            continue
        rates = [r["images_per_second"] for r in rows]
        mean, half = mean_interval(rates)
        per_core = fmt_interval(mean / workers, half / workers if half is not None else None)
        startup = statistics.fmean(r["startup_seconds"] for r in rows)
        rss = max(r["peak_rss_bytes"] for r in rows)
        out.append(f"| {engine} | {len(rows)} | {fmt_interval(mean, half)} | {per_core} | "
                   f"{startup:.2f} | {mib(rss)} |")
    rounds = {}
    for engine in ENGINES:
        for r in by_engine[engine]:
            rounds.setdefault(r.get("round"), {})[engine] = r["images_per_second"]
    pairs = [(v["qnstudio"], v["torchvision"]) for v in rounds.values()
             if "qnstudio" in v and "torchvision" in v]
    out.append("")
    if pairs:
        ratio, half = ratio_interval(pairs)
        interval = (f"[{ratio - half:.2f}, {ratio + half:.2f}]" if half is not None
                    else "(1 round: no interval)")
        out.append(f"**qnstudio / torchvision: {ratio:.2f}x {interval}** (ratio of the mean "
                   f"images/s over {len(pairs)} paired round{'s' if len(pairs) > 1 else ''}; "
                   "95% interval by the delta method, paired by round, t with n-1 df).")
    else:
        out.append("**qnstudio / torchvision: not run** (no round has both engines"
                   + (f"; qnoise: {meta['qnstudio'][4:].replace('it ', '', 1)}" if
                      meta.get("qnstudio", "yes").startswith("no: ") else "") + ").")
    out.append("")
    return out


def rounds_section(lines):
    keys = sorted({(r["workers"], r["engine"]) for r in lines},
                  key=lambda k: (k[0], ENGINES.index(k[1]) if k[1] in ENGINES else 9))
    rounds = sorted({r.get("round") for r in lines}, key=lambda x: (x is None, x))
    out = ["## Each round", "",
           "images/s of each run (the first engine of a round alternates). load1: the range of "
           "the 1-minute load average before each run of the round; it counts the harness's own "
           "previous runs (up to about 3 after a 2-worker run), so much more than that means "
           "something else was running.", "",
           "| round | first | " + " | ".join(f"{e}, {w} w" for w, e in keys) + " | load1 |",
           "| ---: | --- | " + " | ".join("---:" for _ in keys) + " | ---: |"]
    for rnd in rounds:
        rows = [r for r in lines if r.get("round") == rnd]
        first = next((r["engine"] for r in rows if r.get("position") == 1), "")
        cells = []
        for workers, engine in keys:
            hit = [r for r in rows if r["workers"] == workers and r["engine"] == engine]
            cells.append(f"{hit[0]['images_per_second']:,.1f}" if hit else "-")
        loads = [r["load1"] for r in rows if "load1" in r]
        load = f"{min(loads):.2f}-{max(loads):.2f}" if loads else ""
        out.append(f"| {rnd} | {first} | " + " | ".join(cells) + f" | {load} |")
    out.append("")
    return out


def memory_section(lines, meta):
    out = ["## Memory", "",
           f"Each engine at 2 workers for {meta.get('memory_batches', '?')} batches of 64 "
           "(past one epoch of the smaller folder: the loaders go on into the next), over the "
           "folder's train files and over ten symlinks to each (work/links200k); peak RSS is "
           "the larger of the process's and its largest child's (getrusage RUSAGE_SELF and "
           "RUSAGE_CHILDREN). For a loader of several processes (torchvision's) that is less "
           "than its whole footprint (the other workers' own pages are not added); for a "
           "loader of threads in one process it is the whole.", ""]
    if not lines:
        return out + ["Not run.", ""]
    sizes = sorted({(r.get("copies", 0), r.get("files", 0)) for r in lines})
    small = next((s for s in sizes if s[0] == 1), sizes[0])
    large = next((s for s in sizes if s[0] == 10), sizes[-1])
    out.append(f"| engine | peak RSS, {small[1]:,} files | peak RSS, {large[1]:,} files | "
               f"ratio | images/s, {small[1]:,} / {large[1]:,} files | start-up s, "
               f"{small[1]:,} / {large[1]:,} files |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for engine in ENGINES:
        def last(size):
            hits = [r for r in lines if r["engine"] == engine
                    and (r.get("copies", 0), r.get("files", 0)) == size]
            return hits[-1] if hits else None
        a, b = last(small), last(large)
        if a is None and b is None:
            out.append(f"| {engine} | not run | not run | not run | not run | not run |")
            continue
        def cells(key, show):
            return " / ".join(show(r[key]) if r else "not run" for r in (a, b))
        ratio = f"{b['peak_rss_bytes'] / a['peak_rss_bytes']:.2f}x" if a and b else "-"
        rss_a, rss_b = cells("peak_rss_bytes", mib).split(" / ")
        out.append(f"| {engine} | {rss_a} | {rss_b} | {ratio} | "
                   f"{cells('images_per_second', lambda v: f'{v:,.1f}')} | "
                   f"{cells('startup_seconds', lambda v: f'{v:.2f}')} |")
    out.append("")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", default=os.path.join(HERE, "results"))
    parser.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    args = parser.parse_args()
    loader = read_lines(os.path.join(args.results, "loader.jsonl"))
    memory = read_lines(os.path.join(args.results, "memory.jsonl"))
    meta_path = os.path.join(args.results, "meta.json")
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    stats = meta.get("folder_stats") or {}
    commands = meta.get("commands", {})
    versions = next((r["versions"] for r in loader + memory if "versions" in r), {})

    md = ["# Image loader: QNStudio against torchvision", ""]
    md.append("Made by `bash experiments/image_loader/run.sh` (torchvision_loader.py, "
              "make_folder.py, summarise.py here). "
              f"Machine: {machine()}. Date: {meta.get('date', 'unknown')}. "
              f"PyTorch {versions.get('torch', '?')}, torchvision "
              f"{versions.get('torchvision', '?')}, one thread a process; qnoise: "
              f"{meta.get('qnoise', '?')}"
              + ("" if meta.get("qnstudio", "yes") == "yes"
                 else f" (**not run**: {meta['qnstudio'][4:].replace('it ', '', 1)})") + ".")
    if "load1_at_start" in meta:
        md[-1] += (f" Load average when it started: {meta['load1_at_start']:.2f} (1 minute; "
                   "near 0 on a quiet machine).")
    md.append("")
    folder = (f"{meta.get('train_files', '?'):,} train JPEGs" if meta.get("train_files")
              else "the train JPEGs")
    if stats:
        folder += (f" in 10 class folders, mean {stats['jpeg_bytes_mean'] / 1000:.1f} KB "
                   f"({stats['jpeg_bytes_min'] / 1000:.0f}-{stats['jpeg_bytes_max'] / 1000:.0f}"
                   f" KB), mean {stats['width_mean']:.0f}x{stats['height_mean']:.0f} pixels, "
                   f"quality {stats['quality']}, {stats['subsampling']}")
    md.append(f"Data: {meta.get('data', '?')}: {folder} (make_folder.py: Fashion-MNIST "
              "upscaled, tinted and textured to compress like photos). Batch 64, "
              "RandomResizedCrop 224 + flip + ImageNet normalisation; "
              + (f"{meta['batches']} batches a run" if meta.get("batches")
                 else "one epoch a run")
              + f", {meta.get('rounds', '?')} round{'' if meta.get('rounds') == 1 else 's'}, the engines interleaved (order "
              "alternating by round), each run a fresh process; images/s counts the images "
              "that arrive between the first batch and the last (start-up excluded, shown "
              "apart).")
    if meta.get("batches") and int(meta["batches"]) < 50:
        md[-1] += (f" **{meta['batches']} batches a run is too few for the rates to mean "
                   "much** (the first batches of all the workers arrive together; a test of "
                   "the harness, not a measurement).")
    md.append("")
    if commands:
        md += ["Commands (W = 1, 2; DIR = the folder's train/ or work/links200k/train):", "",
               "```", commands.get("torchvision", ""), commands.get("qnstudio", ""),
               commands.get("torchvision_memory", ""), commands.get("qnstudio_memory", ""),
               "```", ""]
    failures = os.path.join(args.results, "failures.txt")
    if os.path.exists(failures) and os.path.getsize(failures):
        md += ["**Runs that failed** (not in the tables):", "", "```",
               open(failures).read().rstrip(), "```", ""]
    for workers in sorted({r["workers"] for r in loader}) or [1, 2]:
        md += speed_section(loader, workers, meta)
    if loader:
        md += rounds_section(loader)
    md += memory_section(memory, meta)
    with open(args.out, "w") as f:
        f.write("\n".join(md).rstrip() + "\n")


if __name__ == "__main__":
    main()
