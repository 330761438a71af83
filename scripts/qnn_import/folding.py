"""FINN folding configurations (folding_config.json) for imported networks, and `sim fold` when
there is none.

FINN's format (ApplyConfig): a JSON object whose keys are node names, each an object of node
attributes, plus an optional "Defaults" object mapping an attribute to pairs of a value and the
op types it applies to ("all" for every node):

    {"Defaults": {"PE": [1, ["MVAU_hls", "Thresholding_hls"]], "ram_style": ["block", "all"]},
     "MVAU_0": {"PE": 16, "SIMD": 32, "ram_style": "block"},
     "StreamingFIFO_3": {"depth": 256, "impl_style": "vivado"}}

A node's own entry overrides the defaults. PE, SIMD and MMV (M on the RTL sliding window) set the
folding of the layer the node became, exactly as given; `depth` of a StreamingFIFO sets the FIFO
after its producer in rows; every other attribute (ram_style, mem_mode, resType, impl_style,
runtime_writeable_weights, ...) does not change what the simulator computes or when, and is
reported as a note.
"""
import json
import math
import os
import re
import subprocess

from ir import ImportError_

FOLD_KEYS = ("PE", "SIMD", "MMV", "M")
INT_KEYS = FOLD_KEYS + ("depth",)


def _line_col(text, pos):
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _check_int(where, key, v):
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, float) and v.is_integer():
            raise ImportError_(f"{where}: {key} = {v!r} is not an integer (write {int(v)})")
        raise ImportError_(f"{where}: {key} = {v!r} is not an integer")
    if v < 1:
        raise ImportError_(f"{where}: {key} = {v} must be positive")


