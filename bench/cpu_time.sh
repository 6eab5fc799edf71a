#!/usr/bin/env bash
# One-thread matmul throughput per CPU-second, Java beside numpy/OpenBLAS, shape by shape (each side's
# median and best call). CPU time leaves out the time other processes hold the cores, so on a shared machine
# this ratio is steadier than the wall-clock one of bench/run.sh (cache and memory contention still count).
#
#   bench/cpu_time.sh [SECONDS_PER_SHAPE] [SHAPE...]      (default: 10 s, the linear-layer shapes of the JMH run)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
shift || true
SHAPES=("$@")
if [[ ${#SHAPES[@]} -eq 0 ]]; then
  SHAPES=(2048x1280x768 256x1280x1280 2048x512x2048 2048x2048x512 182528x322x64 182528x512x322 182528x2048x322)
fi
PYTHON=${PYTHON:-python3}
source bench/bench_classpath.sh bench/target/classpath.txt
echo "date: $(date -Is); $(uptime | sed 's/.*load/load/')"
echo "| shape | Java GFLOP/cpu-s median / best | numpy median / best | ratio median / best |"
echo "|---|---:|---:|---:|"
for s in "${SHAPES[@]}"; do
  read -r _ jm jb < <("$JAVA" --add-modules jdk.incubator.vector -cp "$CP" perceiver.bench.CpuTimeMatmul "$SECS" "$s" 2>/dev/null)
  read -r _ nm nb < <(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$PYTHON" - "$SECS" "$s" <<'PY'
import sys, time
import numpy as np
secs, shape = float(sys.argv[1]), sys.argv[2]
m, n, k = map(int, shape.split("x"))
rng = np.random.default_rng(1)
a = rng.random((m, k), dtype=np.float32) * 2 - 1
w = rng.random((n, k), dtype=np.float32) * 2 - 1
c = np.empty((m, n), np.float32)
for _ in range(2):
    np.matmul(a, w.T, out=c)
times, start = [], time.perf_counter()
while time.perf_counter() - start < secs or len(times) < 3:
    t = time.process_time()
    np.matmul(a, w.T, out=c)
    times.append(time.process_time() - t)
times.sort()
flop = 2.0 * m * n * k
print(shape, f"{flop / times[len(times) // 2] / 1e9:.1f}", f"{flop / times[0] / 1e9:.1f}")
PY
)
  echo "| $s | $jm / $jb | $nm / $nb | $(awk "BEGIN {printf \"%.2f / %.2f\", $jm / $nm, $jb / $nb}") |"
done
echo "after: $(uptime | sed 's/.*load/load/')"
