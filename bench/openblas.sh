#!/usr/bin/env bash
# Prints a folder to put on LD_LIBRARY_PATH so that Debian's python3-torch and numpy, which link libblas.so.3, run
# on OpenBLAS (OpenMP build: OMP_NUM_THREADS / OMP_WAIT_POLICY govern torch and BLAS alike) instead of the
# reference BLAS that libblas.so.3 points to on a bare Debian (~1 GFLOP/s). Prints nothing when libblas.so.3 is
# OpenBLAS already. Installs nothing system-wide: it unpacks libopenblas0-openmp (from the apt cache, else
# `apt-get download`) under $OPENBLAS_DIR (default /tmp/perceiver-openblas).
set -euo pipefail
current=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
case "$current" in *openblas*) exit 0 ;; esac
for d in /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/x86_64-linux-gnu/openblas-pthread; do
  if [ -e "$d/libblas.so.3" ]; then echo "$d"; exit 0; fi
done
dest=${OPENBLAS_DIR:-/tmp/perceiver-openblas}
for variant in openmp pthread; do
  lib="$dest/usr/lib/x86_64-linux-gnu/openblas-$variant"
  if [ -e "$lib/libblas.so.3" ]; then echo "$lib"; exit 0; fi
done
mkdir -p "$dest"
deb=$(ls /var/cache/apt/archives/libopenblas0-openmp_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  (cd "$dest" && apt-get download libopenblas0-openmp >&2) || true
  deb=$(ls "$dest"/libopenblas0-openmp_*.deb 2>/dev/null | head -1 || true)
fi
variant=openmp
if [ -z "$deb" ]; then # the pthread build: torch's threads are then OMP_*, BLAS's OPENBLAS_NUM_THREADS
  deb=$(ls /var/cache/apt/archives/libopenblas0-pthread_*.deb 2>/dev/null | head -1 || true)
  variant=pthread
fi
if [ -z "$deb" ]; then
  echo "openblas.sh: no libopenblas0-openmp package (apt cache, apt-get download) and no system OpenBLAS" >&2
  exit 1
fi
dpkg -x "$deb" "$dest"
echo "$dest/usr/lib/x86_64-linux-gnu/openblas-$variant"