def read_folding_config(path):
    """The validated contents of a FINN folding_config.json. Raises ImportError_ with the file's
    line and column for malformed JSON, and for entries that are not objects, defaults that are
    not value / op-type pairs, and PE / SIMD / MMV / depth values that are not positive integers."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ImportError_(f"{path}: {e.strerror}")
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as e:
        raise ImportError_(f"{path}:{e.lineno}:{e.colno}: malformed JSON: {e.msg}")
    if not isinstance(cfg, dict):
        raise ImportError_(f"{path}: the folding configuration must be a JSON object of node names")

    def key_pos(key):
        m = re.search(r'"' + re.escape(key) + r'"\s*:', text)
        return "%d:%d" % _line_col(text, m.start()) if m else "?"

    for name, entry in cfg.items():
        where = f"{path}:{key_pos(name)}: {name}"
        if not isinstance(entry, dict):
            raise ImportError_(f"{where}: expected an object of attributes, got {type(entry).__name__}")
        if name == "Defaults":
            for attr, spec in entry.items():
                if not isinstance(spec, list) or len(spec) % 2 or not spec:
                    raise ImportError_(f"{where}.{attr}: expected [value, op types, value, op types, ...]")
                for v, ops in zip(spec[::2], spec[1::2]):
                    if not (ops == "all" or (isinstance(ops, list) and all(isinstance(o, str) for o in ops))):
                        raise ImportError_(f"{where}.{attr}: op types must be a list of names or \"all\", got {ops!r}")
                    if ops == "all" and len(spec) > 2:
                        raise ImportError_(f"{where}.{attr}: \"all\" must be the only op-type entry")
                    if attr in INT_KEYS:
                        _check_int(f"{where}.{attr}", attr, v)
            continue
        for attr, v in entry.items():
            if attr in INT_KEYS:
                _check_int(where, attr, v)
    return cfg


def node_entries(cfg, node_to_layer):
    """{node: {attr: value}} after applying the defaults to every node of node_to_layer (whose
    values are a layer name or (layer, role, op_type))."""
    defaults = cfg.get("Defaults", {})
    out = {}
    for node, info in node_to_layer.items():
        op = info[2] if isinstance(info, tuple) and len(info) > 2 else ""
        entry = {}
        for attr, spec in defaults.items():
            for v, ops in zip(spec[::2], spec[1::2]):
                if ops == "all" or op in ops:
                    entry[attr] = v
        entry.update(cfg.get(node, {}))
        if entry:
            out[node] = entry
    return out


def _divides(node, key, v, dim, what, layer):
    if dim % v:
        raise ImportError_(f"node {node}: {key} = {v} does not divide {what} = {dim} (layer {layer})")


def apply_folding(net, cfg, node_to_layer):
    """Sets each layer's folding from the folding-config entry of the ONNX node it came from and
    returns the notes (attributes without effect in the simulator, folding that differs between
    the nodes of one layer). node_to_layer: {node: layer} or {node: (layer, role, op_type)}.
    Raises ImportError_ naming the node for an entry of a node the model does not have, and for a
    value that does not divide the dimension it folds."""
    unknown = [k for k in cfg if k != "Defaults" and k not in node_to_layer]
    if unknown:
        raise ImportError_("the folding configuration names nodes the model does not have: "
                           + ", ".join(unknown) + "; the model's nodes: " + ", ".join(sorted(node_to_layer)))
    notes = []
    layers = {L.name: L for L in net.layers}
    fifo_depths = getattr(net, "fifo_depths", None)
    if fifo_depths is None:
        fifo_depths = net.fifo_depths = {}
    entries = node_entries(cfg, node_to_layer)
    role_of = {n: (node_to_layer[n][1] if isinstance(node_to_layer[n], tuple) else "main") for n in entries}
    # the nodes that carry a layer's arithmetic first, so that the others are compared with the result
    for node in sorted(entries, key=lambda n: role_of[n] != "main"):
        entry = entries[node]
        info = node_to_layer[node]
        lname, role = (info[0], info[1]) if isinstance(info, tuple) else (info, "main")
        op = info[2] if isinstance(info, tuple) and len(info) > 2 else ""
        L = layers.get(lname)
        ignored = sorted(k for k in entry if k not in INT_KEYS)
        if ignored:
            notes.append(f"{node}: {', '.join(f'{k}={entry[k]}' for k in ignored)} does not change the simulation")
        if role == "fifo":
            if "depth" in entry and L is not None:
                per_row = getattr(net, "fifo_words_per_row", {}).get(node) or L.out_shape[1]
                fifo_depths[lname] = max(1, fifo_depths.get(lname, 1), math.ceil(entry["depth"] / per_row))
                notes.append(f"{node}: depth {entry['depth']} words -> the FIFO after {lname} holds "
                             f"{fifo_depths[lname]} rows")
            elif "depth" in entry:
                notes.append(f"{node}: a FIFO before the first layer; depth {entry['depth']} not modelled")
            continue
        fold = {k: entry[k] for k in FOLD_KEYS if k in entry}
        if not fold:
            continue
        if L is None:
            notes.append(f"{node}: {fold} has no layer to fold (a {role} node)")
            continue
        if role != "main":
            cur = L.folding or {}
            depthwise = L.is_compute and L.groups > 1
            # which of the layer's lanes the node's own folding corresponds to: a window's SIMD is
            # the MVAU's SIMD (a depthwise window's: the VVAU's PE), a Thresholding's PE the MVAU's
            # PE (an adder's lanes: its SIMD)
            mine = {"window": "pe" if depthwise else "simd", "padding": "pe" if depthwise else "simd",
                    "thresholds": "simd" if L.type == "add" else "pe"}.get(role)
            key = "PE" if role == "thresholds" else "SIMD"
            if mine and key in fold and cur.get(mine) != fold[key]:
                notes.append(f"{node}: {key} {fold[key]} differs from layer {lname}'s {mine} {cur.get(mine)}; "
                             f"the simulator folds the layer once (by its {('MVAU' if L.is_compute else 'unit')})")
            elif fold:
                notes.append(f"{node}: {fold} applies to a {role} node the simulator folds with layer {lname}")
            continue
        if op.startswith("StreamingMaxPool") and L.type == "maxpool" and L.kernel_width != 1 and "PE" in fold:
            notes.append(f"{node}: PE {fold['PE']} on a 2-D StreamingMaxPool, which compares all "
                         f"{L.in_shape[2]} channels a clock whatever its PE (FINN: PE is for 1-D only); kept at "
                         f"SIMD {(L.folding or {}).get('simd')}")
            continue
        _set_folding(net, L, node, fold)
    return notes


def _set_folding(net, L, node, fold):
    f = dict(L.folding or {"pe": 1, "simd": 1, "mmv": 1})
    h, w, c = L.out_shape
    ih, iw, ic = L.in_shape
    pe, simd = fold.get("PE"), fold.get("SIMD")
    mmv = fold.get("MMV", fold.get("M"))
    if L.type in ("conv", "fc"):
        depthwise = L.type == "conv" and L.groups > 1 and L.groups == ic == L.filters
        if pe is not None:
            _divides(node, "PE", pe, L.filters // L.groups if not depthwise else L.filters,
                     "the channels (MH)" if not depthwise else "Channels", L.name)
            f["pe"] = pe
        if simd is not None:
            if L.type == "fc":
                _divides(node, "SIMD", simd, ih * iw * ic, "MW", L.name)
            elif depthwise:
                area = L.kernel * (1 if L.kernel_width == 1 else L.kernel)
                _divides(node, "SIMD", simd, area, "k_h x k_w", L.name)
            else:
                area = L.kernel * (1 if L.kernel_width == 1 else L.kernel)
                _divides(node, "SIMD", simd, area * ic // L.groups, "MW", L.name)
                _divides(node, "SIMD", simd, ic // L.groups, "IFMChannels (the simulator's SWU feeds SIMD "
                         "channels of one pixel)", L.name)
            f["simd"] = simd
        if mmv is not None:
            if L.type == "fc" and mmv != 1:
                raise ImportError_(f"node {node}: MMV = {mmv} on a fully connected layer (layer {L.name})")
            _divides(node, "MMV", mmv, w, "the output width", L.name)
            f["mmv"] = mmv
    else:
        # pooling, add, concat, topk: FINN's PE (SIMD for concat) is the channels a clock, the
        # simulator's simd
        lanes = simd if L.type == "concat" and simd is not None else pe if pe is not None else simd
        if lanes is not None:
            dim = ic if L.type in ("maxpool", "avgpool", "global_maxpool", "global_avgpool", "topk") else c
            _divides(node, "PE" if pe is not None else "SIMD", lanes, dim,
                     "Labels" if L.type == "topk" else "the channels", L.name)
            f["simd"] = lanes
        if mmv not in (None, 1):
            raise ImportError_(f"node {node}: MMV = {mmv} on a {L.type} layer (layer {L.name})")
    L.folding = f


def _input_interval(yaml_text):
    """(cycles per frame of the input stream, clock in MHz) of a configuration the writer wrote."""
    m = re.search(r"^input:\s*\{([^}]*)\}", yaml_text, re.M)
    d = re.search(r"clock_mhz:\s*([0-9.eE+-]+)", yaml_text)
    if not m or not d:
        raise ImportError_("auto_fold: the configuration has no one-line input / device section (not the writer's?)")
    f = dict(re.findall(r"(\w+):\s*([^,\s]+)", m.group(1)))
    h, w, c = int(f["height"]), int(f["width"]), int(f["channels"])
    bits, sb = int(f.get("bits", 8)), int(f.get("stream_bits", 24))
    return h * math.ceil(w * c * bits / sb), float(d.group(1))


def auto_fold(yaml_path, sim_binary, out_path, target_fps=None, timeout=300, keep=()):
    """Folds an imported network that came without a folding: `sim fold --config YAML --out OUT
    --no-simulate --target-fps F`. The importer's device is `generic` (no resource counts), for
    which fold needs a frame rate; without target_fps the rate is the input stream's (one pixel a
    clock: H x W cycles a frame, the fastest the input allows, FINN's way of matching every layer
    to the first; `keep`: layers whose folding stays as written, fold's --keep), and where some layer cannot reach it (a K x K window needs at least K^2 cycles
    per output pixel row...) the interval is relaxed by 1/4 at a time until every layer can.
    Returns fold's report (its stdout) with the frame rate chosen; raises ImportError_ with fold's
    message when it fails for another reason."""
    with open(yaml_path, encoding="utf-8") as f:
        interval, mhz = _input_interval(f.read())
    in_place = os.path.abspath(out_path) == os.path.abspath(yaml_path)
    target = out_path + ".folded.yaml" if in_place else out_path  # fold will not overwrite its input
    try:
        return _fold(yaml_path, sim_binary, target, interval, mhz, target_fps, timeout, keep)
    finally:
        if in_place and os.path.exists(target):
            os.replace(target, out_path)


def _fold(yaml_path, sim_binary, out_path, interval, mhz, target_fps, timeout, keep):
    fixed = target_fps is not None
    tries = 1 if fixed else 40
    last = ""
    for _ in range(tries):
        fps = float(target_fps) if fixed else mhz * 1e6 / interval
        cmd = [sim_binary, "fold", "--config", yaml_path, "--out", out_path, "--no-simulate",
               "--target-fps", repr(fps)] + [a for layer in keep for a in ("--keep", layer)]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except OSError as e:
            raise ImportError_(f"cannot run {sim_binary}: {e.strerror}")
        err = "\n".join(x for x in p.stderr.splitlines() if x.strip() and not x.startswith("        "))
        if p.returncode == 0:
            return f"target {fps:.6g} frames/s\n" + p.stdout + err
        last = err or p.stdout
        if fixed:
            break
        reach = re.search(r"reaches ([\d,]+) cycles per frame", last)
        if reach and int(reach.group(1).replace(",", "")) > interval:
            interval = int(reach.group(1).replace(",", ""))  # a kept layer is slower: match it
            continue
        if "no folding of layer" not in last:
            break
        interval = math.ceil(interval * 1.25)
    lines = [x for x in last.splitlines() if x.strip()]
    raise ImportError_(f"sim fold failed: {lines[-1] if lines else 'no message'}")
