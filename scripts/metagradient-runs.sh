#!/usr/bin/env bash
# Meta-gradient RL against fixed (γ, λ): trains <task>-metagradient.yaml, <task>-fixed-0.99-1.yaml
# and <task>-fixed-0.99-0.95.yaml for seeds 1…N into runs/<config>-seed<N> (a finished run is
# skipped, an interrupted one resumed), then draws the comparison with `adapt eval --config`.
#   scripts/metagradient-runs.sh half-cheetah-fwd 3
set -euo pipefail
task=${1:?usage: $0 <half-cheetah-fwd|quadruped-fwd> [seeds]}
seeds=${2:-3}
adapt=${ADAPT:-.build/release/adapt}
for config in "$task-metagradient" "$task-fixed-0.99-1" "$task-fixed-0.99-0.95"; do
  for seed in $(seq 1 "$seeds"); do
    out="runs/$config-seed$seed"
    if [[ -f "$out/checkpoint.safetensors" ]]; then
      "$adapt" train --config "envs/experiments/$config.yaml" --seed "$seed" --out "$out" --resume --quiet
    else
      "$adapt" train --config "envs/experiments/$config.yaml" --seed "$seed" --out "$out" --quiet
    fi
  done
done
"$adapt" eval --config "envs/experiments/$task-metagradient.yaml"
