#!/usr/bin/env python3
"""Markdown report of one bench/run.sh folder: Java (JMH) beside numpy/OpenBLAS, per case and thread count.

    python3 bench/report.py bench/target/<run>

Both sides run JMH-style iterations (about 1 s each, score = time per call). Figures are the median iteration;
the "best" ratio uses the fastest iteration of each side, which is less sensitive to other load on the machine.
"""
import glob
import json
import os
import statistics
import sys


def flops(bench, shape):
    if bench.startswith("MatmulBenchmark") or bench.startswith("LinearBenchmark"):
        m, n, k = map(int, shape.split("/")[0].split("x"))
        return 2.0 * m * n * k
    if bench.startswith("AttentionBenchmark"):
        n, m, heads, dk, dv = map(int, shape.split("x"))
        return 2.0 * n * m * heads * (dk + dv)
    return None


def main(folder):
    java, numpy = {}, {}
    for f in glob.glob(os.path.join(folder, "jmh-*.json")):
        for r in json.load(open(f)):
            bench = r["benchmark"].replace("perceiver.bench.", "")
            p = r["params"]
            raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
            scale = {"ms/op": 1.0, "us/op": 1e-3, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
            java[(bench, p["shape"], int(p["threads"]))] = (statistics.median(raw) * scale, min(raw) * scale)
    for f in glob.glob(os.path.join(folder, "numpy-*.json")):
        for r in json.load(open(f)):
            numpy[(r["benchmark"], r["shape"], r["threads"])] = (r["median_ms"], r["best_ms"])
    env = open(os.path.join(folder, "env.txt")).read().strip().splitlines()
    print("\n".join("    " + line for line in env))
    print()
    cases = sorted({(b, s) for (b, s, _) in java} | {(b, s) for (b, s, _) in numpy}, key=order)
    rated = [c for c in cases if flops(*c)]
    timed = [c for c in cases if not flops(*c)]
    if rated:
        print("| case | Java 1T GFLOP/s | Java 2T GFLOP/s | numpy 1T GFLOP/s | numpy 2T GFLOP/s "
              "| Java/numpy 1T | Java/numpy 2T | (best-of ratio 1T / 2T) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for bench, shape in rated:
            f = flops(bench, shape)
            row = [f"{bench.split('Benchmark')[0].lower()}{'' if bench.endswith('matmul') else '.' + bench.split('.')[1]} {shape}"]
            g = {}
            for src, d in (("j", java), ("n", numpy)):
                for t in (1, 2):
                    v = d.get((bench, shape, t))
                    g[src, t] = (f / v[0] / 1e6, f / v[1] / 1e6) if v else None
            for src in ("j", "n"):
                for t in (1, 2):
                    row.append(f"{g[src, t][0]:.1f}" if g[src, t] else "–")
            for t in (1, 2):
                row.append(f"{g['j', t][0] / g['n', t][0]:.2f}" if g["j", t] and g["n", t] else "–")
            row.append(" / ".join(f"{g['j', t][1] / g['n', t][1]:.2f}" if g["j", t] and g["n", t] else "–"
                                  for t in (1, 2)))
            print("| " + " | ".join(row) + " |")
        print()
    if timed:
        print("| case | Java 1T µs | Java 2T µs | numpy 1T µs | numpy 2T µs | numpy/Java time 1T | numpy/Java time 2T |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for bench, shape in timed:
            row = [f"{bench.split('.')[1]} {shape}"]
            v = {(src, t): d.get((bench, shape, t)) for src, d in (("j", java), ("n", numpy)) for t in (1, 2)}
            for src in ("j", "n"):
                for t in (1, 2):
                    row.append(f"{v[src, t][0] * 1e3:.0f}" if v[src, t] else "–")
            for t in (1, 2):
                row.append(f"{v['n', t][0] / v['j', t][0]:.2f}" if v["j", t] and v["n", t] else "–")
            print("| " + " | ".join(row) + " |")


def order(case):
    """The order of numpy_bench.CASES (benchmark kind, then the shapes as listed there)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from numpy_bench import CASES
    return CASES.index(case) if case in CASES else len(CASES)


if __name__ == "__main__":
    main(sys.argv[1])
