#!/usr/bin/env python3
"""Summarizes the paired tail deltas of several pipeline runs of one configuration (one run per generator seed).

Usage: python3 bench/evaluation/seed_summary.py SUMMARY.json ...   (the files `causalcxr run --summary-json` writes)

For each arm's cohort tail delta against real (`power_tail_{auroc,recall}_delta_<arm>`): the mean over the runs,
the 95 % t-interval over runs (Student's t, n - 1 degrees of freedom), and how many runs' own paired interval
(`_ci_low`, `_ci_high`) excludes 0. A run's own interval covers its classifier seeds and the test cohort, not the
generator's training; the interval over runs does. Standard library only.
"""
import json
import math
import statistics
import sys

# two-sided 95 % quantiles of Student's t by degrees of freedom
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
DELTAS = [
    "power_tail_recall_delta_augmented",
    "power_tail_auroc_delta_augmented",
    "power_tail_recall_delta_augmented_plain",
    "power_tail_auroc_delta_augmented_plain",
    "power_tail_auroc_delta_pretrain_finetune",
    "power_tail_recall_delta_oracle",
    "power_tail_auroc_delta_oracle",
    "power_tail_auroc_delta_augmented_vs_oracle",
    "power_tail_recall_delta_augmented_vs_oracle",
]


def main(paths):
    if len(paths) < 2 or len(paths) - 1 not in T975:
        sys.exit(f"give 2 to {max(T975) + 1} summary JSON files, one per seed")
    runs = []
    for p in paths:
        with open(p) as f:
            runs.append(json.load(f)["metrics"])
    n = len(runs)
    print(f"| delta | mean over {n} runs | 95 % t-interval over runs | runs whose own CI excludes 0 (above / below) |")
    print("| --- | --- | --- | --- |")
    for key in DELTAS:
        if not all(isinstance(r.get(key), float) for r in runs):
            continue
        values = [r[key] for r in runs]
        mean = statistics.mean(values)
        half = T975[n - 1] * statistics.stdev(values) / math.sqrt(n)
        above = sum(1 for r in runs if r[key + "_ci_low"] > 0)
        below = sum(1 for r in runs if r[key + "_ci_high"] < 0)
        name = key[len("power_tail_"):]
        print(f"| {name} | {mean:+.3f} | {mean - half:+.3f} to {mean + half:+.3f} | {above} / {below} of {n} |")


if __name__ == "__main__":
    main(sys.argv[1:])
