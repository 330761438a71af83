"""qnn-import: a QONNX model or a FINN hardware-layer graph -> the simulator's files (docs/import.md).

  qnn-import MODEL.onnx --out DIR [--folding FOLDING.json] [--device NAME] [--clock MHZ]
             [--name NAME] [--input-type UINT8] [--samples N] [--seed S] [--sim PATH] [--verify]

Writes DIR/NAME.yaml and DIR/NAME.qnnw (ready for `sim --config`), and DIR/NAME.inputs.npy /
DIR/NAME.expect.npy: random test inputs and the outputs the model itself gives for them (executed
by onnx_exec.py, a NumPy implementation of the operators separate from the simulator), as the
simulator's integer outputs, for `sim --inputs ... --expect ...`. --verify runs that check with
--check. Exit status: 0 ok, 1 a model that cannot be imported (one line naming the node), 2 usage,
4 the simulation disagrees with the model.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(os.path.dirname(HERE))

import expect  # noqa: E402
import writer  # noqa: E402
from ir import ImportError_  # noqa: E402

FINN_DOMAIN = "finn.custom_op.fpgadataflow"


def is_finn(model):
    return any(n.domain.startswith(FINN_DOMAIN) for n in model.graph.node)


def find_sim(given):
    for p in (given, os.environ.get("QSIM_SIM"), os.path.join(ROOT, "build", "sim")):
        if p and os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def front_end(model, name, args):
    if is_finn(model):
        import finn_front
        net = finn_front.import_finn(model, name)
    else:
        import qonnx_front
        lw = qonnx_front.QonnxLowering(model, name, args.input_type, args.input_scale)
        net = lw.run()
        net.node_layer = lw.node_layer
    return net


def run(argv):
    ap = argparse.ArgumentParser(prog="qnn-import", description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--out", required=True, help="directory for NAME.yaml, NAME.qnnw and the test data")
    ap.add_argument("--name", help="network name (default: the model file's name)")
    ap.add_argument("--folding", help="FINN folding_config.json applied by node name")
    ap.add_argument("--device", default="generic", help="device of configs/devices.yaml (default generic)")
    ap.add_argument("--clock", type=float, default=100.0, help="clock in MHz (default 100)")
    ap.add_argument("--input-type", help="the input's integer type when the model does not give it (UINT8, INT4, ...)")
    ap.add_argument("--input-scale", type=float, default=1.0,
                    help="with --input-type: the model's input value of integer 1 (e.g. 1/255 for pixels scaled to [0, 1])")
    ap.add_argument("--samples", type=int, default=8, help="random test inputs (default 8)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sim", help="the sim binary (default: $QSIM_SIM, else build/sim)")
    ap.add_argument("--verify", action="store_true", help="run sim --check --inputs --expect on the result")
    args = ap.parse_args(argv)
    # Every value the lowering relies on is checked explicitly (finite scales, integer bit widths,
    # levels); numpy's floating-point warnings would only repeat those errors as noise.
    np.seterr(all="ignore")
    if args.samples < 1:
        ap.error("--samples must be >= 1")
    name = args.name or re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.splitext(os.path.basename(args.model))[0])
    try:
        model = onnx.load(args.model)
    except Exception as e:  # onnx raises DecodeError, OSError, ...
        print(f"qnn-import: {args.model}: not a readable ONNX file ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})",
              file=sys.stderr)
        return 1
    sim = find_sim(args.sim)
    try:
        net = front_end(model, name, args)
        notes = []
        if args.folding:
            import folding
            notes = folding.apply_folding(net, folding.read_folding_config(args.folding), net.node_layer)
        os.makedirs(args.out, exist_ok=True)
        yaml_path = os.path.join(args.out, name + ".yaml")
        lib = os.path.relpath(os.path.join(ROOT, "configs", "devices.yaml"), os.path.abspath(args.out))
        net.comments += [f"Imported by qnn-import from {os.path.basename(args.model)} ({net.source_format}); "
                         "do not edit by hand: import again instead (docs/import.md)."]
        with open(os.path.join(args.out, name + ".qnnw"), "wb") as f:
            f.write(writer.weight_file_bytes(net))
        with open(yaml_path, "w") as f:
            f.write(writer.config_yaml(net, name + ".qnnw", device=args.device, clock_mhz=args.clock,
                                       device_library=lib, fifo_depths=getattr(net, "fifo_depths", None)))
        if any(L.folding is None for L in net.layers if L.is_compute):
            # No folding for some layers (none in the model, none in the folding file): sim fold
            # chooses theirs, keeping every folding that was given.
            if sim is None:
                notes.append("no sim binary found: layers without a folding keep PE = SIMD = 1 (pass --sim to fold them)")
            else:
                import folding
                keep = [L.name for L in net.layers if L.folding]
                notes.append(folding.auto_fold(yaml_path, sim, yaml_path, keep=keep))
        if net.is_graph() and sim is not None and not getattr(net, "fifo_depths", None):
            notes.append(expect.size_fifos(sim, yaml_path))
        x, codes = expect.test_inputs(net, args.samples, args.seed)
        y = expect.execute_model(model, net, x)
        want = expect.expected_outputs(net, y)
        np.save(os.path.join(args.out, name + ".inputs.npy"), codes)
        np.save(os.path.join(args.out, name + ".expect.npy"), want)
    except ImportError_ as e:
        print(f"qnn-import: {args.model}: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:  # a folding file, an output directory, ...
        print(f"qnn-import: {args.model}: {str(e).splitlines()[0] if str(e) else type(e).__name__}", file=sys.stderr)
        return 1
    for n in notes:
        if n:
            print(f"note: {n}")
    print(f"wrote {yaml_path} ({len(net.layers)} layers), {name}.qnnw, {name}.inputs.npy and {name}.expect.npy "
          f"({args.samples} test inputs)")
    if args.verify:
        if sim is None:
            print("qnn-import: --verify needs the sim binary (--sim or build/sim)", file=sys.stderr)
            return 2
        cmd = [sim, "--config", yaml_path, "--check", "--no-timing",
               "--inputs", os.path.join(args.out, name + ".inputs.npy"),
               "--expect", os.path.join(args.out, name + ".expect.npy")]
        print("$ " + " ".join(cmd))
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = [l for l in r.stdout.splitlines() if l.startswith(("golden check", "expect")) or "rror" in l]
        print("\n".join(lines))
        return 0 if r.returncode == 0 else 4
    return 0


def main():
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
