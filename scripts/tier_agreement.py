#!/usr/bin/env python3
"""How far the analytical tier agrees with the simulation: the shipped PE-reuse study and a
random sample of foldings of every shipped config, each point evaluated in both tiers.

    python3 scripts/tier_agreement.py [--sim build/sim] [--per-config N] [--study-points N]
                                      [--jobs J] [--seed S] [--check] [--require-within PERCENT]

For every point `sim sweep --tier simulation` records the analytical interval (the slowest
block's cycles per frame), the simulated one, and whether the analytical tier marked the point
`needs simulation` (models/accelerator/dataflow_doubts.hpp). This prints the distribution of
analytical / simulated interval, the share within 2%, and every point outside 2% that was not
marked: those are the analytical tier's silent errors. --check exits 1 when any point outside
2% is unmarked, --require-within 99 when fewer than 99% agree within 2%. The benchmark is
`python3 scripts/tier_agreement.py --check --require-within 99` (all 2,160 study points and 25
foldings per config: about 15 minutes on two cores); the test command runs a small sample with
--check.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDY = os.path.join(ROOT, "configs", "studies", "alexnet_pruned40_reuse.yaml")


def divisors(n, limit=512):
    return [d for d in range(1, min(n, limit) + 1) if n % d == 0]


def sweep(sim, args, out, jobs):
    cmd = [sim, "sweep", "--tier", "simulation", "--frames", "2", "--jobs", str(jobs), "--out", out] + args
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1:] or ["exit %d" % proc.returncode]
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f), None


def folding_axes(sim, config, tmp):
    """Axes over the PE, SIMD and MMV of every dense compute layer of `config` (from its report)."""
    report = os.path.join(tmp, "report.json")
    proc = subprocess.run([sim, "--config", config, "--frames", "1", "--no-timing", "--report", report],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return None, "sim exited %d" % proc.returncode
    with open(report) as f:
        r = json.load(f)
    if r.get("host", {}).get("architecture") == "loopback":
        return None, "loopback architecture: nothing to fold"
    axes = []
    for layer in r["layers"]:
        if layer["type"] not in ("conv", "fc") or "sparse_weights" in layer:
            continue
        h_in, w_in, c_in = layer["in"]
        c_out = layer["out"][2]
        name = layer["name"]
        axes.append("%s.pe=%s" % (name, ",".join(map(str, divisors(c_out)))))
        simd_of = c_in if layer["type"] == "conv" else h_in * w_in * c_in
        axes.append("%s.simd=%s" % (name, ",".join(map(str, divisors(simd_of)))))
        if layer["type"] == "conv":
            axes.append("%s.mmv=%s" % (name, ",".join(map(str, divisors(layer["out"][1])))))
    return axes, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", default=os.path.join(ROOT, "build", "sim"))
    ap.add_argument("--per-config", type=int, default=25, help="valid random foldings per shipped config")
    ap.add_argument("--study-points", type=int, default=0, help="random points of the reuse study (0: all)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true", help="exit 1 when a point outside 2%% is not marked")
    ap.add_argument("--require-within", type=float, default=0.0, metavar="PERCENT",
                    help="exit 1 when fewer points than this agree within 2%% (the benchmark: 99)")
    args = ap.parse_args()
    if not (os.path.isfile(args.sim) and os.access(args.sim, os.X_OK)):
        sys.exit("tier_agreement: no simulator at %s: build it first (bash scripts/build.sh) or name one with --sim"
                 % args.sim)
    tmp = tempfile.mkdtemp(prefix="qsim_tiers_")
    rows = []  # (source, point, analytical, simulated, marked)
    try:
        study_args = ["--spec", STUDY] + (["--random", str(args.study_points), "--seed", str(args.seed)]
                                          if args.study_points else [])
        results, err = sweep(args.sim, study_args, os.path.join(tmp, "study"), args.jobs)
        if err:
            sys.exit("tier_agreement: the reuse study failed: %s" % err[0])
        rows += [("reuse study", r) for r in results if r["valid"]]
        configs = sorted(f for f in os.listdir(os.path.join(ROOT, "configs"))
                         if f.endswith(".yaml") and f != "devices.yaml")
        for k, name in enumerate(configs):
            config = os.path.join(ROOT, "configs", name)
            axes, why = folding_axes(args.sim, config, tmp)
            if axes is None or not axes:
                print("  %-28s skipped: %s" % (name, why or "no dense compute layer"))
                continue
            sweep_args = ["--config", config, "--random", str(8 * args.per_config), "--seed", str(args.seed + k)]
            for a in axes:
                sweep_args += ["--axis", a]
            # Sample widely, keep the first valid foldings.
            results, err = sweep(args.sim, sweep_args + ["--trust-analytical"], os.path.join(tmp, name), args.jobs)
            if err:
                print("  %-28s skipped: %s" % (name, err[0]))
                continue
            valid = [r for r in results if r["valid"]][: args.per_config]
            rows += [(name, r) for r in valid]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    buckets = [(0.001, "exact (< 0.1%)"), (0.01, "< 1%"), (0.02, "< 2%"), (0.05, "2% .. 5%"), (0.10, "5% .. 10%"),
               (float("inf"), ">= 10%")]
    counts = [0] * len(buckets)
    outside_marked, silent = 0, []
    for source, r in rows:
        ratio = r["interval_cycles"] / r["sim_interval_cycles"]
        off = abs(ratio - 1.0)
        counts[next(i for i, (limit, _) in enumerate(buckets) if off < limit)] += 1
        if off >= 0.02:
            if r.get("needs_simulation"):
                outside_marked += 1
            else:
                silent.append((source, r["point"], r["interval_cycles"], r["sim_interval_cycles"]))
    total = len(rows)
    if total == 0:
        sys.exit("tier_agreement: no valid points")
    print("analytical / simulated interval over %d points (%d of the reuse study, %d foldings of %d configs):"
          % (total, sum(1 for s, _ in rows if s == "reuse study"), sum(1 for s, _ in rows if s != "reuse study"),
             len({s for s, _ in rows if s != "reuse study"})))
    for (limit, label), n in zip(buckets, counts):
        print("  %-16s %6d  %5.1f%%" % (label, n, 100.0 * n / total))
    within = sum(counts[:3])
    print("within 2%%: %d of %d (%.1f%%); outside 2%%: %d marked 'needs simulation', %d not marked"
          % (within, total, 100.0 * within / total, outside_marked, len(silent)))
    for source, point, a, s in silent[:20]:
        print("  NOT MARKED %s %s: analytical %d, simulated %d (%+.1f%%)" % (source, point, a, s, 100.0 * (a / s - 1)))
    if args.check and silent:
        sys.exit("tier_agreement: FAILED: %d points outside 2%% are not marked 'needs simulation'" % len(silent))
    if 100.0 * within < args.require_within * total:
        sys.exit("tier_agreement: FAILED: %.1f%% within 2%%, at least %.1f%% required"
                 % (100.0 * within / total, args.require_within))


if __name__ == "__main__":
    main()
