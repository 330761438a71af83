"""The simulator's files for a lowered Network: the YAML network description (docs/config.md)
and the binary weight file (docs/weights-format.md), plus a reader of weight files, the
automatic folding and the run-length-coded size of sparse ternary weights."""
import math
import struct
import zlib

import numpy as np

from graph import Network

MAGIC = b"QNNSIMW\0"
QUANT_CODE = {"binary": 0, "ternary": 1, "uniform": 2}
ACT_CODE = {"thresholds": 0, "bipolar": 1, "relu": 2, "none": 3}


class WeightFileError(ValueError):
    pass


# ---------------------------------------------------------------------------------------
# Folding

def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def layer_cycles(L, pe, simd, mmv):
    """MVTU cycles per frame (models/mvtu/mvtu_timing.cpp): output pixels / MMV x synapse
    folds x neuron folds."""
    n = L.weights.shape[0]
    folds = (L.fan_in() // simd) * (n // pe)
    if L.type == "conv":
        h, w, _ = L.out_shape
        return h * math.ceil(w / mmv) * folds
    return folds


def source_cycles(net, stream_bits):
    h, w, c = net.input_shape
    return h * math.ceil(w * c * net.input_bits / stream_bits)


def auto_folding(L, target):
    """The fewest lanes (PE x SIMD x MMV) that keep the layer within `target` cycles per
    frame (or the fastest folding when none does); ties: fewer cycles, smaller MMV, PE and
    SIMD closest to each other, wider SIMD. PE divides N / groups, SIMD divides the input
    channels per group (conv) or the fan-in (fc), MMV divides the output width (conv only)."""
    n = L.weights.shape[0] // L.groups
    simd_of = L.in_shape[2] // L.groups if L.type == "conv" else L.fan_in()
    mmvs = _divisors(L.out_shape[1]) if L.type == "conv" else [1]
    options = []
    for pe in _divisors(n):
        for simd in _divisors(simd_of):
            for mmv in mmvs:
                cyc = layer_cycles(L, pe, simd, mmv)
                balance = abs(math.log2(pe) - math.log2(simd))
                options.append((cyc > target, pe * simd * mmv if cyc <= target else cyc,
                                cyc, mmv, balance, -simd, pe, simd))
    best = min(options)
    return {"pe": best[6], "simd": best[7], "mmv": best[3]}


# ---------------------------------------------------------------------------------------
# YAML network description

def _fmt_num(x):
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def config_yaml(net: Network, name, weight_file, comments, device="generic", clock_mhz=100.0,
                stream_bits=8, folding=None, target_cycles=None, frames=4, device_library=None):
    """YAML text of the network. folding: {layer: {pe, simd, mmv}} overrides the automatic
    choice; target_cycles defaults to the input source's cycles per frame; device_library is
    the path of devices.yaml relative to the config (for a device other than generic)."""
    folding = folding or {}
    target = target_cycles or source_cycles(net, stream_bits)
    h, w, c = net.input_shape
    first = next(l for l in net.layers if l.is_compute)
    fifo = h if first.type == "fc" else 2  # an fc layer takes its whole input vector at once
    out = ["# " + line if line else "#" for line in comments]
    out += [
        f"name: {name}",
        f"device: {{ name: {device}, clock_mhz: {_fmt_num(clock_mhz)}" +
        (f", library: {device_library} }}" if device != "generic" and device_library else " }"),
        f"input: {{ height: {h}, width: {w}, channels: {c}, bits: {net.input_bits}, signed: false, "
        f"stream_bits: {stream_bits}, fifo_depth: {fifo} }}",
        f"weights: {{ file: {weight_file} }}",
        f"run: {{ frames: {frames} }}",
        "defaults: { fifo_depth: 2 }",
        "layers:",
    ]
    chosen = {}
    for L in net.layers:
        out.append(f"  - name: {L.name}")
        out.append(f"    type: {L.type}")
        if L.type in ("conv", "maxpool"):
            out.append(f"    kernel: {L.kernel}")
            if L.stride != (L.kernel if L.type == "maxpool" else 1):
                out.append(f"    stride: {L.stride}")
            if L.pad != (0, 0):
                out.append(f"    padding: [{L.pad[0]}, {L.pad[1]}]")
        if L.type == "conv" and L.groups != 1:
            out.append(f"    groups: {L.groups}")
        if L.is_compute:
            out.append(f"    filters: {L.filters}")
            q = f"quant: {L.quant}"
            if L.quant == "ternary" and L.eta is not None:
                q += f", threshold: {_fmt_num(L.eta)}"
            out.append(f"    weights: {{ {q} }}")
            a = f"type: {L.activation}"
            if L.activation == "thresholds":
                a += f", bits: {L.act_bits}"
            out.append(f"    activation: {{ {a} }}")
            f = folding.get(L.name) or auto_folding(L, target)
            chosen[L.name] = f
            fs = f"pe: {f['pe']}, simd: {f['simd']}" + (f", mmv: {f['mmv']}" if f.get("mmv", 1) != 1 else "")
            out.append(f"    folding: {{ {fs} }}")
    return "\n".join(out) + "\n", chosen, target


# ---------------------------------------------------------------------------------------
# Weight file

def _pack(codes, quant):
    bits = 1 if quant == "binary" else 2
    flat = codes.reshape(-1).astype(np.int64)
    if quant == "binary":
        if np.any((flat != 1) & (flat != -1)):
            raise WeightFileError("binary weights must be +-1")
        stream = (flat > 0).astype(np.uint8)
        return np.packbits(stream, bitorder="little").tobytes()
    if np.any(np.abs(flat) > 1):
        raise WeightFileError("ternary weights must be in {-1, 0, 1}")
    c = (flat & 3).astype(np.uint8)  # 01 = +1, 11 = -1, 00 = 0
    bitsarr = np.stack([c & 1, (c >> 1) & 1], axis=1).reshape(-1)
    return np.packbits(bitsarr, bitorder="little").tobytes()


def weight_file_bytes(net: Network):
    records = bytearray()
    compute = [L for L in net.layers if L.is_compute]
    for L in compute:
        name = L.name.encode()
        n, fan_in = L.weights.shape
        bits = 1 if L.quant == "binary" else 2
        scale = 1.0
        thr = (L.eta if L.eta is not None else 0.05) if L.quant == "ternary" else 0.0
        packed = _pack(L.weights, L.quant)
        assert len(packed) == math.ceil(n * fan_in * bits / 8)
        T = {"thresholds": 2 ** L.act_bits - 1, "bipolar": 1, "none": 0}[L.activation]
        act_bits = 32 if L.activation == "none" else L.act_bits
        records += struct.pack("<H", len(name)) + name
        records += struct.pack("<BBffBBIIQ", QUANT_CODE[L.quant], bits, scale, thr,
                               ACT_CODE[L.activation], act_bits, n, fan_in, len(packed))
        records += packed + struct.pack("<I", T)
        if T:
            t = np.asarray(L.thresholds, dtype=np.int64)
            assert t.shape == (n, T) and t.min() >= -2 ** 31 and t.max() < 2 ** 31
            records += t.astype("<i4").tobytes()
    head = MAGIC + struct.pack("<HHIQ", 1, 0, len(compute), len(records))
    body = head + bytes(records)
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def read_weight_file(data):
    """{layer name: dict(quant, weights int8 [N, fan_in], activation, act_bits, thresholds)}."""
    if data[:8] != MAGIC:
        raise WeightFileError("bad magic")
    version, flags, count, payload = struct.unpack_from("<HHIQ", data, 8)
    if version != 1 or flags != 0 or len(data) != 24 + payload + 4:
        raise WeightFileError("bad header")
    if struct.unpack_from("<I", data, 24 + payload)[0] != zlib.crc32(data[:24 + payload]) & 0xFFFFFFFF:
        raise WeightFileError("checksum mismatch")
    off, layers = 24, {}
    for _ in range(count):
        (ln,) = struct.unpack_from("<H", data, off)
        name = data[off + 2:off + 2 + ln].decode()
        off += 2 + ln
        q, bits, _, _, act, abits, n, fan_in, nbytes = struct.unpack_from("<BBffBBIIQ", data, off)
        off += struct.calcsize("<BBffBBIIQ")
        raw = np.frombuffer(data, np.uint8, nbytes, off)
        off += nbytes
        stream = np.unpackbits(raw, bitorder="little")[:n * fan_in * bits].astype(np.int64)
        if bits == 1:
            w = np.where(stream == 1, 1, -1)
        else:
            c = stream[0::2] | (stream[1::2] << 1)
            w = np.where(c == 1, 1, np.where(c == 3, -1, 0))
        (T,) = struct.unpack_from("<I", data, off)
        off += 4
        t = np.frombuffer(data, "<i4", n * T, off).astype(np.int64).reshape(n, T)
        off += 4 * n * T
        if act == ACT_CODE["relu"]:
            raise WeightFileError("relu records are not produced by this exporter")
        layers[name] = {"quant": {v: k for k, v in QUANT_CODE.items()}[q],
                        "weights": w.reshape(n, fan_in).astype(np.int8),
                        "activation": {v: k for k, v in ACT_CODE.items()}[act],
                        "act_bits": abits, "thresholds": t}
    return layers


# ---------------------------------------------------------------------------------------
# Sparsity and run-length coding (thesis ch. 3.2.4)

def rle_bits(codes):
    """Size in bits of ternary weights stored as run-length entries (thesis ch. 3.2.4: the index
    difference to the previous nonzero weight and a sign bit). Each entry is d + 1 bits: d bits
    for the number of zeros skipped before the weight, 1 sign bit; the delta value 2^d - 1 is an
    escape that skips 2^d - 1 positions without a weight. d is chosen per layer (1..16) to
    minimise the size; the weights are walked in the weight file's synapse order."""
    flat = codes.reshape(-1)
    pos = np.flatnonzero(flat)
    gaps = np.diff(np.concatenate([[-1], pos])) - 1  # zeros before each nonzero (trailing zeros need no entry)
    best = None
    for d in range(1, 17):
        escape = 2 ** d - 1
        entries = len(pos) + int(np.sum(gaps // escape))
        size = entries * (d + 1)
        if best is None or size < best[0]:
            best = (size, d)
    return best


def sparsity_report(net: Network):
    rows, zeros, total, rle, dense = [], 0, 0, 0, 0
    for L in net.layers:
        if not L.is_compute:
            continue
        z = int(np.sum(L.weights == 0))
        bits = 1 if L.quant == "binary" else 2
        size, d = rle_bits(L.weights) if L.quant == "ternary" else (L.weights.size * bits, None)
        rows.append({"layer": L.name, "weights": int(L.weights.size), "zeros": z,
                     "sparsity": z / L.weights.size, "dense_bits": int(L.weights.size * bits),
                     "rle_bits": int(size), "rle_delta_bits": d})
        zeros += z
        total += L.weights.size
        rle += size
        dense += L.weights.size * bits
    return {"layers": rows, "zeros": zeros, "weights": int(total), "sparsity": zeros / total,
            "dense_bytes": math.ceil(dense / 8), "rle_bytes": math.ceil(rle / 8)}
