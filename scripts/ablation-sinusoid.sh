#!/bin/sh
# The ablation the paper leaves open: first-order against second-order MAML, with ReLU and with
# SiLU. Trains four runs of ITERATIONS meta-iterations (default 20000) into runs/ablation/,
# evaluates them on the standard test protocol and times a meta-iteration of each.
set -e
ITERATIONS=${1:-20000}
ADAPT=${ADAPT:-.build/release/adapt}
mkdir -p runs/ablation/policies
for act in relu silu; do
    config=envs/sinusoid.yaml
    [ "$act" = silu ] && config=envs/sinusoid-silu.yaml
    for algo in maml fomaml; do
        out=runs/ablation/$algo-$act
        if [ -f "$out/checkpoint.safetensors" ]; then resume=--resume; else resume=; fi
        "$ADAPT" train --config $config --algo $algo --iterations "$ITERATIONS" --out "$out" --quiet $resume
        cp "$out/best.safetensors" "runs/ablation/policies/$algo-$act.safetensors"
    done
    "$ADAPT" bench sinusoid --json --activation $act --no-conv --repetitions 300 > runs/ablation/bench-$act.json
done
"$ADAPT" eval --config envs/sinusoid.yaml --policies runs/ablation/policies --out runs/ablation/eval --json > runs/ablation/results.json
echo "results in runs/ablation/results.json, timings in runs/ablation/bench-*.json"
