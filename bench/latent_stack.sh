#!/usr/bin/env bash
# A latent self-attention stack with a fresh weight per layer (as in a forward pass, where every weight comes from
# memory), op by op, Java beside the same ops in PyTorch (Debian's python3-torch on OpenBLAS), alternating runs.
#
#   bench/latent_stack.sh [THREADS] [N D LAYERS HEADS] [ROUNDS]
#       (default: 1, the language model's stack 256 1280 26 8, 3 rounds of 3 passes each)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-1}; N=${2:-256}; D=${3:-1280}; LAYERS=${4:-26}; HEADS=${5:-8}; ROUNDS=${6:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
source bench/bench_classpath.sh bench/target/classpath.txt
blas_dir=$(bench/openblas.sh)
echo "date: $(date -Is); $(uptime | sed 's/.*load/load/'); stack: $LAYERS layers of [$N, $D], $HEADS heads"
for r in $(seq "$ROUNDS"); do
  # G1 regions of 32 MB as the `perceiver` launcher sets them: with the default 4 MB every activation here is a
  # humongous allocation, and layer norms and residual adds (which allocate their outputs) run 10x slower
  "$JAVA" --add-modules jdk.incubator.vector -Xmx8g -XX:G1HeapRegionSize=32m -cp "$CP" perceiver.bench.LatentStack "$T" "$N" "$D" "$LAYERS" "$HEADS" 3 2>/dev/null
  env ${blas_dir:+LD_LIBRARY_PATH="$blas_dir"} OMP_NUM_THREADS="$T" OMP_WAIT_POLICY=PASSIVE \
    "$PYTHON" - "$T" "$N" "$D" "$LAYERS" "$HEADS" <<'PY'
import sys, time
import torch
t, n, d, layers, heads = map(int, sys.argv[1:])
torch.set_num_threads(t)
F = torch.nn.functional
g = torch.Generator().manual_seed(0)
w = [[torch.randn(d, d, generator=g) / d ** 0.5 for _ in range(6)] for _ in range(layers)]
b = torch.randn(d, generator=g)
gamma, beta = torch.randn(d, generator=g), torch.randn(d, generator=g)
def attend(q, k, v):
    split = lambda a: a.view(n, heads, d // heads).transpose(0, 1)
    p = torch.softmax(split(q) @ split(k).transpose(1, 2) / (d // heads) ** 0.5, dim=-1)
    return (p @ split(v)).transpose(0, 1).reshape(n, d)
ops = ["layernorm", "q,k,v", "attend", "output", "mlp", "residuals"]
x = torch.randn(n, d, generator=g)
with torch.no_grad():
    for p in range(4):
        if p == 1:
            s = [0.0] * 6
        for l in range(layers):
            t0 = time.perf_counter(); xn = F.layer_norm(x, (d,), gamma, beta, 1e-12)
            t1 = time.perf_counter(); q, k, v = (F.linear(xn, w[l][j], b) for j in range(3))
            t2 = time.perf_counter(); ctx = attend(q, k, v)
            t3 = time.perf_counter(); h = F.linear(ctx, w[l][3], b) + x
            t4 = time.perf_counter(); hn = F.layer_norm(h, (d,), gamma, beta, 1e-12)
            t5 = time.perf_counter(); m = F.linear(F.gelu(F.linear(hn, w[l][4], b)), w[l][5], b)
            t6 = time.perf_counter(); x = F.layer_norm(m + h, (d,), gamma, beta, 1e-12)
            t7 = time.perf_counter()
            if p >= 1:
                for i, dt in enumerate([t1 - t0 + t5 - t4, t2 - t1, t3 - t2, t4 - t3, t6 - t5, t7 - t6]):
                    s[i] += dt
passes = 3
lin = (s[1] + s[3] + s[4]) / passes
print(f"torch threads {t}, ms per stack: " + " ".join(f"{o} {v / passes * 1e3:.0f}" for o, v in zip(ops, s))
      + f"; linear layers {6 * 2 * n * d * d * layers / lin / 1e9:.1f} GFLOP/s")
PY
done
