#!/usr/bin/python3
"""Regenerates the tables of docs/real-networks.md from the export records (never typed in).

  /usr/bin/python3 scripts/train/make_table.py [--dir configs/trained] [--doc docs/real-networks.md]

Reads DIR/NAME.json (written by export.py) and, when present, DIR/NAME.sim.json, the
simulator's result for the same model (written by the sim integration; schema in
docs/real-networks.md). Replaces the text between each pair of markers
  <!-- BEGIN <table> (scripts/train/make_table.py) --> ... <!-- END <table> -->
in the document; everything else is left as it is. Standard library only.
"""
import argparse
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pct(x):
    return "–" if x is None else f"{100 * x:.2f}%"


def topology(info):
    parts = []
    for l in info["layers"]:
        if l["type"] == "fc":
            parts.append(f"fc {l['out'][2]}")
        elif l["type"] == "conv":
            parts.append(f"conv {l['out'][2]}")
        elif l["type"] == "maxpool":
            parts.append("pool")
        else:
            parts.append("gmp")
    return "784 → " + " → ".join(parts) if parts[0].startswith("fc") else "28x28 → " + " → ".join(parts)


def precision(info):
    compute = [l for l in info["layers"] if "quant" in l]
    w = sorted({l["quant"] for l in compute})
    acts = sorted({f"{l['bits']}-bit" if l["activation"] == "thresholds" else l["activation"]
                   for l in compute[:-1]})
    return f"W {'/'.join(w)}, A {'/'.join(acts)}"


def sim_cell(sim):
    if sim is None:
        return "pending"
    s = f"{pct(sim['accuracy'])} ({sim['images']} images, {sim['matches_reference']} = reference)"
    return s


def models_table(records):
    rows = ["| model | topology | precision | weight file | PyTorch float | integer reference | "
            "float = integer | ONNX path | simulator accuracy |",
            "|---|---|---|---:|---:|---:|---:|---|---|"]
    for info, sim in records:
        agree = info.get("float_integer_agreement")
        ties = info.get("tied_images")
        agree_s = "–" if agree is None else f"{pct(agree)} ({ties} ties)"
        onnx = {True: "identical files", False: "differs", None: "–"}[info.get("onnx_identical")]
        rows.append(f"| [`{info['name']}`](../{info['config']}) | {topology(info)} | {precision(info)} | "
                    f"{info['weight_file_bytes']:,} B | {pct(info['float_accuracy'])} | "
                    f"{pct(info['integer_accuracy'])} | {agree_s} | {onnx} | {sim_cell(sim)} |")
    return "\n".join(rows)


def sparsity_table(records):
    rows = ["| model | layer | weights | zeros | sparsity | dense 2-bit | run-length coded | "
            "simulator: sparsity | simulator: rows run-length coded |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for info, sim in records:
        sp = info["sparsity"]
        if not any(l["rle_delta_bits"] for l in sp["layers"]):
            continue
        reported = (sim or {}).get("sparse_weights", {})

        def sim_cells(names):
            got = [reported[n] for n in names if n in reported]
            if not got:
                return "pending | pending"
            w, nz = sum(g["weights"] for g in got), sum(g["nonzeros"] for g in got)
            b = f" (b = {got[0]['delta_bits']})" if len(got) == 1 else ""
            return f"{pct((w - nz) / w)} | {sum(g['rle_bytes'] for g in got):,} B{b}"

        for l in sp["layers"]:
            rows.append(f"| `{info['name']}` | {l['layer']} | {l['weights']:,} | {l['zeros']:,} | "
                        f"{pct(l['sparsity'])} | {l['dense_bits'] // 8:,} B | {(l['rle_bits'] + 7) // 8:,} B "
                        f"(d = {l['rle_delta_bits']}) | {sim_cells([l['layer']])} |" if l["rle_delta_bits"] else
                        f"| `{info['name']}` | {l['layer']} | {l['weights']:,} | {l['zeros']:,} | "
                        f"{pct(l['sparsity'])} | – | – | – | – |")
        ternary = [l["layer"] for l in sp["layers"] if l["rle_delta_bits"]]
        rows.append(f"| `{info['name']}` | **all** | {sp['weights']:,} | {sp['zeros']:,} | "
                    f"{pct(sp['sparsity'])} | {sp['dense_bytes']:,} B | {sp['rle_bytes']:,} B | "
                    f"{sim_cells(ternary)} |")
    return "\n".join(rows)


def training_table(records):
    rows = ["| model | training (train.py arguments) | epochs | seconds | threads |",
            "|---|---|---:|---:|---:|"]
    for info, _ in records:
        t = info["training"]
        if not t:
            continue
        args = ", ".join(f"{k} {','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in t["args"].items())
        extra = f", lambda {t['l2']}" if t.get("l2") else ""
        epochs = f"{t['epochs']} + {t['retrain_epochs']} retrain" if t.get("retrain_epochs") else str(t["epochs"])
        rows.append(f"| `{info['name']}` | {t['model']}: {args}{extra}, lr {t['lr']}, batch {t['batch']}, "
                    f"seed {t['seed']} | {epochs} | {t['train_seconds']:.0f} | {t['threads']} |")
    return "\n".join(rows)


def replace(doc, key, body):
    pat = re.compile(rf"(<!-- BEGIN {key} \(scripts/train/make_table.py\) -->\n).*?(<!-- END {key} -->)", re.S)
    if not pat.search(doc):
        raise SystemExit(f"make_table: no '{key}' markers in the document")
    return pat.sub(lambda m: m.group(1) + body + "\n" + m.group(2), doc)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", default=os.path.join(ROOT, "configs", "trained"))
    p.add_argument("--doc", default=os.path.join(ROOT, "docs", "real-networks.md"))
    a = p.parse_args(argv)
    records = []
    for path in sorted(glob.glob(os.path.join(a.dir, "*.json"))):
        if path.endswith(".sim.json"):
            continue
        info = json.load(open(path))
        sim_path = path[:-len(".json")] + ".sim.json"
        sim = json.load(open(sim_path)) if os.path.exists(sim_path) else None
        records.append((info, sim))
    if not records:
        sys.exit(f"make_table: no export records in {a.dir}")
    doc = open(a.doc).read()
    doc = replace(doc, "models", models_table(records))
    doc = replace(doc, "sparsity", sparsity_table(records))
    doc = replace(doc, "training", training_table(records))
    open(a.doc, "w").write(doc)
    print(f"make_table: {len(records)} models -> {a.doc}")


if __name__ == "__main__":
    main()
