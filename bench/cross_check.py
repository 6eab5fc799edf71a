#!/usr/bin/env python3
"""Java against the PyTorch peer on configurations the golden cases do not cover.

The golden cases fix one size, seed and head count per model family. This script derives variants of each family's
golden config.json (other numbers of latents and heads, head widths that are not powers of two, other block counts,
widening factors, channel counts and input sizes), runs one forward pass of each in Java with fresh random weights
(`perceiver bench --config ... --save-weights`) and the same pass in `bench/torch_peer.py` (which passes every golden
case) on those weights and inputs, and compares every output: max |peer - java| / max(1, max |java|) must stay within
the golden tolerance, 1e-4. Two independent implementations agreeing where no reference output exists.

    python3 bench/cross_check.py                      # every variant
    python3 bench/cross_check.py mlm flow             # the variants whose name contains one of these
    python3 bench/cross_check.py --list               # names and the keys each variant changes

Needs target/perceiver.jar (./mvnw -B -q package -DskipTests) and Debian's python3-torch for /usr/bin/python3 (the
peer; `PYTHON` overrides it). Exit status 1 when any variant disagrees or fails.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOLERANCE = 1e-4

# (name, golden case, changed keys). Constraints kept: channels divide by their head counts; the ImageNet and
# multimodal preprocessors fix d_model; the MLM decoder's 8 heads of 256 query channels are hard-coded by HF.
VARIANTS = [
    ("mlm-odd-heads", "mlm-bytes", dict(num_latents=7, d_latents=48, num_self_attention_heads=3,
                                        num_cross_attention_heads=1, qk_channels=24, v_channels=48,
                                        num_blocks=1, num_self_attends_per_block=3, self_attention_widening_factor=2)),
    ("mlm-five-heads", "mlm-bytes", dict(num_latents=33, d_latents=40, d_model=24, num_self_attention_heads=5,
                                         num_cross_attention_heads=5, qk_channels=20, v_channels=40,
                                         cross_attention_widening_factor=2, max_position_embeddings=100)),
    ("mlm-default-channels", "mlm-bytes", dict(num_latents=20, d_latents=64, num_self_attention_heads=8,
                                               num_cross_attention_heads=2, qk_channels=None, v_channels=None,
                                               num_blocks=3, num_self_attends_per_block=1)),
    ("mlm-q-shaped-no-residual", "mlm-bytes", dict(num_latents=11, d_latents=48, num_self_attention_heads=4,
                                                   num_cross_attention_heads=4, qk_channels=None, v_channels=None,
                                                   cross_attention_shape_for_attention="q", use_query_residual=False)),
    ("seq-six-labels", "seq-classification", dict(num_latents=9, d_latents=36, num_self_attention_heads=6,
                                                  num_cross_attention_heads=4, num_labels=6,
                                                  id2label={str(i): "L%d" % i for i in range(6)},
                                                  label2id={"L%d" % i: i for i in range(6)})),
    ("image-learned-six-heads", "image-learned", dict(num_latents=9, d_latents=36, num_self_attention_heads=6,
                                                      num_blocks=1, num_self_attends_per_block=3, image_size=12)),
    ("image-fourier-three-heads", "image-fourier", dict(num_latents=20, d_latents=30, num_self_attention_heads=3,
                                                        num_blocks=3, self_attention_widening_factor=3)),
    ("image-conv-six-heads", "image-conv", dict(num_latents=5, d_latents=48, num_self_attention_heads=6,
                                                num_blocks=3, num_self_attends_per_block=1)),
    ("flow-odd-frame", "optical-flow", dict(num_latents=10, d_latents=24, num_self_attention_heads=3,
                                            num_self_attends_per_block=2, train_size=[10, 14])),
    ("flow-eight-heads", "optical-flow", dict(num_latents=17, d_latents=64, num_self_attention_heads=8,
                                              cross_attention_widening_factor=2)),
    ("multimodal-two-heads", "multimodal-autoencoding", dict(num_latents=9, d_latents=24,
                                                             num_self_attention_heads=2, num_blocks=2)),
]


def run(cmd, env=None):
    p = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def check(name, case, changes, work, python, peer_env):
    config = json.load(open(os.path.join(ROOT, "golden", case, "config.json")))
    config.update(changes)
    configs, weights = os.path.join(work, "configs"), os.path.join(work, "weights")
    os.makedirs(configs, exist_ok=True)
    with open(os.path.join(configs, name + ".json"), "w") as f:  # both sides name the model after the file
        json.dump(config, f, indent=1)
    rc, out = run([os.path.join(ROOT, "perceiver"), "bench", "--config", os.path.join(configs, name + ".json"),
                   "--save-weights", weights, "--image-size", "64"])
    if rc != 0:
        return None, "java failed:\n" + out
    rc, out = run([python, os.path.join(HERE, "torch_peer.py"), "bench", "--configs", configs, "--model", name,
                   "--weights", weights, "--check", "--warmup", "0", "--image-size", "64", "--json",
                   os.path.join(work, name + ".json")], peer_env)
    if rc != 0:
        return None, "peer failed:\n" + out
    errors = json.load(open(os.path.join(work, name + ".json"))).get("check_vs_java")
    if not errors:
        return None, "the peer compared no outputs:\n" + out
    return errors, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("select", nargs="*", help="run the variants whose name contains one of these")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    chosen = [v for v in VARIANTS if not args.select or any(s in v[0] for s in args.select)]
    if args.list or not chosen:
        for name, case, changes in VARIANTS:
            print("%-28s %-24s %s" % (name, case, ", ".join("%s=%s" % kv for kv in changes.items()
                                                            if kv[0] not in ("id2label", "label2id"))))
        return 0 if chosen else 2
    if not os.path.isfile(os.path.join(ROOT, "target", "perceiver.jar")):
        sys.exit("cross_check: build first: ./mvnw -B -q package -DskipTests")
    python = os.environ.get("PYTHON", "/usr/bin/python3")
    # the peer on OpenBLAS as in compare.sh (Debian's default libblas.so.3 is the slow reference BLAS)
    rc, blas_dir = run([os.path.join(HERE, "openblas.sh")])
    peer_env = dict(os.environ, LD_LIBRARY_PATH=blas_dir.strip()) if rc == 0 and blas_dir.strip() else None
    work = tempfile.mkdtemp(prefix="perceiver-cross-check-")
    failed = 0
    try:
        for name, case, changes in chosen:
            errors, problem = check(name, case, changes, work, python, peer_env)
            if problem:
                failed += 1
                print("FAIL %-28s %s" % (name, problem))
                continue
            worst = max(errors.values())
            ok = worst <= TOLERANCE
            failed += not ok
            print("%s %-28s worst %.1e  (%s)" % ("PASS" if ok else "FAIL", name, worst,
                                                ", ".join("%s %.1e" % kv for kv in sorted(errors.items()))))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d of %d variants agree within %g" % (len(chosen) - failed, len(chosen), TOLERANCE))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
