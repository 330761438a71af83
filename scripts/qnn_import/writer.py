"""Writes an imported Network as the simulator's files: NAME.yaml (docs/config.md) and NAME.qnnw
(docs/weights-format.md, version 1: one record per compute layer and per adder that requantises)."""
import struct
import zlib

import numpy as np

from ir import ImportError_, Network

MAGIC = b"QNNSIMW\0"
QUANT_CODE = {"binary": 0, "ternary": 1, "uniform": 2, "adder": 4}
ACT_CODE = {"thresholds": 0, "bipolar": 1, "none": 3}


def _num(x):
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _num_list(v):
    v = np.asarray(v, dtype=np.float64).reshape(-1)
    if v.size == 1 or np.all(v == v[0]):
        return _num(v[0])
    return "[" + ", ".join(_num(x) for x in v) + "]"


def config_yaml(net: Network, weight_file, device="generic", clock_mhz=100.0, stream_bits=None,
                frames=4, device_library=None, fifo_depths=None):
    """YAML text of the network. fifo_depths: {layer: rows} for the FIFO after a layer."""
    h, w, c = net.input_shape
    if stream_bits is None:
        stream_bits = c * net.input_bits  # one pixel a clock
    fifo_depths = fifo_depths or {}
    first = net.layers[0]
    in_fifo = h if first.type == "fc" else 2  # an fc layer takes its whole input vector at once
    out = ["# " + line if line else "#" for line in net.comments]
    dev = f"device: {{ name: {device}, clock_mhz: {_num(clock_mhz)}"
    if device != "generic" and device_library:
        dev += f", library: {device_library}"
    out += [
        f"name: {net.name}",
        dev + " }",
        f"input: {{ height: {h}, width: {w}, channels: {c}, bits: {net.input_bits}, "
        f"signed: {'true' if net.input_signed else 'false'}, stream_bits: {stream_bits}, fifo_depth: {in_fifo} }}",
        f"weights: {{ file: {weight_file} }}",
        f"run: {{ frames: {frames} }}",
        "defaults: { fifo_depth: 2 }",
    ]
    if net.output_scale is not None:
        out.append(f"output: {{ scale: {_num_list(net.output_scale)}, offset: {_num_list(net.output_offset)} }}")
    out.append("layers:")
    for i, L in enumerate(net.layers):
        if L.source:
            out.append(f"  # from {L.source}")
        out.append(f"  - name: {L.name}")
        out.append(f"    type: {L.type}")
        ins = net.inputs_of(i)
        if L.inputs and not (len(ins) == 1 and i > 0 and ins[0] == net.layers[i - 1].name):
            out.append(f"    inputs: [{', '.join(ins)}]" if len(ins) > 1 else f"    inputs: {ins[0]}")
        if L.type in ("conv", "maxpool", "avgpool"):
            out.append(f"    kernel: {L.kernel}")
            if L.kernel_width:
                out.append(f"    kernel_width: {L.kernel_width}")
            out.append(f"    stride: {L.stride}")
            if tuple(L.pad) != (0, 0):
                out.append(f"    padding: [{L.pad[0]}, {L.pad[1]}]")
        if L.type == "conv" and L.groups != 1:
            out.append(f"    groups: {L.groups}")
        if L.type == "topk":
            out.append(f"    k: {L.k}")
        if L.is_compute:
            out.append(f"    filters: {L.filters}")
            q = f"quant: {L.quant}"
            if L.quant == "uniform":
                q += f", bits: {L.weight_bits}"
            out.append(f"    weights: {{ {q} }}")
        if L.is_compute or (L.type == "add" and L.activation):
            a = f"type: {L.activation}"
            if L.activation == "thresholds":
                a += f", bits: {L.act_bits}"
            out.append(f"    activation: {{ {a} }}")
        if L.folding:
            f = L.folding
            parts = [f"{k}: {f[k]}" for k in ("pe", "simd", "mmv") if k in f and not (k == "mmv" and f[k] == 1)]
            if parts:
                out.append(f"    folding: {{ {', '.join(parts)} }}")
        if L.name in fifo_depths:
            out.append(f"    fifo_depth: {fifo_depths[L.name]}")
    return "\n".join(out) + "\n"


def _pack(codes, quant, bits, what):
    flat = np.asarray(codes).reshape(-1).astype(np.int64)
    if quant == "binary":
        if np.any((flat != 1) & (flat != -1)):
            raise ImportError_(f"{what}: binary weights must be +-1")
        stream = (flat > 0).astype(np.uint8)
    else:
        lim = 1 if quant == "ternary" else 2 ** (bits - 1) - 1
        if np.any(np.abs(flat) > lim):
            raise ImportError_(f"{what}: a weight outside [-{lim}, {lim}]")
        u = (flat & ((1 << bits) - 1)).astype(np.uint64)
        stream = ((u[:, None] >> np.arange(bits, dtype=np.uint64)[None, :]) & 1).astype(np.uint8).reshape(-1)
    return np.packbits(stream, bitorder="little").tobytes()


def _thresholds_record(L, n):
    T = {"thresholds": 2 ** L.act_bits - 1, "bipolar": 1, "none": 0}[L.activation]
    rec = struct.pack("<I", T)
    if T:
        t = np.asarray(L.thresholds, dtype=np.int64)
        if t.shape != (n, T):
            raise ImportError_(f"{L.name}: thresholds of shape {t.shape}, expected {(n, T)}")
        if t.min() < -2 ** 31 or t.max() >= 2 ** 31:
            raise ImportError_(f"{L.name}: a threshold does not fit 32 bits")
        if np.any(np.diff(t, axis=1) < 0):
            raise ImportError_(f"{L.name}: thresholds decrease within a channel")
        rec += t.astype("<i4").tobytes()
    return rec


def weight_file_bytes(net: Network):
    records = bytearray()
    count = 0
    for L in net.layers:
        if not L.has_record:
            continue
        count += 1
        name = L.name.encode()
        act_bits = 32 if L.activation == "none" else (1 if L.activation == "bipolar" else L.act_bits)
        if L.is_compute:
            n, fan_in = L.weights.shape
            bits = {"binary": 1, "ternary": 2}.get(L.quant, L.weight_bits)
            packed = _pack(L.weights, L.quant, bits, L.name)
            head = (QUANT_CODE[L.quant], bits, 1.0, 0.05 if L.quant == "ternary" else 0.0)
        else:
            n, fan_in, bits, packed = L.out_shape[2], len(L.inputs), 0, b""
            head = (QUANT_CODE["adder"], 0, 1.0, 0.0)
        records += struct.pack("<H", len(name)) + name
        records += struct.pack("<BBffBBIIQ", *head, ACT_CODE[L.activation], act_bits, n, fan_in, len(packed))
        records += packed + _thresholds_record(L, n)
    body = MAGIC + struct.pack("<HHIQ", 1, 0, count, len(records)) + bytes(records)
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)
