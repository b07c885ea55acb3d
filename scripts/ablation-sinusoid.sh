#!/bin/sh
# The ablation the paper leaves open: first-order against second-order MAML, with ReLU and with
# SiLU. Trains each of the four variants for ITERATIONS meta-iterations (default 20000) with every
# seed in SEEDS (default "1 2 3") into runs/ablation/, evaluates them all on the standard test
# protocol and times a meta-iteration of each.
set -e
ITERATIONS=${1:-20000}
SEEDS=${SEEDS:-"1 2 3"}
ADAPT=${ADAPT:-.build/release/adapt}
mkdir -p runs/ablation/policies
for act in relu silu; do
    config=envs/experiments/sinusoid.yaml
    [ "$act" = silu ] && config=envs/experiments/sinusoid-silu.yaml
    for algo in maml fomaml; do
        for seed in $SEEDS; do
            out=runs/ablation/$algo-$act-s$seed
            if [ -f "$out/checkpoint.safetensors" ]; then resume=--resume; else resume=; fi
            "$ADAPT" train --config $config --algo $algo --seed "$seed" --iterations "$ITERATIONS" --out "$out" --quiet $resume
            cp "$out/best.safetensors" "runs/ablation/policies/$algo-$act-s$seed.safetensors"
        done
    done
    "$ADAPT" bench sinusoid --json --activation $act --no-conv --repetitions 300 > runs/ablation/bench-$act.json
done
"$ADAPT" eval --config envs/experiments/sinusoid.yaml --policies runs/ablation/policies --out runs/ablation/eval --json > runs/ablation/results.json
echo "results in runs/ablation/results.json, timings in runs/ablation/bench-*.json"
