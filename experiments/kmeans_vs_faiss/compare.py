"""Runs qnoise kmeans and FAISS k-means on the same float32 matrices and records both.

For each seed: a 4096x1024 standard-normal matrix, split into blocks of 8 along each row
(524,288 points of dimension 8), K = 256, 20 iterations, on all cores of this machine.
Each implementation runs on all points (the same problem) and with FAISS's default
subsampling (256 points per centroid, 65,536 points: less work, a looser fit). Every
objective is the sum of squared errors of all 524,288 points to their nearest final
centroid, so the numbers compare directly. qnoise's time includes that last assignment of
all points; FAISS's does not. Timings on a shared 2-core machine wander, so each run is
repeated and the fastest repeat kept (the objective is the same every repeat).
"""
import argparse
import json
import os
import platform
import subprocess
import time

import faiss
import numpy as np

ROWS, COLS, BLOCK, K, ITERS = 4096, 1024, 8, 256, 20
SEEDS = [0, 1, 2]
REPEATS = 3
ALL_POINTS = 1 << 30


def faiss_kmeans(points, seed, max_points_per_centroid):
    kmeans = faiss.Kmeans(BLOCK, K, niter=ITERS, seed=seed + 1234,
                          max_points_per_centroid=max_points_per_centroid, verbose=False)
    start = time.perf_counter()
    kmeans.train(points)
    seconds = time.perf_counter() - start
    distances, _ = kmeans.index.search(points, 1)
    return {"seconds": seconds, "seconds_per_iter": seconds / ITERS,
            "objective": float(distances.astype(np.float64).sum())}


def qnoise_kmeans(qnoise, path, seed, max_points_per_centroid):
    output = subprocess.run(
        [qnoise, "kmeans", "--input", path, "--shape", f"{ROWS}x{COLS}", "--block", str(BLOCK),
         "--centroids", str(K), "--iters", str(ITERS), "--seed", str(seed), "--device", "cpu",
         "--max-points-per-centroid", str(0 if max_points_per_centroid == ALL_POINTS else max_points_per_centroid), "--json"],
        check=True, capture_output=True, text=True).stdout
    result = json.loads(output)
    return {key: result[key] for key in ("seconds", "seconds_per_iter", "objective",
                                         "empty_clusters_resolved", "device")}


def fastest(run, repeats=REPEATS):
    return min((run() for _ in range(repeats)), key=lambda result: result["seconds"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qnoise", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    runs = []
    for seed in SEEDS:
        matrix = np.random.default_rng(seed).standard_normal((ROWS, COLS), dtype=np.float32)
        path = os.path.join(args.workdir, f"weight_{seed}.f32")
        matrix.tofile(path)
        points = np.ascontiguousarray(matrix.reshape(-1, BLOCK))
        runs.append({"seed": seed})
        for sample in (ALL_POINTS, 256):
            suffix = "all_points" if sample == ALL_POINTS else "default_subsampling"
            runs[-1]["qnoise_" + suffix] = fastest(lambda: qnoise_kmeans(args.qnoise, path, seed, sample))
            runs[-1]["faiss_" + suffix] = fastest(lambda: faiss_kmeans(points, seed, sample))
        print(json.dumps(runs[-1]), flush=True)

    def mean(kind, key):
        return sum(run[kind][key] for run in runs) / len(runs)

    kinds = ["qnoise_all_points", "faiss_all_points", "qnoise_default_subsampling",
             "faiss_default_subsampling"]
    summary = {kind: {"seconds_per_iter": mean(kind, "seconds_per_iter"),
                      "objective": mean(kind, "objective")} for kind in kinds}
    machine = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
               "faiss": faiss.__version__, "faiss_threads": faiss.omp_get_max_threads()}
    result = {"problem": {"rows": ROWS, "cols": COLS, "block": BLOCK, "centroids": K,
                          "iters": ITERS, "data": "standard normal float32", "seeds": SEEDS,
                          "repeats": REPEATS},
              "machine": machine, "summary": summary, "runs": runs}
    os.makedirs(os.path.join(args.out, "results"), exist_ok=True)
    with open(os.path.join(args.out, "results", "comparison.json"), "w") as handle:
        json.dump(result, handle, indent=2)

    reference = summary["faiss_all_points"]
    lines = [
        "# k-means: qnoise against FAISS",
        "",
        f"{ROWS}x{COLS} float32 (standard normal), blocks of {BLOCK} (524,288 points), "
        f"K = {K}, {ITERS} iterations; mean over seeds {SEEDS} of the fastest of {REPEATS} "
        f"repeats; {machine['cores']} cores, "
        f"FAISS {machine['faiss']} with {machine['faiss_threads']} threads. Objective: SSE of "
        "all points to their nearest final centroid. default_subsampling fits on 256 points "
        "per centroid (FAISS's default), then assigns all. Made by "
        "`bash experiments/kmeans_vs_faiss/run.sh`.",
        "",
        "| implementation | s / iteration | objective | vs FAISS (all points) |",
        "| --- | --- | --- | --- |",
    ]
    for kind in kinds:
        row = summary[kind]
        lines.append(f"| {kind} | {row['seconds_per_iter']:.4f} | {row['objective']:.1f} | "
                     f"time x{row['seconds_per_iter'] / reference['seconds_per_iter']:.2f}, "
                     f"objective {100 * (row['objective'] / reference['objective'] - 1):+.2f}% |")
    with open(os.path.join(args.out, "RESULTS.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
