#!/usr/bin/env bash
# Trains the shipped few-shot checkpoints of the glyph benchmark, policies/glyphs/<method>.safetensors
# and <method>-progress.csv, from envs/experiments/glyphs.yaml (one config for every method;
# matching-fce is matching networks with full-context embeddings, glyphs-matching-fce.yaml).
# Usage: scripts/train-glyphs.sh [method ...]   (default: all, in the table's order)
# Builds the benchmark first if data/glyphs is missing. An interrupted run resumes from its last
# checkpoint (runs/glyphs-<method>/) when the script is run again.
set -euo pipefail
cd "$(dirname "$0")/.."
adapt=${ADAPT:-.build/release/adapt}
[ -x "$adapt" ] || swift build -c release
[ -d data/glyphs ] || "$adapt" data glyphs --out data/glyphs

# Adam steps of 4 episodes each, per method: about the same wall-clock budget for the metric
# learners and MAML's family; relation networks learn slowest, the meta-LSTM costs most per step.
declare -A iterations=([protonet]=300 [matching]=200 [matching-fce]=200 [relation]=300 [siamese]=200 [meta-lstm]=100
                       [metanet]=200 [maml]=500 [fomaml]=200 [reptile]=100)
methods=("$@")
[ ${#methods[@]} -gt 0 ] || methods=(protonet matching matching-fce relation siamese meta-lstm metanet maml fomaml reptile)

for method in "${methods[@]}"; do
    [ -n "${iterations[$method]:-}" ] || { echo "unknown method '$method' (${!iterations[*]})" >&2; exit 2; }
    run=runs/glyphs-$method config=envs/experiments/glyphs.yaml algorithm=$method
    [ "$method" = matching-fce ] && config=envs/experiments/glyphs-matching-fce.yaml algorithm=matching
    resume=(); [ -f "$run/progress.csv" ] && resume=(--resume)
    "$adapt" train --config "$config" --algo "$algorithm" --iterations "${iterations[$method]}" \
        --out "$run" --quiet "${resume[@]}"
    mkdir -p policies/glyphs
    cp "$run/policy.safetensors" "policies/glyphs/$method.safetensors"
    cp "$run/progress.csv" "policies/glyphs/$method-progress.csv"
done
