#!/usr/bin/env bash
# How often the default demo shows MAML ahead of pretrained after one adaptation step, over seeds
# 1..N (default 20): on the demo's mean over its tasks, and on the first task (the one it plays).
#   scripts/demo-seeds.sh [N] [extra adapt demo options]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}; shift || true
swift build -c release --product adapt >/dev/null
for seed in $(seq 1 "$N"); do
  .build/release/adapt demo --json --seed "$seed" "$@"
done | python3 -c "$(cat <<'PY'
import json, sys
decoder, text, reports, i = json.JSONDecoder(), sys.stdin.read(), [], 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    report, i = decoder.raw_decode(text, i)
    reports.append(report)
mean_ahead = first_ahead = 0
for r in reports:
    m = {x["method"]: x for x in r["methods"]}
    maml, pre = m["maml"], m["pretrained"]
    mean_ahead += maml["mean"][1] > pre["mean"][1]
    first_ahead += maml["returns"][0][1] > pre["returns"][0][1]
    print(f"seed {r['seed']:>3}: mean after one step MAML {maml['mean'][1]:7.1f}, pretrained {pre['mean'][1]:7.1f}; "
          f"MAML ahead on {r['maml_ahead_after_one_step']} of {len(r['tasks'])} tasks; first task {r['tasks'][0]}")
n = len(reports)
print(f"{reports[0]['experiment']}: MAML ahead of pretrained after one step on the mean over the demo's tasks for "
      f"{mean_ahead} of {n} seeds, on the played task for {first_ahead} of {n}")
PY
)"
