#!/usr/bin/env bash
# Kernel benchmarks, Java (JMH) and numpy/OpenBLAS back to back, case by case, then a markdown report.
#
#   bench/run.sh                      # every case
#   bench/run.sh 'Matmul.*2048x1280'  # cases whose "Benchmark.method shape" matches the regex
#
# Environment: JAVA (a JDK 21+ java; default: the newest under /usr/lib/jvm, else java on PATH), PYTHON
# (default python3: must be a numpy linked to OpenBLAS), JMH_OPTS (extra JMH options, e.g. "-wi 1 -i 3"),
# NP_OPTS (extra numpy_bench.py options, e.g. "--warmup 1 --iterations 3"), OUT (result folder, default
# bench/target/<timestamp>).
set -euo pipefail
cd "$(dirname "$0")/.."
ONLY=${1:-.}
OUT=${OUT:-bench/target/$(date +%Y%m%d-%H%M%S)}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"

source bench/bench_classpath.sh "$OUT/classpath.txt"

{
  echo "date: $(date -Is)"
  echo "host: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, flags: $(grep -o -w -E 'avx2|fma|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  echo "numpy: $("$PYTHON" -c 'import numpy, sys; c = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]; print(numpy.__version__, c["name"], c["version"])')"
  echo "load before: $(uptime)"
} > "$OUT/env.txt"
cat "$OUT/env.txt"

"$PYTHON" bench/numpy_bench.py --list --only "$ONLY" > "$OUT/cases.txt"
i=0
while read -r bench shape; do
  i=$((i + 1))
  echo "== $bench $shape ($(uptime | sed 's/.*load/load/'))"
  for t in 1 2; do
    # shellcheck disable=SC2086
    "$PYTHON" bench/numpy_bench.py --threads "$t" --only "^$bench $shape\$" --json "$OUT/numpy-$i-$t.json" ${NP_OPTS:-}
  done
  # shellcheck disable=SC2086
  "$JAVA" -cp "$CP" org.openjdk.jmh.Main "^perceiver.bench.$bench\$" -p shape="$shape" \
      -rf json -rff "$OUT/jmh-$i.json" ${JMH_OPTS:-} | grep -E '^(Benchmark|[A-Z][A-Za-z]+Benchmark\.)'
done < "$OUT/cases.txt"
echo "load after: $(uptime)" >> "$OUT/env.txt"

"$PYTHON" bench/report.py "$OUT" > "$OUT/report.md"
cat "$OUT/report.md"
echo "results in $OUT"
