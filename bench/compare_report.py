#!/usr/bin/python3
"""Markdown table of a bench/compare.sh run: bench/compare_report.py OUT_DIR (reads OUT_DIR's JSON and time files)."""
import glob
import json
import os
import re
import sys

# per model: the matmul shape (M x K x N) that dominates its FLOPs, for the OpenBLAS sgemm reference
SGEMM_SHAPE = {"language-perceiver": "256x1280x1280", "optical-flow-perceiver": "8192x512x2048"}
DEFAULT_SHAPE = "2048x768x1280"


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def max_rss(path):
    """Peak RSS in bytes from a /usr/bin/time -v file."""
    try:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())
        return int(m.group(1)) * 1024 if m else None
    except OSError:
        return None


def best_round(out, stem):
    """A run that bench/compare.sh may have repeated in ROUNDS (files STEM-rK.json): (the round with the lowest median
    time, the highest peak RSS of any round (memory is not a race), every round's median, every round's result)."""
    paths = sorted(glob.glob(os.path.join(out, stem + ".json")) + glob.glob(os.path.join(out, stem + "-r[0-9]*.json")))
    runs = [(r, max_rss(p[:-len(".json")] + ".time")) for p in paths for r in [load(p)] if r]
    if not runs:
        return None, None, [], []
    best = min(runs, key=lambda x: x[0]["wall_s"] if "wall_s" in x[0] else x[0]["results"][0]["wall_s"])[0]
    rss = [m for _, m in runs if m is not None]
    walls = [r["wall_s"] if "wall_s" in r else r["results"][0]["wall_s"] for r, _ in runs]
    return best, max(rss) if rss else None, walls, [r for r, _ in runs]


def gb(x):
    return "n/a" if x is None else "%.2f" % (x / 1e9)


def sec(x):
    return "n/a" if x is None else ("%.1f" % x if x >= 100 else "%.2f" % x)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def fmt_ratio(r, target=None):
    if r is None:
        return "n/a"
    return "%.2fx%s" % (r, "" if target is None else (" ok" if r <= target else " MISS"))


