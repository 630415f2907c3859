"""Adds N finished runs with 150-step loss curves to a QNStudio store, copying the config
of its first run and varying quantizer, noise, p and seed: a big store for the UI
responsiveness measurement (the values are synthetic; only their number matters)."""
import json
import random
import sqlite3
import sys
import time

path, count = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
base = json.loads(db.execute("SELECT config FROM runs ORDER BY id LIMIT 1").fetchone()[0])
rng = random.Random(0)
now = time.time()
with db:
    for i in range(count):
        config = json.loads(json.dumps(base))
        bits = rng.choice([2, 3, 4, 8])
        config["quant"].update({"method": "int", "bits": bits})
        config["noise"].update({"mode": rng.choice(["none", "ste", "quant-noise"]),
                                "p": round(rng.uniform(0.05, 0.95), 2)})
        config["train"]["seed"] = i
        run = db.execute(
            "INSERT INTO runs (config, config_hash, status, device, created_at, started_at, "
            "finished_at, attempts) VALUES (?, ?, 'done', 'cpu', ?, ?, ?, 1)",
            (json.dumps(config), "synthetic-%d" % i, now, now, now)).lastrowid
        size = 1031999 * bits // 8
        accuracy = 0.9 - 0.02 * (8 - bits) / 6 + rng.uniform(-0.01, 0.01)
        db.execute("INSERT INTO results VALUES (?, 'accuracy', ?, ?, ?, 4097320, ?, 10.0)",
                   (run, accuracy, accuracy + 0.005, size, 4097320 / size))
        db.executemany("INSERT INTO metrics VALUES (?, ?, 'loss', ?)",
                       [(run, step, 2.3 * 0.98 ** step + rng.uniform(0, 0.1))
                        for step in range(1, 151)])
print(db.execute("SELECT count(*) FROM runs").fetchone()[0], "runs in", path)
