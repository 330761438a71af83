#!/usr/bin/env python3
"""Checks that the simulator's outputs for every shipped configuration are what they were.

Runs `sim --report` on every config of configs/ (and the variants its params select, a design
point, golden checks and a data set run), drops the wall-clock section of each JSON report
(`simulation`: wall seconds, speed, peak memory) and compares the rest, value for value, with the
reports recorded in testbenches/regression/outputs/ (one `path = value` line per leaf). A change
of any simulated figure, resource count, output checksum or effective-config field fails with
the lines that differ.

    python3 scripts/output_regression.py [--sim build/sim] [--update] [--only NAME]

--update rewrites the recorded reports (after a change meant to move the outputs; commit them
with the change that moved them and say why).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORDED = os.path.join(ROOT, "testbenches", "regression", "outputs")
FMNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

# name -> sim arguments (paths relative to the repository root, where sim runs).
CASES = {}
for cfg in sorted(os.listdir(os.path.join(ROOT, "configs"))):
    if cfg.endswith(".yaml") and cfg != "devices.yaml":
        CASES[cfg[:-5]] = ["--config", f"configs/{cfg}"]
for cfg in sorted(os.listdir(os.path.join(ROOT, "configs", "trained"))):
    if cfg.endswith(".yaml"):
        CASES["trained_" + cfg[:-5]] = ["--config", f"configs/trained/{cfg}"]
CASES.update({
    "addnet_alexnet_3add": ["--config", "configs/addnet_alexnet.yaml", "--set", "rccm=3add"],
    "addnet_alexnet_4add": ["--config", "configs/addnet_alexnet.yaml", "--set", "rccm=4add"],
    "addnet_conv_layer_3add": ["--config", "configs/addnet_conv_layer.yaml", "--set", "rccm=3add"],
    "addnet_conv_layer_4add": ["--config", "configs/addnet_conv_layer.yaml", "--set", "rccm=4add"],
    "addnet_conv_layer_8bit_dsp": ["--config", "configs/addnet_conv_layer_8bit.yaml", "--set", "multipliers=dsp"],
    "alexnet_pcie_at": ["--config", "configs/alexnet_pcie.yaml", "--set", "timing=at"],
    "alexnet_pcie_loopback": ["--config", "configs/alexnet_pcie.yaml", "--set", "arch=loopback"],
    "alexnet_pcie_loopback_at": ["--config", "configs/alexnet_pcie.yaml", "--set", "arch=loopback",
                                 "--set", "timing=at"],
    "syq_mvtu_zu3_pixel": ["--config", "configs/syq_mvtu_zu3.yaml", "--set", "scaling=pixel"],
    "syq_mvtu_zu3_row": ["--config", "configs/syq_mvtu_zu3.yaml", "--set", "scaling=row"],
    "finn_mlp_w2a1": ["--config", "configs/finn_mlp.yaml", "--set", "wbits=2", "--set", "wquant=uniform"],
    "finn_lfc_w4a4": ["--config", "configs/finn_lfc.yaml", "--set", "wbits=4", "--set", "wquant=uniform",
                      "--set", "abits=4", "--set", "atype=thresholds"],
    "alexnet_pruned40_reuse2": ["--config", "configs/alexnet_pruned40.yaml", "--point", "conv1.reuse=2",
                                "--frames", "3"],
    "alexnet_pruned40_point": ["--config", "configs/alexnet_pruned40.yaml", "--point",
                               "conv2.pe=7;conv3.mmv=1;clock_mhz=150"],
    "mnist_int8_cnn_check": ["--config", "configs/mnist_int8_cnn.yaml", "--check"],
    "sparse_tnn_vgg_check": ["--config", "configs/sparse_tnn_vgg.yaml", "--check", "--frames", "1"],
    "tinyyolo_pruned50_check": ["--config", "configs/tinyyolo_pruned50.yaml", "--check", "--frames", "1"],
    "addnet_alexnet_check": ["--config", "configs/addnet_alexnet.yaml", "--check", "--frames", "1"],
    "kws_1d_tiny_check": ["--config", "configs/kws_1d_tiny.yaml", "--check"],
    "trained_fmnist_mlp_dataset": ["--config", "configs/trained/fmnist_mlp_w1a2.yaml", "--dataset", FMNIST,
                                   "--frames", "200"],
})


def flatten(value, path, out):
    """`path = value` lines of every leaf, in the report's own order."""
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(v, f"{path}.{k}" if path else k, out)
    elif isinstance(value, list):
        if not value:
            out.append(f"{path} = []")
        for i, v in enumerate(value):
            flatten(v, f"{path}[{i}]", out)
    else:
        out.append(f"{path} = {json.dumps(value)}")
    return out


def run_case(sim, name, args):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
        proc = subprocess.run([sim] + args + ["--report", report], capture_output=True, text=True, env=env,
                              cwd=ROOT)
        if proc.returncode != 0:
            return None, f"sim {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-400:]}"
        with open(report) as f:
            data = json.load(f)
    data.pop("simulation", None)  # wall time, speed and peak memory of this run
    data.pop("tool", None)  # the version that wrote it
    return "\n".join(flatten(data, "", [])) + "\n", None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", default=os.path.join(ROOT, "build", "sim"))
    ap.add_argument("--update", action="store_true", help="record the current outputs")
    ap.add_argument("--only", action="append", help="run only this case (repeatable)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    names = a.only or list(CASES)
    for n in names:
        if n not in CASES:
            sys.exit(f"output_regression: unknown case '{n}'; cases: {', '.join(CASES)}")
    if not os.path.exists(FMNIST):
        names = [n for n in names if FMNIST not in CASES[n]]
        print(f"output_regression: {FMNIST} missing (Debian's dataset-fashion-mnist): data set case skipped")
    with ThreadPoolExecutor(max_workers=a.jobs) as pool:
        results = dict(zip(names, pool.map(lambda n: run_case(a.sim, n, CASES[n]), names)))
    failed = []
    os.makedirs(RECORDED, exist_ok=True)
    for n in names:
        text, err = results[n]
        path = os.path.join(RECORDED, n + ".txt")
        if err:
            failed.append(n)
            print(f"FAIL {n}: {err}")
            continue
        if a.update:
            with open(path, "w") as f:
                f.write(text)
            print(f"recorded {n} ({text.count(chr(10))} values)")
            continue
        if not os.path.exists(path):
            failed.append(n)
            print(f"FAIL {n}: nothing recorded in {os.path.relpath(path, ROOT)} (run with --update)")
            continue
        with open(path) as f:
            want = f.read()
        if want == text:
            print(f"ok   {n} ({text.count(chr(10))} values)")
            continue
        failed.append(n)
        old, new = want.splitlines(), text.splitlines()
        old_set, new_set = set(old), set(new)
        gone = [l for l in old if l not in new_set]
        added = [l for l in new if l not in old_set]
        print(f"FAIL {n}: {len(gone)} recorded values differ or are missing, {len(added)} new")
        for l in gone[:15]:
            print(f"   - {l}")
        for l in added[:15]:
            print(f"   + {l}")
    if failed:
        print(f"output_regression: {len(failed)} of {len(names)} cases differ: {', '.join(failed)}")
        return 1
    print(f"output_regression: all {len(names)} cases {'recorded' if a.update else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
