#!/usr/bin/env bash
# Full runs of the TP5-VAE and ruta-showcase recipes, one CPU thread each, timed.
# Usage: AEKIT_DATA=../shared/data benchmarks/showcase_recipes.sh [OUT] [RECIPE...]
# (MNIST from AEKIT_DATA; CIFAR-10 and Chars74K absent here, so those recipes use their stand-ins.)
set -euo pipefail
out=${1:-runs/bench}
shift || true
recipes=("$@")
[ ${#recipes[@]} -gt 0 ] || recipes=(showcase-anomaly showcase-visualisation font-vae-noisy showcase-hashing handwritten-vae showcase-denoising)
for r in "${recipes[@]}"; do
  start=$(date +%s.%N)
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 aekit --threads 1 run "$r" --out "$out" --quiet
  printf '%s\t%.1f s\n' "$r" "$(echo "$(date +%s.%N) - $start" | bc)"
done