def main(out):
    sgemm = {t: (load(os.path.join(out, "sgemm-%d.json" % t)) or {}).get("shapes", {}) for t in (1, 2)}
    models = sorted({re.sub(r"^java-(.*)-t\d+(-r\d+)?\.json$", r"\1", os.path.basename(f))
                     for f in glob.glob(os.path.join(out, "java-*-t*.json"))})
    rows, notes, extra = [], [], []
    for m in models:
        java_runs = {t: best_round(out, "java-%s-t%d" % (m, t)) for t in (1, 2)}
        torch_runs = {c: best_round(out, "torch-%s-%s" % (m, c)) for c in ("default", "passive2", "t1")}
        java = {t: r[0] for t, r in java_runs.items()}
        jr = {t: (j["results"][0] if j and j.get("results") else None) for t, j in java.items()}
        torch = {c: r[0] for c, r in torch_runs.items()}
        any_j = jr[2] or jr[1]
        if any_j is None:
            continue
        name, gflop = any_j["model"], any_j["gflop"]
        jt = {t: (r["wall_s"] if r else None) for t, r in jr.items()}
        jm = {t: r[1] for t, r in java_runs.items()}
        tt = {c: (r["wall_s"] if r else None) for c, r in torch.items()}
        tm = {c: r[1] for c, r in torch_runs.items()}
        done = {c: v for c, v in tt.items() if v is not None}
        best = min(done, key=done.get) if done else None
        # the fastest one-thread run: "t1", and "default" too where torch chose one thread by itself
        single = {c: v for c, v in done.items() if torch[c].get("threads") == 1}
        best1 = min(single, key=single.get) if single else None
        flow = name == "optical-flow-perceiver"
        shape = SGEMM_SHAPE.get(name, DEFAULT_SHAPE)
        # the BLAS's best at this shape, 1 or 2 threads (on a loaded machine 2 threads can be the slower)
        ref = max([s[shape] for s in sgemm.values() if shape in s] or [0]) or None
        jg = gflop / jt[2] if jt[2] else None
        check = next((r["check_vs_java"] for runs in torch_runs.values() for r in runs[3] if "check_vs_java" in r), None)
        shares = "/".join("%.0f" % (100 * v / jr[2]["wall_s"]) for v in jr[2]["stage_s"].values()) if jr[2] else "n/a"
        rows.append("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, gflop, sec(jt[1]), sec(jt[2]), sec(tt["default"]), sec(tt["passive2"]), sec(tt["t1"]),
            fmt_ratio(ratio(jt[2], tt.get(best)), 0.5 if flow else 1.0),
            fmt_ratio(ratio(jt[1], tt.get(best1)), 1.0),
            "n/a" if jg is None else "%.0f" % jg,
            "n/a" if jg is None or not ref else "%.0f%% of %.0f%s" % (100 * jg / ref, ref, "" if name not in SGEMM_SHAPE
                else " ok" if jg / ref >= (0.6 if flow else 0.8) else " MISS"),
            gb(jm[2]), gb(tm.get(best)),
            fmt_ratio(ratio(jm[2], tm.get(best)), 1 / 3 if flow else None),
            shares, "n/a" if check is None else "%.0e" % max(check.values())))
        for t, r in jr.items():
            if r and r.get("reencode"):
                extra.append("| %s re-encoding per chunk (%d chunks), Java %d thread(s) | %.0f | %s (projected) |" % (
                    name, r["reencode"]["chunks"], t, r["reencode"]["gflop"], sec(r["reencode"]["projected_s"])))
        for c, r in torch.items():
            if r and r.get("reencode"):
                extra.append("| %s re-encoding per chunk (%d chunks), PyTorch %s | | %s (projected) |" % (
                    name, r["reencode"]["chunks"], c, sec(r["reencode"]["projected_s"])))
        loads = [r["loadavg"] for r in list(jr.values()) + list(torch.values()) if r and r.get("loadavg")]
        notes.append("%s: sgemm reference %s; PyTorch fastest: %s, fastest on one thread: %s; load averages at the "
                     "end of each run: %s" % (name, shape, best, best1, "; ".join(loads)))
        if any(len(r[2]) > 1 for r in list(java_runs.values()) + list(torch_runs.values())):
            notes.append("%s, every round's median (s): %s" % (name, "; ".join(
                "%s %s" % (label, "/".join(sec(w) for w in r[2])) for label, r in
                [("Java %dt" % t, r) for t, r in java_runs.items()] + [("torch " + c, r) for c, r in torch_runs.items()])))
    print("# Whole-model benchmark, Java vs PyTorch peer\n")
    print("```\n" + open(os.path.join(out, "env.txt")).read().strip() + "\n```\n")
    print("Times in seconds (median of the timed passes; with ROUNDS > 1, of the best round, the same rule for both "
          "sides), peak RSS in GB (/usr/bin/time -v, whole process, the highest of any round). "
          "PyTorch configs: default environment, 2 threads + OMP_WAIT_POLICY=PASSIVE, 1 thread. "
          "Targets: Java 2t <= 1.0x PyTorch's fastest (0.5x on flow), Java 1t < PyTorch's fastest one-thread run (t1, or default where torch picked one thread), flow peak RSS <= 1/3, "
          "GFLOP/s >= 80% (language) / 60% (flow) of OpenBLAS sgemm (numpy, the model's dominant shape, best of 1 and 2 "
          "threads, measured in the same run).\n")
    print("| model | GFLOP | Java 1t | Java 2t | torch default | torch 2t PASSIVE | torch 1t | Java 2t / torch best "
          "| Java 1t / torch best 1t | Java 2t GFLOP/s | of sgemm | Java peak GB | torch peak GB | peak ratio "
          "| Java stages % pre/enc/proc/dec | outputs vs Java |")
    print("|" + "---|" * 16)
    print("\n".join(rows))
    if extra:
        print("\n| multimodal recipe | GFLOP | seconds |\n|---|---|---|")
        print("\n".join(extra))
    print("\nsgemm (numpy, same BLAS as the peer), GFLOP/s: " + "; ".join(
        "%d thread(s): %s" % (t, ", ".join("%s %.0f" % kv for kv in s.items())) for t, s in sgemm.items() if s))
    print("\n" + "\n".join("- " + n for n in notes))


if __name__ == "__main__":
    main(sys.argv[1])
