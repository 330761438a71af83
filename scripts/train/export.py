#!/usr/bin/python3
"""Exports a quantised network to the simulator and computes its integer reference.

  /usr/bin/python3 scripts/train/export.py --checkpoint out/train/NAME.pt --out-dir configs/trained
  /usr/bin/python3 scripts/train/export.py --onnx MODEL.onnx --name NAME --out-dir DIR

From a checkpoint of train.py the network is lowered twice: straight from the PyTorch modules,
and from the ONNX file torch.onnx.export writes of the same model (OUT/NAME.onnx, not
committed); the two must give byte-identical config and weight files, else the export fails.
An ONNX file from elsewhere is lowered alone (onnx_import.py lists the operators it takes).

Writes into --out-dir:
  NAME.yaml              network description (weights: {file: NAME.qnnw})
  NAME.qnnw              weight file: integer weights and thresholds
  NAME.predictions.txt   integer-reference class of every Fashion-MNIST test image, in file order
  NAME.json              accuracies, agreement with PyTorch, sparsity, sizes, training record
"""
import argparse
import hashlib
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graph  # noqa: E402
import idx  # noqa: E402
import intref  # noqa: E402
import simfiles  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DESIGN = {  # device, clock and input stream per model kind (see the comments written into the config)
    "mlp": ("Z7020", 100.0, 8),
    "tnn": ("KU115", 250.0, 8),
    "cnn": ("generic", 50.0, 8),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="a NAME.pt written by train.py")
    src.add_argument("--onnx", help="an ONNX file (raw 0..255 pixels in, quantised weights)")
    p.add_argument("--name", help="network name (default: the checkpoint's)")
    p.add_argument("--out-dir", default="configs/trained")
    p.add_argument("--work-dir", default="out/train", help="where the ONNX file goes (default out/train)")
    p.add_argument("--device", help="device of the config (default per model: Z7020 / KU115 / generic)")
    p.add_argument("--clock-mhz", type=float)
    p.add_argument("--stream-bits", type=int, help="input stream bits per clock (default 8: one pixel)")
    p.add_argument("--target-cycles", type=int,
                   help="folding target per layer (default: the input source's cycles per frame)")
    p.add_argument("--folding", action="append", default=[], metavar="LAYER=PE,SIMD[,MMV]",
                   help="fix a layer's folding instead of the automatic choice (repeatable)")
    p.add_argument("--quant", action="append", default=[], metavar="LAYER=binary|ternary",
                   help="ONNX: weight quantisation of a layer (default: ternary when a zero occurs)")
    p.add_argument("--ternary-threshold", type=float, help="ONNX: eta written into the config")
    p.add_argument("--images", type=int, default=10000, help="test images for the reference (default all)")
    p.add_argument("--qnn-weights", metavar="PATH",
                   help="also write the weight file with this qnn-weights binary (from-npy of the integer "
                        "weights and thresholds) and require identical bytes")
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args(argv)


def _kv(items, conv):
    out = {}
    for it in items:
        k, _, v = it.partition("=")
        if not v:
            raise SystemExit(f"export: expected NAME=VALUE, got '{it}'")
        out[k] = conv(v)
    return out


def _folding(v):
    parts = [int(x) for x in v.split(",")]
    if len(parts) not in (2, 3):
        raise SystemExit(f"export: --folding expects PE,SIMD[,MMV], got '{v}'")
    return {"pe": parts[0], "simd": parts[1], "mmv": parts[2] if len(parts) == 3 else 1}


def comments(kind, net, record, design, target, chosen):
    h = [l for l in net.layers if l.is_compute]
    lines = ["Trained on Fashion-MNIST by scripts/train/train.py and exported by scripts/train/export.py",
             "(docs/real-networks.md); do not edit by hand: re-run the export instead."]
    if kind == "mlp":
        lines += ["Seed 004 (FINN MLP, 784-1024-1024-1024-10): binary weights, "
                  f"{h[0].act_bits}-bit activations, batch norm",
                  "folded into the 2^A - 1 per-neuron thresholds. Reduced here to hidden layers of "
                  f"{', '.join(str(l.filters) for l in h[:-1])} neurons",
                  f"and {record['epochs']} epochs so that it trains in minutes on 2 cores and the committed "
                  "weights stay small.",
                  "The activation is unsigned (clipped ReLU on [0, 1], 2^A levels) rather than FINN's "
                  "quantised tanh: the",
                  "output layer leaves raw accumulators, so its inputs must carry no offset.",
                  "Device and clock as configs/finn_mlp.yaml (Z7020, 100 MHz)."]
    elif kind == "tnn":
        lines += ["Thesis ch. 3.2: sparse ternary MLP with binary (bipolar) activations, threshold eta = "
                  f"{record['args'].get('eta')},",
                  f"L2 penalty lambda = {record.get('l2')} on the ternary weights, quantisation pruning "
                  "(sigma = eta) and retraining.",
                  f"Reduced to hidden layers of {', '.join(str(l.filters) for l in h[:-1])} neurons "
                  f"(thesis: 1024 or 4096) and {record['epochs']} + {record['retrain_epochs']} epochs "
                  "(thesis: 1000).",
                  "Batch norm folded into one threshold per neuron. Device and clock: KU115 at 250 MHz "
                  "(thesis ch. 3.4)."]
    elif kind == "cnn":
        lines += ["Seed 000: binary 3x3 convolutions (8 kernels in the first layer), 8-bit ReLU feature "
                  "maps, global max",
                  "pooling instead of a fully connected classifier; topology as configs/mnist_gmp_cnn.yaml.",
                  "Batch norm and the 8-bit clipped ReLU are folded into 255 thresholds per channel (FINN "
                  "multi-threshold)",
                  "instead of the relu requantisation: its per-layer multiplier cannot carry a per-channel "
                  "batch-norm scale.",
                  f"{record['epochs']} epochs. Device generic at 50 MHz as configs/mnist_gmp_cnn.yaml."]
    else:
        lines += ["Imported from an ONNX file."]
    lines += [f"Folding: automatic, the fewest PE x SIMD x MMV lanes that keep every layer within "
              f"{target} cycles per frame",
              "(the input source's cycles per frame unless --target-cycles was given): " +
              ", ".join(f"{k} {v['pe']}x{v['simd']}x{v.get('mmv', 1)}" for k, v in chosen.items()) + ".",
              "Input: the raw Fashion-MNIST pixels (code = pixel, 0..255, unsigned 8 bit)."]
    return lines


