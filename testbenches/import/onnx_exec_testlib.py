"""Shared helpers of the unit tests of scripts/qnn_import/onnx_exec.py (test_onnx_exec_std.py,
test_onnx_exec_finn.py): small graphs built with onnx.helper and run by onnx_exec.execute, random
operands, and references written here with plain Python loops (no call into the executor's
helpers). Importing this module puts scripts/qnn_import on sys.path."""
import itertools
import math
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "qnn_import"))

from onnx_exec import execute  # noqa: E402

QONNX = "qonnx.custom_op.general"
FINN_GENERAL = "finn.custom_op.general"
FINN_HW = "finn.custom_op.fpgadataflow"
RNG = np.random.default_rng(1234)


# ---------------------------------------------------------------- graph building
def _elem_type(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind == "f":
        return TensorProto.FLOAT
    if arr.dtype.kind == "b":
        return TensorProto.BOOL
    return TensorProto.INT64


def make_model(nodes, feeds, outputs, inits=None, opset=13, annotations=None, shuffle=False):
    nodes = list(nodes)
    if shuffle:
        nodes = nodes[::-1]
    ins = [helper.make_tensor_value_info(n, _elem_type(a), np.asarray(a).shape)
           for n, a in feeds.items()]
    outs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs]
    init = [numpy_helper.from_array(np.asarray(v), n) for n, v in (inits or {}).items()]
    graph = helper.make_graph(nodes, "t", ins, outs, init)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", opset), helper.make_opsetid(QONNX, 1),
        helper.make_opsetid(FINN_HW, 1)])
    for name, dt in (annotations or {}).items():
        ann = model.graph.quantization_annotation.add()
        ann.tensor_name = name
        entry = ann.quant_parameter_tensor_names.add()
        entry.key = "finn_datatype"
        entry.value = dt
    return model


def run(nodes, feeds, outputs=("y",), inits=None, opset=13, **kw):
    nodes = nodes if isinstance(nodes, (list, tuple)) else [nodes]
    model = make_model(nodes, feeds, list(outputs), inits, opset)
    return execute(model, feeds, **kw)


def node(op, inputs, outputs=("y",), domain="", name="", **attrs):
    return helper.make_node(op, list(inputs), list(outputs), domain=domain, name=name, **attrs)


def frand(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape).astype(np.float32)


def irand(lo, hi, *shape):
    return RNG.integers(lo, hi + 1, size=shape).astype(np.float32)


