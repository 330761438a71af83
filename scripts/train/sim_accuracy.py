#!/usr/bin/python3
"""Runs every committed trained model (configs/trained/NAME.yaml) through the simulator on the
Fashion-MNIST test set and records the result beside it as NAME.sim.json, then regenerates the
tables of docs/real-networks.md (make_table.py). Standard library only; needs a built `sim` and
the Debian package dataset-fashion-mnist.

  /usr/bin/python3 scripts/train/sim_accuracy.py [--sim build/sim] [--images N]

Every number written comes from the `sim --dataset ... --report` run: images simulated, top-1
accuracy against the labels, how many predicted classes equal the committed reference
predictions, the simulated frames/s, and for ternary layers the sparsity and run-length-coded
size the simulator reports. Exits 1 if any prediction differs from the reference.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", default=os.path.join(ROOT, "build", "sim"))
    ap.add_argument("--images", type=int, default=0, help="the first N test images (default: all)")
    args = ap.parse_args()
    if not os.path.exists(IMAGES):
        sys.exit(f"sim_accuracy: {IMAGES} is missing: install the Debian package dataset-fashion-mnist")
    failed = False
    for config in sorted(glob.glob(os.path.join(ROOT, "configs", "trained", "*.yaml"))):
        name = os.path.basename(config)[:-len(".yaml")]
        with tempfile.TemporaryDirectory() as tmp:
            report = os.path.join(tmp, "report.json")
            cmd = [args.sim, "--config", config, "--dataset", IMAGES, "--report", report]
            if args.images:
                cmd += ["--frames", str(args.images)]
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
            if proc.returncode not in (0, 4):
                sys.exit(f"sim_accuracy: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
            with open(report) as f:
                rep = json.load(f)
        d = rep["dataset"]
        result = {"images": d["images"], "accuracy": d["accuracy"], "matches_reference": d["reference_matches"],
                  "frames_per_second": rep["performance"]["frames_per_second"]}
        # Ternary layers: the sparsity and sizes the simulator reports from the weights it loaded.
        sparse = {l["name"]: l["sparse_weights"] for l in rep["layers"] if "sparse_weights" in l}
        if sparse:
            result["sparse_weights"] = {n: {k: s[k] for k in ("weights", "nonzeros", "packed_bytes", "rle_bytes",
                                                             "delta_bits")} for n, s in sparse.items()}
        with open(os.path.join(ROOT, "configs", "trained", name + ".sim.json"), "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        ok = d["reference_matches"] == d["images"]
        failed |= not ok
        print(f"{name}: {d['images']} images, top-1 {100 * d['accuracy']:.2f}%, "
              f"{d['reference_matches']} equal the reference{'' if ok else ' (MISMATCH)'}, "
              f"{result['frames_per_second']:,.0f} frames/s")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "train", "make_table.py")], check=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