def lower_checkpoint(path, threads):
    import torch
    import qat
    torch.set_num_threads(threads)
    ck = torch.load(path)
    model = qat.build(ck["kind"], **ck["kwargs"])
    model.load_state_dict(ck["state"])
    model.eval()
    return ck, model


def onnx_export(model, path, eta):
    import onnx
    import torch
    import qat
    qat.set_deploy(model, True)
    dummy = torch.zeros(1, 1, 28, 28)
    # PRESERVE (the model is in eval mode) rather than EVAL: EVAL's peephole pass would fuse
    # batch norm into a preceding Conv and so turn binary weights into arbitrary floats.
    # torch warns about constant folding in this mode, which only concerns training-mode models.
    warnings.filterwarnings("ignore", message="It is recommended that constant folding be turned off")
    torch.onnx.export(model, dummy, path, opset_version=13, input_names=["pixels"],
                      output_names=["scores"], training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=True)
    m = onnx.load(path)
    if eta is not None:
        p = m.metadata_props.add()
        p.key, p.value = "qsim.ternary_threshold", repr(float(eta))
        onnx.save(m, path)


def check_with_qnn_weights(tool, base, wbytes):
    """The C++ writer (qnn-weights from-npy) must produce the same bytes from the same integers."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        for name, layer in simfiles.read_weight_file(wbytes).items():
            np.save(os.path.join(d, name + ".weights.npy"), layer["weights"].astype(np.float32))
            if layer["thresholds"].size:
                np.save(os.path.join(d, name + ".thresholds.npy"), layer["thresholds"].astype(np.int32))
        out = os.path.join(d, "check.qnnw")
        subprocess.run([tool, "from-npy", "--config", base + ".yaml", "--npy-dir", d, "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        if open(out, "rb").read() != wbytes:
            raise SystemExit(f"export: {tool} from-npy writes a different weight file for {base}.yaml")
    print(f"export: {tool} from-npy writes the identical weight file")


def main(argv=None):
    a = parse_args(argv)
    xte, yte = idx.fashion_mnist("test")
    xte, yte = xte[:a.images], yte[:a.images]
    t0 = time.time()
    record, kind, float_pred, deploy_pred = {}, "onnx", None, None
    if a.checkpoint:
        import torch
        import qat
        ck, model = lower_checkpoint(a.checkpoint, a.threads)
        record, kind = ck["record"], ck["kind"]
        name = a.name or record["name"]
        eta = ck["kwargs"].get("eta")
        with torch.no_grad():
            xt = torch.from_numpy(xte.copy()).unsqueeze(1).float()
            float_pred = model(xt).argmax(1).numpy()
            qat.set_deploy(model, True)
            ops = model.ops()
            deploy_pred = model.double()(xt.double()).argmax(1).numpy()  # float64: exact but for ties
            model.float()
        net = graph.lower(ops, ternary_threshold=eta)
    else:
        import onnx_import
        name = a.name or os.path.splitext(os.path.basename(a.onnx))[0]
        ops, eta = onnx_import.ops_from_onnx(a.onnx)
        eta = a.ternary_threshold if a.ternary_threshold is not None else eta
        net = graph.lower(ops, quant_hints=_kv(a.quant, str), ternary_threshold=eta)

    dev, clock, stream = DESIGN.get(kind, ("generic", 100.0, 8))
    design = dict(device=a.device or dev, clock_mhz=a.clock_mhz or clock, stream_bits=a.stream_bits or stream)
    library = os.path.relpath(os.path.join(ROOT, "configs", "devices.yaml"), os.path.abspath(a.out_dir))
    folding = _kv(a.folding, _folding)

    def files(net):
        common = dict(folding=folding, target_cycles=a.target_cycles, device_library=library, **design)
        _, chosen, target = simfiles.config_yaml(net, name, name + ".qnnw", [], **common)
        text, _, _ = simfiles.config_yaml(net, name, name + ".qnnw",
                                          comments(kind, net, record, design, target, chosen), **common)
        return text, simfiles.weight_file_bytes(net), chosen

    yaml_text, wbytes, chosen = files(net)
    onnx_identical = None
    if a.checkpoint:
        import onnx_import
        os.makedirs(a.work_dir, exist_ok=True)
        onnx_path = os.path.join(a.work_dir, name + ".onnx")
        onnx_export(model, onnx_path, eta)
        ops2, eta2 = onnx_import.ops_from_onnx(onnx_path)
        y2, w2, _ = files(graph.lower(ops2, ternary_threshold=eta2))
        onnx_identical = y2 == yaml_text and w2 == wbytes
        if not onnx_identical:
            first = next((i for i, (p, q) in enumerate(zip(w2, wbytes)) if p != q), min(len(w2), len(wbytes)))
            raise SystemExit(f"export: the ONNX path ({onnx_path}) gives different files: config "
                             f"{'same' if y2 == yaml_text else 'differs'}, weight file "
                             f"{len(w2)} vs {len(wbytes)} bytes, first difference at byte {first}")
        print(f"export: ONNX path ({onnx_path}) gives identical config and weight files")

    os.makedirs(a.out_dir, exist_ok=True)
    base = os.path.join(a.out_dir, name)
    with open(base + ".yaml", "w") as f:
        f.write(yaml_text)
    with open(base + ".qnnw", "wb") as f:
        f.write(wbytes)

    if a.qnn_weights:
        check_with_qnn_weights(a.qnn_weights, base, wbytes)

    # Integer reference from the weight file as written.
    params = simfiles.read_weight_file(open(base + ".qnnw", "rb").read())
    scores = intref.run(net, params, xte)
    pred = np.argmax(scores, axis=1)
    tied = np.sum(scores == scores.max(axis=1, keepdims=True), axis=1) > 1
    int_acc = float(np.mean(pred == yte))
    if deploy_pred is not None and np.any((deploy_pred != pred) & ~tied):
        bad = np.flatnonzero((deploy_pred != pred) & ~tied)
        raise SystemExit(f"export: the integer reference differs from the float64 deploy model on "
                         f"{len(bad)} test images without a tie, e.g. image {bad[0]}")
    images_path = idx.test_images_path()
    with open(base + ".predictions.txt", "w") as f:
        f.write(f"# {name}: integer-reference class of each image of {os.path.basename(images_path)} "
                f"(Fashion-MNIST test set), in file order\n")
        f.write(f"# input code = raw pixel; class = index of the largest output, lowest index on ties\n")
        f.write(f"# {len(pred)} images, accuracy {int_acc:.4f} against "
                f"t10k-labels-idx1-ubyte.gz\n")
        f.write("".join(f"{int(c)}\n" for c in pred))

    info = {
        "name": name, "kind": kind, "config": os.path.relpath(base + ".yaml", ROOT),
        "weight_file_bytes": len(wbytes),
        "images": int(len(pred)),
        "test_images_sha256": hashlib.sha256(open(images_path, "rb").read()).hexdigest(),
        "integer_accuracy": int_acc,
        "float_accuracy": float(np.mean(float_pred == yte)) if float_pred is not None else None,
        "float_integer_agreement": float(np.mean(float_pred == pred)) if float_pred is not None else None,
        "deploy_integer_agreement": float(np.mean(deploy_pred == pred)) if deploy_pred is not None else None,
        "tied_images": int(np.sum(tied)),
        "onnx_identical": onnx_identical,
        "layers": [{"name": l.name, "type": l.type, "out": list(l.out_shape),
                    **({"quant": l.quant, "activation": l.activation, "bits": l.act_bits,
                        "folding": chosen.get(l.name)} if l.is_compute else {})} for l in net.layers],
        "sparsity": simfiles.sparsity_report(net),
        "design": design,
        "training": {k: v for k, v in record.items() if k != "log"},
        "training_log": record.get("log", []),
        "export_seconds": time.time() - t0,
    }
    with open(base + ".json", "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    sp = info["sparsity"]
    print(f"export: wrote {base}.yaml, .qnnw ({len(wbytes)} bytes), .predictions.txt, .json")
    print(f"  integer reference accuracy {int_acc:.4f} on {len(pred)} test images" +
          (f"; PyTorch float {info['float_accuracy']:.4f}, agreement {info['float_integer_agreement']:.4f}"
           if float_pred is not None else ""))
    print(f"  zero weights {100 * sp['sparsity']:.1f}%, dense {sp['dense_bytes']} bytes, "
          f"run-length coded {sp['rle_bytes']} bytes")


if __name__ == "__main__":
    main()
