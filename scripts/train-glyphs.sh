#!/usr/bin/env bash
# Trains the shipped few-shot checkpoints of the glyph benchmark, policies/glyphs/<name>.safetensors
# and <name>-progress.csv. A name with its own config, envs/experiments/glyphs-<name>.yaml, trains
# from it (matching-fce: matching networks with full-context embeddings; fomaml and fomaml-20way:
# first-order MAML's smaller inner step); <method>-20way from glyphs-20way.yaml (the 20-way
# checkpoints of the methods whose output layer has one unit per way); any other method from
# glyphs.yaml, the config every method shares.
# Usage: scripts/train-glyphs.sh [name ...]   (default: all, in the table's order)
# Builds the benchmark first if data/glyphs is missing. An interrupted run resumes from its last
# checkpoint (runs/glyphs-<name>/) when the script is run again.
set -euo pipefail
cd "$(dirname "$0")/.."
adapt=${ADAPT:-.build/release/adapt}
[ -x "$adapt" ] || swift build -c release
[ -d data/glyphs ] || "$adapt" data glyphs --out data/glyphs

# Adam steps of 4 episodes each, per checkpoint: about the same wall-clock budget for the metric
# learners and MAML's family; relation networks learn slowest, the meta-LSTM costs most per step.
declare -A iterations=([protonet]=300 [matching]=200 [matching-fce]=200 [relation]=300 [siamese]=200 [meta-lstm]=100
                       [metanet]=200 [maml]=500 [fomaml]=300 [reptile]=300
                       [maml-20way]=400 [fomaml-20way]=200 [reptile-20way]=100 [meta-lstm-20way]=100 [metanet-20way]=200)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(protonet matching matching-fce relation siamese meta-lstm metanet maml fomaml reptile
                                 meta-lstm-20way metanet-20way maml-20way fomaml-20way reptile-20way)

for name in "${names[@]}"; do
    [ -n "${iterations[$name]:-}" ] || { echo "unknown checkpoint '$name' (${!iterations[*]})" >&2; exit 2; }
    run=runs/glyphs-$name
    if [ -f "envs/experiments/glyphs-$name.yaml" ]; then config=(--config "envs/experiments/glyphs-$name.yaml")
    elif [[ $name == *-20way ]]; then config=(--config envs/experiments/glyphs-20way.yaml --algo "${name%-20way}")
    else config=(--config envs/experiments/glyphs.yaml --algo "$name"); fi
    resume=(); [ -f "$run/progress.csv" ] && resume=(--resume)
    "$adapt" train "${config[@]}" --iterations "${iterations[$name]}" \
        --out "$run" --quiet "${resume[@]}"
    mkdir -p policies/glyphs
    cp "$run/policy.safetensors" "policies/glyphs/$name.safetensors"
    cp "$run/progress.csv" "policies/glyphs/$name-progress.csv"
done
