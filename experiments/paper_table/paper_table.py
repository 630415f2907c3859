"""The paper's table in miniature: runs the sweeps of this folder headless into stores, one a
sweep, then writes RESULTS.md (rows laid out like the paper's table: size, compression,
metric as mean and spread over seeds, every seed's value, the metric before fine-tuning) and
the plots of each store, drawn by the application's own plotting code (qnstudio --plot):
the Pareto front, and for the noise-rate sweep the metric against p (the Response view).
report.py lays the tables out.

Resumable: each sweep continues in its store (done runs are kept, interrupted ones are run
again), so a killed run picks up where it stopped. The stores are too large for the
repository and a fresh clone has none, so each is also written, after its sweep and by
--report, as a record in records/ (a compacted copy; committed): a store that is missing
starts from its record, so the table resumes on another machine. A table with neither keeps
its section of the RESULTS.md already there. --quick shrinks every budget (a few
dozen steps, one seed, two rates) so that CI checks the table is produced, not what it says.
"""
import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import time
from contextlib import closing

import report

HERE = os.path.dirname(os.path.abspath(__file__))
# The cheap tables first: the language model alone takes longer than the ConvNet sweeps.
# lm_length trains the language model's fp32 row twice as long, to judge lm's length.
SPECS = ["convnet", "extreme", "noise_rate", "lm_length", "lm"]
# The views plotted for each table: the response view draws the metric against p.
VIEWS = {"convnet": ["pareto"], "extreme": ["pareto"], "noise_rate": ["pareto", "response"],
         "lm_length": [], "lm": ["pareto"]}


def quick(spec):
    """The same sweep at a budget CI can afford: a few steps, one seed, two rates, the
    first two rows and the last of each table (fp32, int8, iPQ + int8 with Quant-Noise:
    every column of the table is exercised), a narrow language model, a sample of the
    evaluation split."""
    base = spec["base"]
    lm = base["task"] == "brown-lm"
    base["train"].pop("epochs", None)
    base["train"].update({"max_steps": 12 if lm else 20, "eval_every": 0})
    base.setdefault("data", {})["train_limit"] = 200 if lm else 1000
    base["data"]["eval_limit"] = 200 if lm else 1000  # most of a tiny run's time otherwise
    base.setdefault("quant", {})["finetune_steps"] = 2
    if lm:
        base["data"]["vocabulary_cap"] = 2000
        base["model"].update({"dim": 32, "heads": 2, "ffn": 64})
    spec["seeds"] = [0]
    if len(spec.get("variants", [])) > 3:
        spec["variants"] = spec["variants"][:2] + spec["variants"][-1:]
    if "grid" in spec:
        spec["grid"] = {key: values[:2] for key, values in spec["grid"].items()}
    return spec


def run_sweep(qnoise, spec_path, store, log):
    with open(log, "a") as err:
        done = subprocess.run([qnoise, "sweep", "--spec", spec_path, "--db", store, "--resume",
                               "--json"], stdout=subprocess.PIPE, stderr=err, text=True)
    if done.returncode not in (0, 1):  # 1: some runs failed; they show in the table
        raise SystemExit(f"qnoise sweep {spec_path} exited {done.returncode}; see {log}")
    return json.loads(done.stdout)


