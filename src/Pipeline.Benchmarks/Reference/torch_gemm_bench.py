#!/usr/bin/python3
"""Reference speed of torch.mm (OpenBLAS behind PyTorch 1.13) on the engine's GEMM shapes.

Reads the shape list as JSON on stdin (the engine's GemmBenchmark.ShapesJson: name, transA, transB, m, n, k;
row-major C[m,n] = op(A)[m,k] op(B)[k,n]) and prints one JSON list of {name, gflops, microseconds}: medians over
several timed samples, the transposes done as strided views the way nn.Linear and its backward hand them to BLAS.
Run with /usr/bin/python3 (Debian's torch); uses 2 threads unless --threads says otherwise.
"""
import argparse
import json
import statistics
import sys
import time

import torch


def operands(shape):
    m, n, k = shape["m"], shape["n"], shape["k"]
    g = torch.Generator().manual_seed(1234)
    a = torch.rand(k, m, generator=g).t() if shape["transA"] else torch.rand(m, k, generator=g)
    b = torch.rand(n, k, generator=g).t() if shape["transB"] else torch.rand(k, n, generator=g)
    return a, b, torch.empty(m, n)


def time_once(a, b, c, iterations):
    start = time.perf_counter()
    for _ in range(iterations):
        torch.mm(a, b, out=c)
    return (time.perf_counter() - start) / iterations * 1e6


def measure(shape, samples, sample_ms):
    a, b, c = operands(shape)
    once = time_once(a, b, c, 5)
    iterations = max(1, min(1_000_000, int(sample_ms * 1e3 / max(once, 0.01))))
    time_once(a, b, c, iterations)  # a discarded sample: lets OpenMP's threads and the caches settle
    times = [time_once(a, b, c, iterations) for _ in range(samples)]
    micros = statistics.median(times)
    flops = 2.0 * shape["m"] * shape["n"] * shape["k"]
    return {"name": shape["name"], "gflops": flops / (micros * 1e3), "microseconds": micros}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--sample-ms", type=float, default=30.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    shapes = json.load(sys.stdin)
    print(json.dumps([measure(s, args.samples, args.sample_ms) for s in shapes]))


if __name__ == "__main__":
    main()
