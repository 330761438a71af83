#!/usr/bin/env python3
"""Effective throughput of sparse ternary networks (thesis ch. 3.4.3-3.4.4, Fig. 3.6-3.7).

Sweeps the density gamma (the share of nonzero weights) and the reuse R, and writes for both
datapath types (type 1: XNOR-popcount MACs in LUTs; type 2: float adders on DSP slices):

  * the model: C_e = gamma (C_op + C_d / R) and T_e = 2 f / C_e, with the KU115's budget, C_op,
    C_d and the dense peaks from the resource model (`sparse-model`, models/resources);
  * the simulation: the decompressor-fed PE array of configs/sparse_study_fc.yaml (16
    decompressors, each feeding R PEs that share every decoded weight over a batch of R frames)
    run bit-true by `sim` at every (gamma, R); its cycles per frame give dense MACs per second
    (1024 x 256 per frame at 250 MHz), which the array's cost in budget shares,
    16 (C_d + R C_op), scales to the whole device.

Outputs (in --out, default docs/): sparse_study.csv, sparse_study.gp and sparse_study.svg
(gnuplot; installed with scripts/ensure_packages.sh gnuplot-nox when missing).

    python3 scripts/sparse_study.py [--sim build/sim] [--model build/sparse-model] [--out DIR]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = "configs/sparse_study_fc.yaml"
GAMMAS = [1.0, 0.5, 0.25, 0.1, 0.077, 0.05, 0.024]
REUSE = [1, 2, 4, 8, 16, 32, 64, 128, 256]
LANES = 16          # params.lanes of the config
MACS = 1024 * 256   # dense MACs per frame of its fc layer
NAMES = {"xnor_popcount": "type 1: XNOR-popcount (LUTs)", "float_add": "type 2: float add (DSPs)"}


def run(cmd):
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"sparse_study: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def model(binary):
    out = run([binary, "--config", os.path.join(ROOT, CONFIG), "--gammas", ",".join(map(str, GAMMAS)),
               "--reuse", ",".join(map(str, REUSE))])
    return json.loads(out)


def simulate(sim, gamma, reuse):
    """Cycles per frame of the array at (gamma, R) from a bit-true `sim` run: the array's busy
    cycles over the frames (it bounds the pipeline; the interval is the same, in whole cycles),
    and the simulated frames/s."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        frames = max(4, 2 * reuse)  # two batches: the interval is the last batch's span
        run([sim, "--config", os.path.join(ROOT, CONFIG), "--set", f"sparsity={1.0 - gamma:.6f}",
             "--set", f"batch={reuse}", "--set", f"lanes={LANES}", "--frames", str(frames), "--check",
             "--report", report])
        with open(report) as f:
            r = json.load(f)
    busy = [b["busy_cycles"] for b in r["blocks"] if b["name"].endswith("fc_pe_array")]
    if len(busy) != 1:
        sys.exit("sparse_study: the report has no block fc_pe_array")
    cycles = busy[0] / r["frames"]["completed"]
    return cycles, r["performance"]["frames_per_second"]


GNUPLOT = """# Written by scripts/sparse_study.py from sparse_study.csv: effective throughput of sparse
# ternary networks (thesis ch. 3.4.4, Fig. 3.6-3.7), model lines and simulated points.
set terminal svg size 1100,460 dynamic font "sans,11"
set output "{svg}"
set datafile separator ","
set multiplot layout 1,2
set logscale xy
set xlabel "reuse R (PEs per decoder)"
set ylabel "effective throughput (TOPs)"
set key bottom right font ",9"
set grid
{panels}
unset multiplot
"""

PANEL = """set title "{title}: dense peak {peak:.2f} TOPs"
plot {plots}, \\
     {peak:.4f} with lines dt 2 lc rgb "black" title "dense peak (no decoder)"
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", default=os.path.join(ROOT, "build", "sim"))
    ap.add_argument("--model", default=os.path.join(ROOT, "build", "sparse-model"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    args = ap.parse_args()
    m = model(args.model)
    os.makedirs(args.out, exist_ok=True)

    sims = {}
    for g in GAMMAS:
        for r in REUSE:
            sims[(g, r)] = simulate(args.sim, g, r)
            print(f"gamma {g:<6} R {r:<4} {sims[(g, r)][0]:>10.2f} cycles/frame", file=sys.stderr)

    csv_path = os.path.join(args.out, "sparse_study.csv")
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["datapath", "gamma", "reuse", "c_e", "t_e_tops", "sim_cycles_per_frame", "sim_frames_per_s",
                    "sim_t_e_tops", "sim_over_model"])
        for mod in m["models"]:
            c_op, c_d = mod["c_op"], mod["c_d"]
            for p in mod["points"]:
                g, r = p["gamma"], int(p["reuse"])
                cycles, fps = sims[(g, r)]
                cost = LANES * (c_d + r * c_op)  # the simulated array's share of the budget
                t_sim = 2.0 * MACS * (m["clock_mhz"] * 1e6 / cycles) / cost
                w.writerow([mod["datapath"], g, r, f"{p['c_e']:.6e}", f"{p['t_e_ops'] / 1e12:.4f}", f"{cycles:.3f}",
                            f"{fps:.1f}", f"{t_sim / 1e12:.4f}", f"{t_sim / p['t_e_ops']:.4f}"])

    # Plot: per datapath, one model line and one set of simulated points per gamma.
    panels = []
    for i, mod in enumerate(m["models"]):
        plots = []
        for j, g in enumerate(GAMMAS):
            sel = f"(stringcolumn(1) eq \"{mod['datapath']}\" && abs($2 - {g}) < 1e-9 ? $3 : 1/0)"
            plots.append(f'"sparse_study.csv" using {sel}:5 with lines lc {j + 1} title "model, gamma {g}"')
            plots.append(f'"sparse_study.csv" using {sel}:8 with points pt 7 ps 0.6 lc {j + 1} notitle')
        panels.append(PANEL.format(title=NAMES[mod["datapath"]], peak=mod["dense_peak_ops"] / 1e12,
                                   plots=", \\\n     ".join(plots)))
    gp = os.path.join(args.out, "sparse_study.gp")
    svg = os.path.join(args.out, "sparse_study.svg")
    with open(gp, "w") as f:
        f.write(GNUPLOT.format(svg="sparse_study.svg", panels="\n".join(panels)))
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "ensure_packages.sh"), "gnuplot-nox"], check=True)
    subprocess.run(["gnuplot", "sparse_study.gp"], check=True, cwd=args.out)
    for mod in m["models"]:
        print(f"{mod['datapath']}: dense peak {mod['dense_peak_ops'] / 1e12:.2f} TOPs "
              f"(C_op {mod['c_op']:.3e}, C_d {mod['c_d']:.3e})")
    print(f"wrote {csv_path}, {gp}, {svg}")


if __name__ == "__main__":
    main()
