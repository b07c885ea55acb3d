#!/usr/bin/env python3
"""Reads a training run's TensorBoard event file with TensorBoard's own reader and checks it
against the run's progress.csv: every numeric column is a scalar `progress/<column>` with one
point per row and the same values, the `progress_by_env_steps/` curves (meta-RL) run against the
env steps so far, and every image is a PNG of the size it claims.

    pip install tensorboard
    python3 scripts/check-tensorboard.py runs/navigation-2d-maml [--min-images 1]
"""
import argparse, csv, struct, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

parser = argparse.ArgumentParser()
parser.add_argument("run")
parser.add_argument("--min-images", type=int, default=0)
args = parser.parse_args()

events = EventAccumulator(args.run, size_guidance={"scalars": 0, "images": 0})
events.Reload()
tags = events.Tags()
rows = list(csv.DictReader(open(f"{args.run}/progress.csv")))
problems = []

def numeric(value):
    try:
        float(value)
        return True
    except ValueError:
        return False

columns = [c for c in rows[0] if c != "iteration" and all(numeric(r[c]) for r in rows)] if rows else []
env_steps = 0
totals = []
for r in rows:
    env_steps += int(r.get("env_steps") or 0)
    totals.append(env_steps)
for column in columns:
    tag = f"progress/{column}"
    if tag not in tags["scalars"]:
        problems.append(f"{tag} missing")
        continue
    points = events.Scalars(tag)
    if [p.step for p in points] != [int(r["iteration"]) for r in rows]:
        problems.append(f"{tag}: steps {[p.step for p in points][:5]}… differ from progress.csv's iterations")
    for p, r in zip(points, rows):
        expected = struct.unpack("f", struct.pack("f", float(r[column])))[0]
        if abs(p.value - expected) > 1e-6 * max(1.0, abs(expected)):
            problems.append(f"{tag} at {p.step}: {p.value} in the event file, {r[column]} in progress.csv")
            break
    if "env_steps" in rows[0] and column != "env_steps":
        by_steps = events.Scalars(f"progress_by_env_steps/{column}") if f"progress_by_env_steps/{column}" in tags["scalars"] else []
        if [p.step for p in by_steps] != totals:
            problems.append(f"progress_by_env_steps/{column}: steps differ from the cumulative env steps")

images = [(tag, image) for tag in tags["images"] for image in events.Images(tag)]
for tag, image in images:
    png = image.encoded_image_string
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        problems.append(f"{tag} at {image.step}: not a PNG")
    elif struct.unpack(">II", png[16:24]) != (image.width, image.height):
        problems.append(f"{tag} at {image.step}: PNG is {struct.unpack('>II', png[16:24])}, the event says {(image.width, image.height)}")
if len(images) < args.min_images:
    problems.append(f"{len(images)} images, expected at least {args.min_images}")

print(f"{args.run}: {len(rows)} rows; {len(tags['scalars'])} scalar tags; {len(images)} images "
      f"({', '.join(sorted({f'{t} @ {i.step}' for t, i in images})[:6])})")
for p in problems:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
