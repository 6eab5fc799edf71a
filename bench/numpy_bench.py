#!/usr/bin/env python3
"""numpy/OpenBLAS counterparts of the JMH kernel benchmarks (same names, same shapes).

    python3 bench/numpy_bench.py --list
    python3 bench/numpy_bench.py --threads 1 --json out.json [--only REGEX]

--threads sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before numpy is imported. Timing follows the JMH settings
of the Java side: 3 warm-up and 5 measured iterations of about 1 s each (at least one call); an iteration's score
is its time per call. The JSON holds the iteration scores, their median and the best (ms).
"""
import argparse
import itertools
import json
import os
import re
import sys
import time

# (JMH benchmark, shape) pairs; the shapes are the @Param lists of the Java benchmarks.
CASES = [("MatmulBenchmark.matmul", s) for s in [
    "2048x1280x768/w", "256x1280x1280/w", "256x1280x1280/cold", "512x1024x1024/cold", "2048x512x2048/w",
    "2048x2048x512/w", "182528x322x64/w", "182528x512x322/w", "182528x2048x322/w", "2048x2048x64/bt",
    "2048x64x2048/b", "96x256x64/bt", "96x64x256/b"]]
CASES += [("LinearBenchmark." + k, s) for s in ["2048x1280x768", "182528x322x64", "182528x512x322"]
          for k in ["fused", "separate"]]
CASES += [("AttentionBenchmark." + k, s) for k in ["streamed", "withProbs"]
          for s in ["256x256x8x160x160", "256x2048x8x32x160", "2048x16384x1x64x64", "2048x2048x16x32x32"]]
CASES += [("PointwiseBenchmark." + k, s) for k in ["softmax", "layerNorm", "gelu", "biasResidual"]
          for s in ["2048x768", "256x1280", "2048x2048"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json")
    ap.add_argument("--only", default=".", help="regex over 'Benchmark.method shape'")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0, help="length of one iteration")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    cases = [c for c in CASES if re.search(args.only, c[0] + " " + c[1])]
    if args.list:
        for bench, shape in cases:
            print(bench, shape)
        return
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np  # noqa: E402  (after the thread variables)
    from scipy.special import erf  # noqa: E402

    results = []
    for bench, shape in cases:
        fn = make(np, erf, bench, shape)
        scores = iterations(fn, args.warmup, args.iterations, args.seconds)
        r = {"benchmark": bench, "shape": shape, "threads": args.threads, "iterations_ms": scores,
             "median_ms": sorted(scores)[len(scores) // 2], "best_ms": min(scores), "numpy": np.__version__,
             "blas": blas_name(np)}
        results.append(r)
        print(f"{bench:32s} {shape:20s} threads={args.threads} median {r['median_ms']:.3f} ms/call, "
              f"best {r['best_ms']:.3f} ms/call", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


def blas_name(np):
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # older numpy
        return "unknown"


def iterations(fn, warmup, measured, seconds):
    """JMH-style: each iteration calls fn until `seconds` have passed; its score is the mean time per call."""
    scores = []
    for i in range(warmup + measured):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        if i >= warmup:
            scores.append(elapsed / calls * 1e3)
    return scores


def make(np, erf, bench, shape):
    rng = np.random.default_rng(1)

    def rand(*s):
        return (rng.random(s, dtype=np.float32) * 2 - 1)

    kind = bench.split(".")[1]
    if bench.startswith("Matmul"):
        dims, op = shape.split("/")
        m, n, k = map(int, dims.split("x"))
        a = rand(m, k)
        c = np.empty((m, n), np.float32)
        if op == "cold":  # as MatmulBenchmark: the next of weights filling 64 MiB at each call
            ws = [rand(n, k).T for _ in range(max(1, (64 << 20) // (4 * n * k)))]
            turn = itertools.cycle(ws)
            return lambda: np.matmul(a, next(turn), out=c)
        b = rand(n, k) if op in ("w", "bt") else rand(k, n)
        bop = b.T if op in ("w", "bt") else b
        return lambda: np.matmul(a, bop, out=c)
    if bench.startswith("Linear"):  # numpy has one way: matmul, then the bias pass (both names time it)
        m, n, k = map(int, shape.split("x"))
        a, w, bias = rand(m, k), rand(n, k), rand(n)
        c = np.empty((m, n), np.float32)

        def linear():
            np.matmul(a, w.T, out=c)
            np.add(c, bias, out=c)
        return linear
    if bench.startswith("Attention"):
        n, m, heads, dk, dv = map(int, shape.split("x"))
        q, k, v = rand(n, heads * dk), rand(m, heads * dk), rand(m, heads * dv)
        mask = np.zeros(m, np.float32)
        mask[m - m // 8:] = np.finfo(np.float32).min
        out = np.empty((n, heads * dv), np.float32)
        s = np.empty((n, m), np.float32)
        scale = np.float32(1 / np.sqrt(dk))

        def attend():
            for h in range(heads):
                np.matmul(q[:, h * dk:(h + 1) * dk], k[:, h * dk:(h + 1) * dk].T, out=s)
                softmax_rows(np, s, scale, mask)
                np.matmul(s, v[:, h * dv:(h + 1) * dv], out=out[:, h * dv:(h + 1) * dv])
        return attend
    rows, n = map(int, shape.split("x"))
    x = rand(rows, n)
    y = np.empty_like(x)
    residual = rand(rows, n)
    gamma, beta = rand(n), rand(n)
    if kind == "softmax":
        mask = np.zeros(n, np.float32)
        mask[n - n // 8:] = np.finfo(np.float32).min
        return lambda: softmax_rows(np, x, np.float32(0.125), mask)
    if kind == "layerNorm":
        def layer_norm():
            mean = x.mean(axis=1, keepdims=True)
            np.subtract(x, mean, out=y)
            var = np.mean(y * y, axis=1, keepdims=True)
            np.multiply(y, 1 / np.sqrt(var + np.float32(1e-5)), out=y)
            np.multiply(y, gamma, out=y)
            np.add(y, beta, out=y)
        return layer_norm
    if kind == "gelu":
        t = np.empty_like(x)
        inv_sqrt2 = np.float32(1 / np.sqrt(2))

        def gelu():
            np.copyto(y, residual)
            np.multiply(y, inv_sqrt2, out=t)
            erf(t, out=t)
            np.add(t, np.float32(1), out=t)
            np.multiply(t, y, out=t)
            np.multiply(t, np.float32(0.5), out=y)
        return gelu
    if kind == "biasResidual":
        def bias_residual():
            np.add(y, gamma, out=y)
            np.add(y, residual, out=y)
        return bias_residual
    raise ValueError(bench)


def softmax_rows(np, s, scale, mask):
    s *= scale
    s += mask
    s -= s.max(axis=1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    main()
