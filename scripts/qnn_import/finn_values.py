"""The values of qnn-import's FINN front end (finn_front.py): FINN's op types, node attributes and
integer data types, and `Tensor`, a tensor of the FINN graph as the simulator carries it (a stream
of codes u with the model's value v = alpha * u + beta[c]; finn_front.py's docstring gives the
relation)."""
import math
import re

import numpy as np
from onnx import helper

from ir import Stream, node_error


# ------------------------------------------------------------------------------------------
# Op types, attributes, data types

def base_op(op_type):
    """FINN's op type without its backend (_hls, _rtl) and _Batch suffixes, old names mapped to new."""
    t = op_type
    for suffix in ("_hls", "_rtl"):
        if t.endswith(suffix):
            t = t[: -len(suffix)]
    if t.endswith("_Batch"):
        t = t[: -len("_Batch")]
    return {
        "MatrixVectorActivation": "MVAU",
        "VectorVectorActivation": "VVAU",
        "ConvolutionInputGenerator1D": "ConvolutionInputGenerator",
        "StreamingDataWidthConverter": "StreamingDataWidthConverter",
        "Thresholding_Binary_Search": "Thresholding",
        "ThresholdingBinarySearch": "Thresholding",
    }.get(t, t)


def node_attrs(node):
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        if isinstance(v, bytes):
            v = v.decode()
        elif isinstance(v, list):
            v = [x.decode() if isinstance(x, bytes) else x for x in v]
        out[a.name] = v
    return out


def pair(v, node, what):
    """[H, W] from an ints attribute (or one int for both)."""
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return int(v[0]), int(v[0])
        if len(v) != 2:
            raise node_error(node, f"{what} must have 2 values [H, W], has {list(v)}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


class DType:
    """A FINN integer data type: kind bipolar, binary, ternary, uint, int."""

    def __init__(self, name, kind, bits, lo, hi):
        self.name, self.kind, self.bits, self.lo, self.hi = name, kind, bits, lo, hi

    @property
    def signed(self):
        return self.lo < 0


def parse_dtype(name):
    """DType of a FINN data type name, None when it is not an integer type the simulator knows."""
    if name == "BIPOLAR":
        return DType(name, "bipolar", 1, -1, 1)
    if name == "BINARY":
        return DType(name, "binary", 1, 0, 1)
    if name == "TERNARY":
        return DType(name, "ternary", 2, -1, 1)
    m = re.fullmatch(r"(U?)INT([0-9]+)", name or "")
    if m and int(m.group(2)) >= 1:
        b = int(m.group(2))
        if m.group(1):
            return DType(name, "uint", b, 0, 2 ** b - 1)
        return DType(name, "int", b, -(2 ** (b - 1)), 2 ** (b - 1) - 1)
    return None


def attr_dtype(node, a, key, required=True):
    name = a.get(key)
    if name is None or name == "":
        if required:
            raise node_error(node, f"has no {key} attribute")
        return None
    dt = parse_dtype(name)
    if dt is None:
        raise node_error(node, f"{key} '{name}' is not an integer data type "
                               "(BIPOLAR, BINARY, TERNARY, UINTn, INTn)")
    return dt


def range_bits(lo, hi):
    bits = 1
    if lo >= 0:
        while (1 << bits) - 1 < hi:
            bits += 1
    else:
        while -(1 << (bits - 1)) > lo or (1 << (bits - 1)) - 1 < hi:
            bits += 1
    return bits


def is_pow2(x):
    m, _ = math.frexp(float(x))
    return x > 0 and m == 0.5


# ------------------------------------------------------------------------------------------
# Streams between the layers

class Tensor:
    """A tensor of the FINN graph as the simulator carries it."""

    def __init__(self, layer, shape, enc, bits, alpha=1.0, beta=None, lo=None, hi=None):
        self.layer = layer          # producing layer, None: the network input
        self.shape = tuple(shape)   # (H, W, C)
        self.enc, self.bits = enc, bits
        self.alpha = float(alpha)
        c = shape[2]
        self.beta = np.zeros(c) if beta is None else np.broadcast_to(np.asarray(beta, float), (c,)).copy()
        if lo is None:
            lo, hi = {"unsigned": (0, 2 ** bits - 1), "signed": (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1),
                      "bipolar": (-1, 1)}[enc]
        self.lo, self.hi = int(lo), int(hi)   # range of the decoded values u
        self.pad = None             # pending FMPadding: {"before", "after", "nodes", "in"}
        self.win = None             # pending sliding window (op_ConvolutionInputGenerator)

    def clone(self):
        t = Tensor(self.layer, self.shape, self.enc, self.bits, self.alpha, self.beta, self.lo, self.hi)
        t.pad, t.win = self.pad, self.win
        return t

    @property
    def maxabs(self):
        return max(abs(self.lo), abs(self.hi))

    def stream(self):
        beta = self.beta
        off = float(beta[0]) if np.all(beta == beta[0]) else beta.copy()
        return Stream(encoding={"accumulator": "accumulator"}.get(self.enc, self.enc), bits=self.bits,
                      scale=self.alpha, offset=off)

    def identity(self):
        return self.alpha == 1.0 and not np.any(self.beta)
