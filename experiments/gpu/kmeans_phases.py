"""Where a k-means iteration's time goes on a GPU: the engine's formulation (quant/kmeans.cpp,
quant/nearest_centroid.cpp) replayed in PyTorch phase by phase, with other ways to compute
the centroid update beside it. The bench's weight: 4096x1024 in blocks of 8, K = 256.
Run by experiments/gpu/run.sh; prints one line a phase (median of 20, milliseconds)."""
import statistics

import torch


def timed(work, repeats=20):
    work()  # warm-up
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        work()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    generator = torch.Generator().manual_seed(0)
    points = torch.randn(4096, 1024, generator=generator).reshape(-1, 8).cuda()
    k, chunk = 256, (1 << 26) // 256  # the engine's chunk on CUDA (default_chunk_rows)
    centroids = points[torch.randperm(len(points), generator=generator)[:k].cuda()].clone()
    n = len(points)
    index = torch.empty(n, dtype=torch.long, device="cuda")
    distance = torch.empty(n, device="cuda")

    def assign():
        norms, centroids_t = centroids.pow(2).sum(1).unsqueeze(0), centroids.t().contiguous()
        for start in range(0, n, chunk):
            rows = points[start:start + chunk]
            partial = torch.addmm(norms, rows, centroids_t, beta=1, alpha=-2)
            torch.min(partial, 1, out=(distance[start:start + chunk], index[start:start + chunk]))
            distance[start:start + chunk].add_(rows.pow(2).sum(1)).clamp_min_(0)

    def sorted_index_add():
        order = torch.argsort(index)
        return torch.zeros_like(centroids).index_add_(0, index[order], points[order])

    assign()
    counts = torch.bincount(index, minlength=k)
    points_t = points.t().contiguous()
    phases = {
        "assignment (GEMM distances, min)": assign,
        "objective (sum, .item())": lambda: distance.sum(dtype=torch.double).item(),
        "counts (bincount)": lambda: torch.bincount(index, minlength=k),
        "update: index_add_ (the engine's)":
            lambda: torch.zeros_like(centroids).index_add_(0, index, points),
        "update: bincount a coordinate":
            lambda: torch.stack([torch.bincount(index, weights=row, minlength=k) for row in points_t], 1),
        "update: one-hot GEMM":
            lambda: torch.zeros(n, k, device="cuda").scatter_(1, index.unsqueeze(1), 1).t().mm(points),
        "update: sort, then index_add_ of sorted rows": sorted_index_add,
        "empty-cluster check (nonzero, to CPU)": lambda: (counts == 0).nonzero().cpu(),
    }
    print("k-means phases on", torch.cuda.get_device_name(), "torch", torch.__version__)
    for name, work in phases.items():
        print(f"{timed(work):8.3f} ms  {name}")


if __name__ == "__main__":
    main()
