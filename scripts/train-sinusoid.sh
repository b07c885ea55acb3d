#!/bin/sh
# Trains the shipped sinusoid policies as they were trained and copies the validation-selected
# checkpoints into policies/sinusoid/. Usage: scripts/train-sinusoid.sh [NAME…]
# (default: all of maml maml-1step fomaml reptile pretrained oracle); ITERATIONS=N overrides
# every run's length (e.g. for a quick try).
set -e
ADAPT=${ADAPT:-.build/release/adapt}
NAMES=${*:-"maml maml-1step fomaml reptile cavia pretrained oracle"}
mkdir -p policies/sinusoid
for name in $NAMES; do
    # name → config, algorithm, meta-iterations
    case $name in
        maml)       set -- envs/experiments/sinusoid-multistep.yaml maml 150000 ;;
        maml-1step) set -- envs/experiments/sinusoid.yaml maml 70000 ;;
        reptile)    set -- envs/experiments/sinusoid.yaml reptile 15000 ;;
        fomaml|cavia|pretrained|oracle) set -- envs/experiments/sinusoid.yaml "$name" 70000 ;;
        *) echo "unknown policy name: $name" >&2; exit 1 ;;
    esac
    out=runs/sinusoid-$name
    if [ -f "$out/checkpoint.safetensors" ]; then resume=--resume; else resume=; fi
    "$ADAPT" train --config "$1" --algo "$2" --iterations "${ITERATIONS:-$3}" --out "$out" $resume
    cp "$out/best.safetensors" "policies/sinusoid/$name.safetensors"
    # A light copy of the training curve (every 50th iteration) for the gradient-norm plot.
    awk -F, 'NR == 1 || $1 % 50 == 0' "$out/progress.csv" > "policies/sinusoid/$name.progress.csv"
done