def plot(qnstudio, store, view, path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # Seeds grouped: one point a row (the mean, the seeds' range as an error bar), as the table.
    subprocess.run([qnstudio, "--db", store, "--view", view, "--plot", path, "--group-seeds"],
                   check=True, env=env, stderr=subprocess.DEVNULL)
    if not os.path.getsize(path):
        raise SystemExit(f"{path} is empty")


def store_summary(store):
    with closing(sqlite3.connect(store)) as db:
        counts = dict(db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
    return {"done": counts.get("done", 0), "failed": counts.get("failed", 0),
            "configs": sum(counts.values())}


def seed_from_record(store, record):
    """A store that is missing starts from its record (a fresh clone, another machine)."""
    if not os.path.exists(store) and os.path.exists(record):
        shutil.copyfile(record, store)


def write_record(store, record):
    """A consistent copy of the store, compacted, written atomically; safe while a sweep
    writes to the store (SQLite's online backup)."""
    os.makedirs(os.path.dirname(record), exist_ok=True)
    partial = record + ".partial"
    with closing(sqlite3.connect(store)) as source, closing(sqlite3.connect(partial)) as copy:
        source.backup(copy)
        copy.execute("VACUUM")
    os.replace(partial, record)


def earlier_sections(path):
    """RESULTS.md's sections by title ("## title" up to the next): the tables this
    invocation does not write (not chosen, or no store on this machine) keep theirs."""
    if not os.path.exists(path):
        return {}
    text = open(path).read()
    starts = [match.start() for match in re.finditer(r"^## ", text, re.MULTILINE)]
    sections = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    return {section.splitlines()[0][3:]: section.rstrip("\n") + "\n" for section in sections}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qnoise", required=True)
    parser.add_argument("--qnstudio", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--report", action="store_true",
                        help="train nothing: RESULTS.md, the plots and the records from the "
                             "stores as they are")
    parser.add_argument("--only", default=",".join(SPECS),
                        help="the tables to run, comma-separated (default: all, in order: "
                             f"{','.join(SPECS)}); the others keep their sections")
    args = parser.parse_args()
    chosen = args.only.split(",")
    unknown = sorted(set(chosen) - set(SPECS))
    if unknown:
        parser.error(f"--only: no table named {', '.join(unknown)} (tables: {', '.join(SPECS)})")
    os.makedirs(os.path.join(args.out, "specs"), exist_ok=True)
    if args.quick and not args.report:  # a check starts from nothing: no earlier build's run
        for name in os.listdir(args.out):
            if ".sqlite" in name or name == "RESULTS.md":
                os.remove(os.path.join(args.out, name))
        shutil.rmtree(os.path.join(args.out, "records"), ignore_errors=True)
    started = time.time()
    specs = {name: json.load(open(os.path.join(HERE, f"{name}.json"))) for name in SPECS}
    sections = {}
    for name in chosen:
        spec = quick(specs[name]) if args.quick else specs[name]
        spec_path = os.path.join(args.out, "specs", f"{name}.json")
        store = os.path.join(args.out, f"{name}.sqlite")
        record = os.path.join(args.out, "records", f"{name}.sqlite")
        seed_from_record(store, record)
        if args.report and not (os.path.exists(store) and store_summary(store)["done"]):
            continue  # nothing to report of this table yet
        if not args.report:
            json.dump(spec, open(spec_path, "w"), indent=1)
            summary = run_sweep(args.qnoise, spec_path, store, os.path.join(args.out, "sweeps.log"))
            if args.quick and (summary["failed"] or
                               summary["done"] + summary["skipped_done"] != summary["configs"]):
                raise SystemExit(f"{name}: {summary}")
        plots = []
        for view in VIEWS[name]:
            plots.append(f"{name}_{view}.png")
            plot(args.qnstudio, store, view, os.path.join(args.out, plots[-1]))
        write_record(store, record)
        done = store_summary(store)
        sections[name] = report.section(
            spec["name"], f"{done['done']} of {done['configs']} runs done, {done['failed']} "
            f"failed; store `{name}.sqlite`, spec `specs/{name}.json`.",
            report.read_rows(store), plots)
        # Written after every sweep, so a run stopped part-way still shows what it finished.
        write_results(args, specs, sections, time.time() - started)
    write_results(args, specs, sections, time.time() - started)


def write_results(args, specs, sections, seconds):
    """RESULTS.md: this invocation's sections, and for every other table the section the file
    has now (read just before writing, so two invocations on different tables keep each
    other's), written atomically."""
    header = (f"# The paper's table in miniature{' (quick: CI budget, not results)' if args.quick else ''}\n\n"
              f"Made by `bash experiments/paper_table/run.sh` on {platform.node()} "
              f"({os.cpu_count()} cores, {platform.machine()}); written "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
              f"{'' if args.report else f', after {seconds:.0f} s of this invocation'}. "
              "Spread: the standard deviation over seeds. Before fine-tuning: iPQ's metric "
              "with every stage quantized at once from the trained model and no fine-tuning "
              "(one-shot). Seconds: the wall time of a row's runs added up (a shared training "
              "counts in the run that trained it; time the job spent paused or beside other "
              "work counts too).\n")
    path = os.path.join(args.out, "RESULTS.md")
    earlier = earlier_sections(path)
    tables = [sections.get(name) or earlier.get(specs[name]["name"], f"## {name}: not run yet\n")
              for name in SPECS]
    with open(path + ".partial", "w") as partial:
        partial.write(header + "\n" + "\n".join(tables))
    os.replace(path + ".partial", path)


if __name__ == "__main__":
    main()