# ---------------------------------------------------------------- plain-loop references
def conv2d_ref(x, w, b, strides, pads, dil, group):
    """x (N,C,H,W), w (M,C/g,KH,KW), pads [top, left, bottom, right]."""
    n_, c_, h_, w_ = x.shape
    m_, cg, kh, kw = w.shape
    oh = (h_ + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (w_ + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) // strides[1] + 1
    y = np.zeros((n_, m_, oh, ow))
    mg = m_ // group
    for n in range(n_):
        for m in range(m_):
            g = m // mg
            for oy in range(oh):
                for ox in range(ow):
                    s = 0.0 if b is None else float(b[m])
                    for c in range(cg):
                        for ky in range(kh):
                            for kx in range(kw):
                                iy = oy * strides[0] - pads[0] + ky * dil[0]
                                ix = ox * strides[1] - pads[1] + kx * dil[1]
                                if 0 <= iy < h_ and 0 <= ix < w_:
                                    s += float(x[n, g * cg + c, iy, ix]) * float(w[m, c, ky, kx])
                    y[n, m, oy, ox] = s
    return y


def pool1d_windows(length, k, s, pb, pe, d, ceil_mode):
    """Per output position the list of (index, kind) with kind 'in', 'pad' (explicit padding)
    of the window; windows may not start in the end padding."""
    span = length + pb + pe - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= length + pb:
        out -= 1
    wins = []
    for o in range(out):
        win = []
        for j in range(k):
            p = o * s - pb + j * d
            if 0 <= p < length:
                win.append((p, "in"))
            elif -pb <= p < length + pe:
                win.append((p, "pad"))
        wins.append(win)
    return wins


def pool2d_ref(x, kind, k, s, pads, d, ceil_mode, include_pad=False):
    n_, c_, h_, w_ = x.shape
    wy = pool1d_windows(h_, k[0], s[0], pads[0], pads[2], d[0], ceil_mode)
    wx = pool1d_windows(w_, k[1], s[1], pads[1], pads[3], d[1], ceil_mode)
    y = np.zeros((n_, c_, len(wy), len(wx)))
    for n in range(n_):
        for c in range(c_):
            for oy, win_y in enumerate(wy):
                for ox, win_x in enumerate(wx):
                    vals, count = [], 0
                    for (py, ky) in win_y:
                        for (px, kx) in win_x:
                            if ky == "in" and kx == "in":
                                vals.append(float(x[n, c, py, px]))
                                count += 1
                            elif include_pad:
                                count += 1
                    if kind == "max":
                        y[n, c, oy, ox] = max(vals)
                    else:
                        y[n, c, oy, ox] = sum(vals) / count
    return y


def im2col_ref(x, k, s, d, pads=(0, 0, 0, 0), pad_value=0.0):
    """NHWC -> (N, OH, OW, KH*KW*C), element (ky*KW + kx)*C + c."""
    n_, h_, w_, c_ = x.shape
    oh = (h_ + pads[0] + pads[2] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (w_ + pads[1] + pads[3] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    y = np.zeros((n_, oh, ow, k[0] * k[1] * c_))
    for n in range(n_):
        for oy in range(oh):
            for ox in range(ow):
                for ky in range(k[0]):
                    for kx in range(k[1]):
                        for c in range(c_):
                            iy = oy * s[0] - pads[0] + ky * d[0]
                            ix = ox * s[1] - pads[1] + kx * d[1]
                            v = x[n, iy, ix, c] if 0 <= iy < h_ and 0 <= ix < w_ else pad_value
                            y[n, oy, ox, (ky * k[1] + kx) * c_ + c] = v
    return y


def dws_order_ref(cols, k2, ch, simd):
    """Reorder im2col-ordered windows into the depthwise HW stream order
    (channel fold, kernel position, SIMD lane)."""
    y = np.zeros_like(cols)
    for idx in itertools.product(*[range(d) for d in cols.shape[:-1]]):
        pos = 0
        for cf in range(ch // simd):
            for k in range(k2):
                for s in range(simd):
                    y[idx + (pos,)] = cols[idx + (k * ch + cf * simd + s,)]
                    pos += 1
    return y


def depthwise_ref(x_nhwc, w, k, s, pads=(0, 0, 0, 0)):
    """Depthwise conv on NHWC input, weights (C, 1, KH, KW) -> NHWC."""
    n_, h_, w_, c_ = x_nhwc.shape
    oh = (h_ + pads[0] + pads[2] - k[0]) // s[0] + 1
    ow = (w_ + pads[1] + pads[3] - k[1]) // s[1] + 1
    y = np.zeros((n_, oh, ow, c_))
    for n in range(n_):
        for oy in range(oh):
            for ox in range(ow):
                for c in range(c_):
                    acc = 0.0
                    for ky in range(k[0]):
                        for kx in range(k[1]):
                            iy, ix = oy * s[0] - pads[0] + ky, ox * s[1] - pads[1] + kx
                            if 0 <= iy < h_ and 0 <= ix < w_:
                                acc += float(x_nhwc[n, iy, ix, c]) * float(w[c, 0, ky, kx])
                    y[n, oy, ox, c] = acc
    return y


def count_thresholds(v, row):
    return sum(1 for t in row if v >= t)


def matmul_ref(a, b):
    m, k = a.shape
    k2, n = b.shape
    assert k == k2
    return np.array([[sum(float(a[i, j]) * float(b[j, q]) for j in range(k)) for q in range(n)]
                     for i in range(m)])
