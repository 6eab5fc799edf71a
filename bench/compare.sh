#!/usr/bin/env bash
# Whole-model benchmark, Java against the PyTorch peer, one command:
#
#   bench/compare.sh                   # all six published architectures (long: ~1 h on 2 cores)
#   bench/compare.sh language flow     # some of them (unique parts of golden/published-configs/*.json names)
#
# For each model: `perceiver bench --save-weights` writes random weights, the paper-sized inputs and Java's
# outputs; Java runs with 1 and 2 threads, the peer (bench/torch_peer.py, Debian's python3-torch on OpenBLAS) in
# the default environment, with 2 threads and OMP_WAIT_POLICY=PASSIVE, and with 1 thread, each in its own process
# under /usr/bin/time -v (peak RSS); the peer reads the same weights and inputs and checks its outputs against
# Java's. numpy's OpenBLAS sgemm is measured at model shapes in the same run. Writes $OUT/compare.md (the table,
# also printed) and every raw JSON / time file.
#
# Environment: OUT (default bench/target/compare-<date>), ROUNDS (default 1: each model's Java and peer runs are
# repeated in turn this many times, so that both sides meet the same phases of a noisy host; the report takes
# each configuration's best round and lists every round), REPEAT / WARMUP (timed / untimed passes; default 3 / 1,
# for flow and multimodal 1 / 0: a pass takes minutes there, and JIT compilation is well under 1% of it),
# JAVA_OPTS (JVM flags for the Java runs, e.g. -Xmx4g; default: the JVM's default heap), JAVA_THREADS ("1 2"),
# PEER_CONFIGS ("default passive2 t1"), SAME_WEIGHTS (1; 0: each side draws its own random weights),
# WEIGHTS (default /tmp/perceiver-bench-weights; deleted per model unless KEEP_WEIGHTS=1), PYTHON (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(language-perceiver vision-perceiver-learned vision-perceiver-fourier
                                   vision-perceiver-conv optical-flow-perceiver multimodal-perceiver)
OUT=${OUT:-bench/target/compare-$(date +%Y%m%d-%H%M%S)}
PYTHON=${PYTHON:-/usr/bin/python3}
WEIGHTS=${WEIGHTS:-/tmp/perceiver-bench-weights}
mkdir -p "$OUT"
[ -f target/perceiver.jar ] || ./mvnw -B -q package -DskipTests
blas_dir=$(bench/openblas.sh)
peer_env=(env ${blas_dir:+LD_LIBRARY_PATH="$blas_dir"})
export PERCEIVER_JAVA_OPTS=${JAVA_OPTS:-}

{
  echo "date: $(date -Is)"
  echo "host: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GB"
  echo "java opts: the launcher's (-Xss8m -XX:G1HeapRegionSize=32m, JVM default heap size) ${PERCEIVER_JAVA_OPTS:+plus $PERCEIVER_JAVA_OPTS}"
  echo "peer: $PYTHON, torch $("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null), BLAS dir ${blas_dir:-system}"
  echo "load at start: $(uptime)"
} | tee "$OUT/env.txt"

for t in 1 2; do
  OMP_NUM_THREADS=$t "${peer_env[@]}" "$PYTHON" bench/torch_peer.py sgemm 256x1280x1280 2048x768x1280 8192x512x2048 \
      --json "$OUT/sgemm-$t.json"
done

run_timed() { # name, command...: runs the command under /usr/bin/time -v, output to $OUT/<name>.log
  local name=$1; shift
  echo "== $name  ($(uptime | sed 's/.*load/load/'))" | tee -a "$OUT/progress.log"
  /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2>&1 || { echo "   FAILED, see $OUT/$name.log"; tail -5 "$OUT/$name.log"; }
  grep -E '^[a-z-]+ +[0-9]+ |re-encode per chunk|outputs vs Java' "$OUT/$name.log" || true
}

for m in "${MODELS[@]}"; do
  case $m in
    *flow*|*multimodal*) warmup=${WARMUP:-0} repeat=${REPEAT:-1} ;;
    *) warmup=${WARMUP:-1} repeat=${REPEAT:-3} ;;
  esac
  weights_args=()
  if [ "${SAME_WEIGHTS:-1}" = 1 ]; then
    run_timed "save-$m" ./perceiver bench --model "$m" --save-weights "$WEIGHTS"
    weights_args=(--weights "$WEIGHTS")
  fi
  check=(--check) # the first peer run compares its outputs with Java's
  for round in $(seq 1 "${ROUNDS:-1}"); do
  r=$([ "${ROUNDS:-1}" = 1 ] || echo "-r$round")
  for t in ${JAVA_THREADS:-1 2}; do
    run_timed "java-$m-t$t$r" ./perceiver --threads "$t" bench --model "$m" --repeat "$repeat" --warmup "$warmup" \
        --json "$OUT/java-$m-t$t$r.json"
  done
  for cfg in ${PEER_CONFIGS:-default passive2 t1}; do
    case $cfg in
      default) vars=() ;;
      passive2) vars=(OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE) ;;
      t1) vars=(OMP_NUM_THREADS=1) ;;
      *) echo "unknown peer config $cfg" >&2; exit 2 ;;
    esac
    run_timed "torch-$m-$cfg$r" "${peer_env[@]}" ${vars[@]+"${vars[@]}"} "$PYTHON" bench/torch_peer.py bench \
        --model "$m" ${weights_args[@]+"${weights_args[@]}" ${check[@]+"${check[@]}"}} --repeat "$repeat" \
        --warmup "$warmup" --json "$OUT/torch-$m-$cfg$r.json"
    check=()
  done
  done
  [ "${KEEP_WEIGHTS:-0}" = 1 ] || rm -rf "${WEIGHTS:?}"/*"$m"*
done
echo "load at end: $(uptime)" | tee -a "$OUT/env.txt"
"$PYTHON" bench/compare_report.py "$OUT" | tee "$OUT/compare.md"
