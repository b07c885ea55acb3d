#!/bin/sh
# Trains every sinusoid method at the paper's length (70,000 meta-iterations) and copies the
# resulting policies into policies/sinusoid/. Usage: scripts/train-sinusoid.sh [ITERATIONS] [ALGOS…]
set -e
ITERATIONS=${1:-70000}
shift 2>/dev/null || true
ALGOS=${*:-"maml fomaml pretrained oracle reptile"}
ADAPT=${ADAPT:-.build-sup/release/adapt}
mkdir -p policies/sinusoid
for algo in $ALGOS; do
    out=runs/sinusoid-$algo
    if [ -f "$out/checkpoint.safetensors" ]; then resume=--resume; else resume=; fi
    "$ADAPT" train --config envs/sinusoid.yaml --algo "$algo" --iterations "$ITERATIONS" --out "$out" $resume
    cp "$out/best.safetensors" "policies/sinusoid/$algo.safetensors"
    # A light copy of the training curve (every 50th iteration) for the gradient-norm plot.
    awk -F, 'NR == 1 || $1 % 50 == 0' "$out/progress.csv" > "policies/sinusoid/$algo.progress.csv"
done
