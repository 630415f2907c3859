"""experiments/paper_table's bookkeeping: the table's row order, the records a fresh clone
resumes from, and the sections RESULTS.md keeps for tables this machine has no store for.
The sweeps themselves are exercised by the paper_table_quick test; here the stores hold only
the columns report.py reads."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from contextlib import closing
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "..", "experiments", "paper_table")
sys.path.insert(0, TABLE)

import paper_table  # noqa: E402
import report  # noqa: E402

SCHEMA = """
CREATE TABLE runs (id INTEGER PRIMARY KEY, config TEXT, status TEXT, started_at REAL,
                   finished_at REAL);
CREATE TABLE results (run_id INTEGER, metric_name TEXT, metric REAL, size_bytes INTEGER,
                      compression REAL, seconds REAL);
CREATE TABLE metrics (run_id INTEGER, step INTEGER, name TEXT, value REAL);
CREATE TABLE trained_models (training_key TEXT, state BLOB);
"""

FP32 = {"method": "none"}
INT8 = {"method": "int", "bits": 8, "observer": "histogram"}
INT4 = {"method": "int", "bits": 4, "observer": "channel"}
IPQ = {"method": "ipq", "centroid_bits": 16}  # a stored config is complete: fp16 codebooks
IPQ_INT8 = {"method": "ipq", "centroid_bits": 8}
NONE = {"mode": "none"}
STE = {"mode": "ste"}
QN = {"mode": "quant-noise", "p": 0.1}


def make_store(path, runs, epochs=(2,)):
    """A store with one done run per (quant, noise) and length, in the order given."""
    with closing(sqlite3.connect(path)) as db:
        db.executescript(SCHEMA)
        configs = [{"quant": quant, "noise": noise, "train": {"seed": 0, "epochs": length}}
                   for quant, noise in runs for length in epochs]
        for run_id, config in enumerate(configs, start=1):
            db.execute("INSERT INTO runs VALUES (?, ?, 'done', 0, 1)",
                       (run_id, json.dumps(config)))
            db.execute("INSERT INTO results VALUES (?, 'perplexity', ?, 1000, 4.0, 1.0)",
                       (run_id, 100.0 + run_id))
        db.execute("INSERT INTO trained_models VALUES ('key', x'00ff')")
        db.commit()


class RowOrder(unittest.TestCase):
    def test_rows_come_out_in_the_table_order_whatever_order_they_ran_in(self):
        ran = [(FP32, NONE), (IPQ, NONE), (IPQ_INT8, NONE), (INT8, NONE), (INT4, NONE),
               (IPQ, QN), (IPQ_INT8, QN), (IPQ, STE), (INT8, QN), (INT4, QN), (INT8, STE)]
        with tempfile.TemporaryDirectory() as folder:
            store = os.path.join(folder, "lm.sqlite")
            make_store(store, ran)
            rows = list(report.read_rows(store))
        self.assertEqual(rows, [
            ("fp32", "none"),
            ("int8 (histogram)", "none"), ("int8 (histogram)", "STE"),
            ("int8 (histogram)", "Quant-Noise p=0.1"),
            ("int4 (channel)", "none"), ("int4 (channel)", "Quant-Noise p=0.1"),
            ("iPQ", "none"), ("iPQ", "STE"), ("iPQ", "Quant-Noise p=0.1"),
            ("iPQ + int8", "none"), ("iPQ + int8", "Quant-Noise p=0.1")])

    def test_rates_are_ordered_by_value(self):
        rates = [0.5, 0.05, 0.25]
        with tempfile.TemporaryDirectory() as folder:
            store = os.path.join(folder, "p.sqlite")
            make_store(store, [(INT4, {"mode": "quant-noise", "p": p}) for p in rates])
            noises = [noise for _, noise in report.read_rows(store)]
        self.assertEqual(noises, ["Quant-Noise p=0.05", "Quant-Noise p=0.25",
                                  "Quant-Noise p=0.5"])


    def test_a_store_of_several_lengths_has_a_row_and_a_curve_per_length(self):
        with tempfile.TemporaryDirectory() as folder:
            store = os.path.join(folder, "lm_length.sqlite")
            make_store(store, [(FP32, NONE)], epochs=(16, 4, 8))
            with closing(sqlite3.connect(store)) as db:
                db.executemany("INSERT INTO metrics VALUES (?, 300, 'float_perplexity', ?)",
                               [(1, 150.0), (2, 170.0), (3, 160.0)])
                db.commit()
            rows = report.read_rows(store)
        self.assertEqual(list(rows), [("fp32, 4 epochs", "none"), ("fp32, 8 epochs", "none"),
                                      ("fp32, 16 epochs", "none")])
        self.assertEqual(report.validation_curve(rows).splitlines()[2:],
                         ["- fp32, 4 epochs, seed 0: 300: 170.00",
                          "- fp32, 8 epochs, seed 0: 300: 160.00",
                          "- fp32, 16 epochs, seed 0: 300: 150.00"])


class Wording(unittest.TestCase):
    def make(self, folder):
        store = os.path.join(folder, "lm.sqlite")
        make_store(store, [(FP32, NONE), (IPQ, NONE), (IPQ, QN)])  # perplexity 101, 102, 103
        with closing(sqlite3.connect(store)) as db:
            config = {"quant": INT8, "noise": STE, "train": {"seed": 0, "epochs": 2}}
            db.execute("INSERT INTO runs VALUES (4, ?, 'queued', NULL, NULL)",
                       (json.dumps(config),))
            db.commit()
        return report.read_rows(store)

    def test_a_row_with_no_run_done_shows_no_size(self):
        with tempfile.TemporaryDirectory() as folder:
            table = report.main_table(self.make(folder))
        self.assertIn("| int8 (histogram) | STE | - | - | - |  (1 not done) |", table)

    def test_a_higher_perplexity_with_noise_is_worded_worse_and_fails_the_goal(self):
        with tempfile.TemporaryDirectory() as folder:
            goals = report.goals(self.make(folder))
        self.assertIn("- iPQ after fine-tuning: Quant-Noise 1.00 perplexity worse than no noise "
                      "(goal: no worse): **not met**", goals)


class Records(unittest.TestCase):
    def test_a_missing_store_starts_from_its_record_with_every_row(self):
        with tempfile.TemporaryDirectory() as folder:
            store = os.path.join(folder, "lm.sqlite")
            record = os.path.join(folder, "records", "lm.sqlite")
            make_store(store, [(FP32, NONE), (IPQ, QN)])
            paper_table.write_record(store, record)
            before = report.main_table(report.read_rows(store))
            os.remove(store)
            paper_table.seed_from_record(store, record)
            self.assertEqual(report.main_table(report.read_rows(store)), before)
            with closing(sqlite3.connect(store)) as db:  # a queued run may still need it
                self.assertEqual(db.execute("SELECT COUNT(*) FROM trained_models").fetchone(),
                                 (1,))
            self.assertEqual(sorted(os.listdir(os.path.dirname(record))), ["lm.sqlite"])

    def test_an_existing_store_is_not_replaced_by_its_record(self):
        with tempfile.TemporaryDirectory() as folder:
            store = os.path.join(folder, "lm.sqlite")
            record = os.path.join(folder, "record.sqlite")
            make_store(record, [(FP32, NONE)])
            make_store(store, [(FP32, NONE), (INT8, NONE)])
            paper_table.seed_from_record(store, record)
            self.assertEqual(len(report.read_rows(store)), 2)


class KeptSections(unittest.TestCase):
    def test_report_keeps_the_sections_of_tables_without_a_store(self):
        convnet = json.loads(Path(TABLE, "convnet.json").read_text())["name"]
        lm = json.loads(Path(TABLE, "lm.json").read_text())["name"]
        kept = f"## {convnet}\n\nThe complete table, written when its store existed.\n"
        with tempfile.TemporaryDirectory() as folder:
            results = Path(folder, "RESULTS.md")
            results.write_text(f"# header of an earlier run\n\n{kept}\n## {lm}\n\nold\n")
            subprocess.run([sys.executable, os.path.join(TABLE, "paper_table.py"), "--report",
                            "--qnoise", "unused", "--qnstudio", "unused", "--out", folder],
                           check=True)
            text = results.read_text()
        self.assertIn(kept, text)
        self.assertIn("old", text)
        self.assertNotIn("earlier run", text)  # the header is written afresh
        self.assertIn("## extreme: not run yet", text)

    def test_only_refuses_a_table_that_does_not_exist(self):
        done = subprocess.run([sys.executable, os.path.join(TABLE, "paper_table.py"),
                               "--only", "lm,cifar", "--qnoise", "q", "--qnstudio", "s",
                               "--out", tempfile.gettempdir()],
                              stderr=subprocess.PIPE, text=True)
        self.assertEqual(done.returncode, 2)
        self.assertIn("no table named cifar", done.stderr)


if __name__ == "__main__":
    unittest.main()
