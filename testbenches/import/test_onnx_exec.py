"""Unit tests of scripts/qnn_import/onnx_exec.py, the NumPy reference executor of qnn-import.

Every operator runs in a small graph built with onnx.helper and is compared with a reference
written here with plain Python loops (no call into the executor's helpers). Run:

    /usr/bin/python3 -m unittest discover -s testbenches/import -p 'test_*.py'
"""
import itertools
import math
import os
import sys
import unittest

import numpy as np
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "qnn_import"))

import onnx_exec  # noqa: E402
from onnx_exec import ExecError, OPS, datatype_range, execute, tensor_datatypes  # noqa: E402

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


# ================================================================= graph mechanics
class TestGraphMechanics(unittest.TestCase):
    def test_unsorted_nodes_run_in_dependency_order(self):
        x = frand(2, 3)
        nodes = [node("Add", ["x", "x"], ["a"]), node("Mul", ["a", "c"], ["b"]),
                 node("Relu", ["b"], ["y"])]
        c = frand(2, 3)
        model = make_model(nodes, {"x": x}, ["y"], {"c": c}, shuffle=True)
        self.assertEqual(model.graph.node[0].op_type, "Relu")   # really unsorted
        y = execute(model, {"x": x})["y"]
        ref = [[max((2.0 * float(x[i, j])) * float(c[i, j]), 0.0) for j in range(3)]
               for i in range(2)]
        np.testing.assert_allclose(y, ref, rtol=1e-12)

    def test_want_all_returns_intermediates_and_initializers(self):
        x = frand(4)
        model = make_model([node("Add", ["x", "c"], ["a"]), node("Sub", ["a", "c"], ["y"])],
                           {"x": x}, ["y"], {"c": frand(4)})
        out = execute(model, {"x": x}, want_all=True)
        self.assertEqual(set(out), {"x", "c", "a", "y"})
        np.testing.assert_allclose(out["y"], x.astype(np.float64), atol=1e-6)

    def test_float_tensors_are_float64(self):
        x = np.array([0.1, 0.2], dtype=np.float32)
        y = run(node("Add", ["x", "x"]), {"x": x})["y"]
        self.assertEqual(y.dtype, np.float64)
        self.assertEqual(y[0], 2 * float(np.float32(0.1)))

    def test_unknown_op_names_the_node(self):
        x = frand(2)
        with self.assertRaises(ExecError) as cm:
            run([node("Relu", ["x"], ["a"]), node("FooBar", ["a"], name="mystery")], {"x": x})
        msg = str(cm.exception)
        self.assertIsInstance(cm.exception, ValueError)
        self.assertIn("node 1 'mystery' (FooBar)", msg)
        self.assertIn("unsupported op type FooBar", msg)
        self.assertNotIn("\n", msg)

    def test_unknown_op_without_name_uses_index_and_type(self):
        with self.assertRaises(ExecError) as cm:
            run(node("Frobnicate", ["x"], domain="acme"), {"x": frand(2)})
        self.assertIn("node 0 (Frobnicate)", str(cm.exception))
        self.assertIn("acme", str(cm.exception))

    def test_missing_initializer(self):
        with self.assertRaises(ExecError) as cm:
            run(node("Mul", ["x", "w"], name="scale"), {"x": frand(2)})
        self.assertIn("'scale' (Mul)", str(cm.exception))
        self.assertIn("'w'", str(cm.exception))

    def test_graph_input_not_fed(self):
        model = make_model([node("Add", ["x", "z"])], {"x": frand(2), "z": frand(2)}, ["y"])
        with self.assertRaises(ExecError) as cm:
            execute(model, {"x": frand(2)})
        self.assertIn("graph input 'z' was not fed", str(cm.exception))

    def test_feed_shape_and_name_checked(self):
        model = make_model([node("Relu", ["x"])], {"x": frand(2, 3)}, ["y"])
        with self.assertRaises(ExecError):
            execute(model, {"x": frand(3, 2)})
        with self.assertRaises(ExecError):
            execute(model, {"x": frand(2, 3), "bogus": frand(1)})

    def test_matmul_shape_mismatch_names_node(self):
        with self.assertRaises(ExecError) as cm:
            run(node("MatMul", ["x", "w"], name="fc1"), {"x": frand(2, 3)}, inits={"w": frand(4, 5)})
        self.assertIn("'fc1' (MatMul)", str(cm.exception))
        self.assertIn("inner dimensions", str(cm.exception))

    def test_numpy_errors_become_exec_errors(self):
        with self.assertRaises(ExecError) as cm:
            run(node("Reshape", ["x", "s"], name="r"), {"x": frand(2, 3)},
                inits={"s": np.array([4, 2], dtype=np.int64)})
        self.assertIn("'r' (Reshape)", str(cm.exception))

    def test_cycle_detected(self):
        nodes = [node("Add", ["x", "b"], ["a"]), node("Relu", ["a"], ["b"]),
                 node("Relu", ["b"], ["y"])]
        with self.assertRaises(ExecError) as cm:
            run(nodes, {"x": frand(2)})
        self.assertIn("cycle", str(cm.exception))

    def test_ops_list_spellings(self):
        for name in ["Conv", "Quant", "IntQuant", "BipolarQuant", "Trunc", "MultiThreshold",
                     "MVAU", "MVAU_hls", "MVAU_rtl", "MatrixVectorActivation",
                     "StreamingFCLayer_Batch", "VVAU_rtl", "Thresholding_Batch",
                     "ConvolutionInputGenerator_rtl", "ConvolutionInputGenerator1D",
                     "FMPadding_Batch", "StreamingMaxPool_Batch", "Pool_Batch",
                     "GlobalAccPool_Batch", "AddStreams_Batch", "DuplicateStreams_Batch",
                     "StreamingConcat", "LabelSelect_Batch", "ChannelwiseOp_Batch",
                     "StreamingDataWidthConverter_Batch", "StreamingFIFO", "Im2Col"]:
            self.assertIn(name, OPS)
        self.assertNotIn("Conv_hls", OPS)
        self.assertEqual(onnx_exec.canonical_op_type("MVAU_hls", FINN_HW + ".hls"), ("MVAU", True))

    def test_tensor_datatypes_and_ranges(self):
        model = make_model([node("Relu", ["x"])], {"x": frand(2)}, ["y"],
                           annotations={"x": "INT4", "y": "UINT2"})
        self.assertEqual(tensor_datatypes(model), {"x": "INT4", "y": "UINT2"})
        self.assertEqual(datatype_range("INT4"), (-8, 7, True))
        self.assertEqual(datatype_range("UINT2"), (0, 3, True))
        self.assertEqual(datatype_range("BIPOLAR"), (-1, 1, True))
        self.assertEqual(datatype_range("BINARY"), (0, 1, True))
        self.assertEqual(datatype_range("TERNARY"), (-1, 1, True))
        self.assertEqual(datatype_range("INT32"), (-2 ** 31, 2 ** 31 - 1, True))
        self.assertEqual(datatype_range("FIXED<8,3>"), (-4.0, 4.0 - 2.0 ** -5, False))
        lo, hi, is_int = datatype_range("FLOAT32")
        self.assertFalse(is_int)
        self.assertGreater(hi, 3e38)
        with self.assertRaises(ValueError):
            datatype_range("INT")

    def test_check_datatypes(self):
        x = np.array([1.0, 5.0], dtype=np.float32)
        model = make_model([node("Relu", ["x"], name="act")], {"x": x}, ["y"],
                           annotations={"y": "UINT2"})
        self.assertEqual(execute(model, {"x": x})["y"].tolist(), [1.0, 5.0])
        with self.assertRaises(ExecError) as cm:
            execute(model, {"x": x}, check_datatypes=True)
        self.assertIn("'act' (Relu)", str(cm.exception))
        self.assertIn("UINT2", str(cm.exception))
        wmodel = make_model([node("Mul", ["x", "w"])], {"x": x}, ["y"],
                            {"w": np.array([1.0, -3.0], np.float32)}, annotations={"w": "INT2"})
        with self.assertRaises(ExecError) as cm:
            execute(wmodel, {"x": x}, check_datatypes=True)
        self.assertIn("initializer: tensor 'w'", str(cm.exception))
        ok = np.array([1.0, 3.0], dtype=np.float32)
        self.assertEqual(execute(model, {"x": ok}, check_datatypes=True)["y"].tolist(), [1.0, 3.0])


# ================================================================= standard ONNX ops
class TestConvAndMatrix(unittest.TestCase):
    def _conv(self, x, w, b=None, **attrs):
        inits = {"w": w}
        ins = ["x", "w"]
        if b is not None:
            inits["b"] = b
            ins.append("b")
        return run(node("Conv", ins, **attrs), {"x": x}, inits=inits)["y"]

    def test_conv_pads_strides_dilations_bias(self):
        x, w, b = frand(2, 3, 7, 6), frand(4, 3, 3, 2), frand(4)
        y = self._conv(x, w, b, pads=[1, 0, 2, 1], strides=[2, 1], dilations=[1, 2])
        np.testing.assert_allclose(y, conv2d_ref(x, w, b, [2, 1], [1, 0, 2, 1], [1, 2], 1),
                                   rtol=1e-10, atol=1e-10)

    def test_conv_groups(self):
        x, w = frand(1, 4, 5, 5), frand(6, 2, 3, 3)
        y = self._conv(x, w, group=2, pads=[1, 1, 1, 1])
        np.testing.assert_allclose(y, conv2d_ref(x, w, None, [1, 1], [1, 1, 1, 1], [1, 1], 2),
                                   rtol=1e-10, atol=1e-10)

    def test_conv_depthwise_group_equals_channels(self):
        x, w = frand(1, 3, 4, 4), frand(3, 1, 2, 2)
        y = self._conv(x, w, group=3)
        np.testing.assert_allclose(y, conv2d_ref(x, w, None, [1, 1], [0, 0, 0, 0], [1, 1], 3),
                                   rtol=1e-10, atol=1e-10)

    def test_conv_auto_pad(self):
        x, w = frand(1, 2, 5, 5), frand(3, 2, 2, 2)
        # SAME with stride 1, kernel 2 on 5 pixels: total pad 1, at the end (UPPER) or start
        y = self._conv(x, w, auto_pad="SAME_UPPER")
        np.testing.assert_allclose(y, conv2d_ref(x, w, None, [1, 1], [0, 0, 1, 1], [1, 1], 1),
                                   rtol=1e-10, atol=1e-10)
        y = self._conv(x, w, auto_pad="SAME_LOWER")
        np.testing.assert_allclose(y, conv2d_ref(x, w, None, [1, 1], [1, 1, 0, 0], [1, 1], 1),
                                   rtol=1e-10, atol=1e-10)
        y = self._conv(x, w, auto_pad="VALID", strides=[2, 2])
        np.testing.assert_allclose(y, conv2d_ref(x, w, None, [2, 2], [0, 0, 0, 0], [1, 1], 1),
                                   rtol=1e-10, atol=1e-10)
        # SAME_UPPER, stride 2, kernel 3 on 5: out 3, total pad 2 -> 1 each side
        w3 = frand(3, 2, 3, 3)
        y = self._conv(x, w3, auto_pad="SAME_UPPER", strides=[2, 2])
        self.assertEqual(y.shape, (1, 3, 3, 3))
        np.testing.assert_allclose(y, conv2d_ref(x, w3, None, [2, 2], [1, 1, 1, 1], [1, 1], 1),
                                   rtol=1e-10, atol=1e-10)

    def test_conv_1d(self):
        x, w, b = frand(1, 2, 9), frand(3, 2, 3), frand(3)
        y = self._conv(x, w, b, pads=[2, 1], strides=[2])
        ref = conv2d_ref(x[:, :, None, :], w[:, :, None, :], b, [1, 2], [0, 2, 0, 1], [1, 1], 1)
        np.testing.assert_allclose(y, ref[:, :, 0, :], rtol=1e-10, atol=1e-10)

    def test_conv_channel_mismatch(self):
        with self.assertRaises(ExecError):
            self._conv(frand(1, 3, 4, 4), frand(2, 2, 3, 3))

    def test_matmul_2d_and_vector(self):
        a, b = frand(3, 4), frand(4, 2)
        y = run(node("MatMul", ["a", "b"]), {"a": a}, inits={"b": b})["y"]
        np.testing.assert_allclose(y, matmul_ref(a, b), rtol=1e-10)
        v = frand(4)
        y = run(node("MatMul", ["v", "b"]), {"v": v}, inits={"b": b})["y"]
        np.testing.assert_allclose(y, matmul_ref(v[None, :], b)[0], rtol=1e-10)

    def test_matmul_batched_broadcast(self):
        a, b = frand(2, 1, 3, 4), frand(5, 4, 2)
        y = run(node("MatMul", ["a", "b"]), {"a": a}, inits={"b": b})["y"]
        self.assertEqual(y.shape, (2, 5, 3, 2))
        for i in range(2):
            for j in range(5):
                np.testing.assert_allclose(y[i, j], matmul_ref(a[i, 0], b[j]), rtol=1e-10)

    def test_gemm_attributes(self):
        a, b = frand(4, 3), frand(5, 4)          # transA: A is K x M; transB: B is N x K
        for c in (frand(5), frand(3, 1), np.array(0.5, dtype=np.float32)):
            y = run(node("Gemm", ["a", "b", "c"], transA=1, transB=1, alpha=0.5, beta=2.0),
                    {"a": a}, inits={"b": b, "c": c})["y"]
            ref = 0.5 * matmul_ref(a.T, b.T) + 2.0 * np.broadcast_to(c, (3, 5))
            np.testing.assert_allclose(y, ref, rtol=1e-10)
        y = run(node("Gemm", ["a2", "b2"]), {"a2": frand(2, 3)}, inits={"b2": frand(3, 2)})["y"]
        self.assertEqual(y.shape, (2, 2))
        with self.assertRaises(ExecError):
            run(node("Gemm", ["a", "b"]), {"a": a}, inits={"b": b})

    def test_elementwise_broadcasting(self):
        a, b = frand(2, 3, 4), frand(3, 1)
        for op, fn in (("Add", lambda p, q: p + q), ("Sub", lambda p, q: p - q),
                       ("Mul", lambda p, q: p * q), ("Div", lambda p, q: p / q)):
            y = run(node(op, ["a", "b"]), {"a": a}, inits={"b": b})["y"]
            for i, j, k in itertools.product(range(2), range(3), range(4)):
                self.assertAlmostEqual(y[i, j, k], fn(float(a[i, j, k]), float(b[j, 0])), 12)
        with self.assertRaises(ExecError):
            run(node("Add", ["a", "c"]), {"a": a}, inits={"c": frand(5)})

    def test_integer_div_truncates(self):
        a = np.array([7, -7, 7, -7], dtype=np.int64)
        b = np.array([2, 2, -2, -2], dtype=np.int64)
        y = run(node("Div", ["a", "b"]), {"a": a}, inits={"b": b})["y"]
        self.assertEqual(y.tolist(), [3, -3, -3, 3])
        self.assertEqual(y.dtype, np.int64)

    def test_batchnorm(self):
        x = frand(2, 3, 2, 2)
        s, bb, m, v = frand(3), frand(3), frand(3), frand(3, lo=0.5, hi=2)
        y = run(node("BatchNormalization", ["x", "s", "bb", "m", "v"], epsilon=1e-3), {"x": x},
                inits={"s": s, "bb": bb, "m": m, "v": v})["y"]
        for n, c, i, j in itertools.product(range(2), range(3), range(2), range(2)):
            eps = float(np.float32(1e-3))                     # attributes are float32
            ref = float(s[c]) * (float(x[n, c, i, j]) - float(m[c])) / math.sqrt(
                float(v[c]) + eps) + float(bb[c])
            self.assertAlmostEqual(y[n, c, i, j], ref, 10)


class TestElementwise(unittest.TestCase):
    def test_unary_ops(self):
        x = np.array([-2.5, -1.5, -0.5, 0.0, 0.4, 0.5, 1.5, 2.5, 3.7], dtype=np.float32)
        cases = {"Relu": lambda v: max(v, 0.0), "Floor": math.floor, "Sign":
                 lambda v: (v > 0) - (v < 0), "Sigmoid": lambda v: 1 / (1 + math.exp(-v)),
                 "Tanh": math.tanh}
        for op, fn in cases.items():
            y = run(node(op, ["x"]), {"x": x})["y"]
            for i, v in enumerate(x):
                self.assertAlmostEqual(y[i], fn(float(v)), 12, op)
        y = run(node("Round", ["x"]), {"x": x})["y"]
        self.assertEqual(y.tolist(), [-2.0, -2.0, -0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 4.0])

    def test_sigmoid_extremes(self):
        y = run(node("Sigmoid", ["x"]), {"x": np.array([-800.0, 800.0], dtype=np.float32)})["y"]
        self.assertEqual(y.tolist(), [0.0, 1.0])

    def test_clip_inputs_and_attributes(self):
        x = frand(10, lo=-3, hi=3)
        y = run(node("Clip", ["x", "lo", "hi"]), {"x": x},
                inits={"lo": np.array(-1, dtype=np.float32), "hi": np.array(0.5, np.float32)})["y"]
        self.assertEqual(y.tolist(), [min(max(float(v), -1.0), 0.5) for v in x])
        y = run(node("Clip", ["x", "", "hi"]), {"x": x},
                inits={"hi": np.array(0.5, np.float32)})["y"]
        self.assertEqual(y.tolist(), [min(float(v), 0.5) for v in x])
        y = run(node("Clip", ["x"], min=-0.25, max=1.0), {"x": x}, opset=6)["y"]
        self.assertEqual(y.tolist(), [min(max(float(v), -0.25), 1.0) for v in x])


class TestPooling(unittest.TestCase):
    def _pool(self, op, x, **attrs):
        return run(node(op, ["x"], **attrs), {"x": x})["y"]

    def test_maxpool_pads_strides_dilations(self):
        x = frand(2, 3, 7, 8)
        y = self._pool("MaxPool", x, kernel_shape=[3, 2], strides=[2, 3], pads=[1, 0, 1, 1],
                       dilations=[1, 2])
        np.testing.assert_array_equal(
            y, pool2d_ref(x, "max", [3, 2], [2, 3], [1, 0, 1, 1], [1, 2], False))

    def test_maxpool_ceil_mode(self):
        x = frand(1, 2, 5, 6)
        y = self._pool("MaxPool", x, kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
        self.assertEqual(y.shape, (1, 2, 3, 3))
        np.testing.assert_array_equal(
            y, pool2d_ref(x, "max", [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], True))
        # hand-checked: last window of the bottom row holds x[4, 4:6] only
        self.assertEqual(y[0, 1, 2, 2], max(float(x[0, 1, 4, 4]), float(x[0, 1, 4, 5])))

    def test_maxpool_ceil_mode_drops_window_starting_in_end_padding(self):
        x = np.array([[[1.0, 5.0, 3.0]]], dtype=np.float32)
        y = self._pool("MaxPool", x, kernel_shape=[1], strides=[2], pads=[0, 1], ceil_mode=1)
        self.assertEqual(y.tolist(), [[[1.0, 3.0]]])   # a third window would start at index 4

    def test_averagepool_count_include_pad(self):
        x = frand(1, 2, 5, 5)
        for include in (0, 1):
            y = self._pool("AveragePool", x, kernel_shape=[3, 3], strides=[2, 2],
                           pads=[1, 1, 1, 1], count_include_pad=include)
            np.testing.assert_allclose(
                y, pool2d_ref(x, "avg", [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], False, include),
                rtol=1e-12)
        # corner window: 4 real values of 9 positions
        y0 = self._pool("AveragePool", x, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
        self.assertAlmostEqual(y0[0, 0, 0, 0], float(np.sum(x[0, 0, :2, :2], dtype=np.float64)) / 4)

    def test_averagepool_ceil_mode(self):
        x = frand(1, 1, 5, 5)
        y = self._pool("AveragePool", x, kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
        np.testing.assert_allclose(
            y, pool2d_ref(x, "avg", [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], True), rtol=1e-12)

    def test_global_pools(self):
        x = frand(2, 3, 4, 5)
        ya = self._pool("GlobalAveragePool", x)
        ym = self._pool("GlobalMaxPool", x)
        self.assertEqual(ya.shape, (2, 3, 1, 1))
        for n, c in itertools.product(range(2), range(3)):
            vals = [float(x[n, c, i, j]) for i in range(4) for j in range(5)]
            self.assertAlmostEqual(ya[n, c, 0, 0], sum(vals) / 20, 12)
            self.assertEqual(ym[n, c, 0, 0], max(vals))


class TestShapeOps(unittest.TestCase):
    def test_flatten(self):
        x = frand(2, 3, 4)
        for axis, shape in ((0, (1, 24)), (1, (2, 12)), (2, (6, 4)), (-1, (6, 4)), (3, (24, 1))):
            y = run(node("Flatten", ["x"], axis=axis), {"x": x})["y"]
            self.assertEqual(y.shape, shape)
            self.assertEqual(y.ravel().tolist(), [float(v) for v in x.ravel()])

    def test_reshape_zero_minus_one_allowzero(self):
        x = frand(2, 3, 4)
        y = run(node("Reshape", ["x", "s"]), {"x": x},
                inits={"s": np.array([0, -1], dtype=np.int64)})["y"]
        self.assertEqual(y.shape, (2, 12))
        y = run(node("Reshape", ["x", "s"]), {"x": x},
                inits={"s": np.array([-1, 0, 2], dtype=np.int64)})["y"]
        self.assertEqual(y.shape, (4, 3, 2))
        z = np.zeros((0, 3), dtype=np.float32)
        y = run(node("Reshape", ["z", "s"], allowzero=1), {"z": z},
                inits={"s": np.array([3, 0], dtype=np.int64)}, opset=14)["y"]
        self.assertEqual(y.shape, (3, 0))

    def test_transpose(self):
        x = frand(2, 3, 4)
        y = run(node("Transpose", ["x"], perm=[1, 2, 0]), {"x": x})["y"]
        for i, j, k in itertools.product(range(2), range(3), range(4)):
            self.assertEqual(y[j, k, i], x[i, j, k])
        y = run(node("Transpose", ["x"]), {"x": x})["y"]
        self.assertEqual(y.shape, (4, 3, 2))

    def test_concat_identity_dropout(self):
        a, b = frand(2, 3), frand(2, 1)
        y = run(node("Concat", ["a", "b"], axis=-1), {"a": a}, inits={"b": b})["y"]
        self.assertEqual(y.tolist(), [list(map(float, a[i])) + [float(b[i, 0])] for i in range(2)])
        self.assertEqual(run(node("Identity", ["a"]), {"a": a})["y"].tolist(), a.tolist())
        out = run(node("Dropout", ["a"], ["y", "m"], ratio=0.5), {"a": a}, outputs=("y", "m"),
                  opset=11)
        self.assertEqual(out["y"].tolist(), a.tolist())
        self.assertTrue(out["m"].all())

    def test_constant_forms(self):
        t = numpy_helper.from_array(np.array([[1.5, 2.0]], dtype=np.float32), "t")
        cases = [({"value": t}, [[1.5, 2.0]]), ({"value_float": 2.5}, 2.5),
                 ({"value_floats": [1.0, -2.0]}, [1.0, -2.0]), ({"value_int": 7}, 7),
                 ({"value_ints": [3, 4]}, [3, 4])]
        for attrs, expect in cases:
            y = run(node("Constant", [], **attrs), {}, opset=13)["y"]
            self.assertEqual(y.tolist(), expect)
        self.assertEqual(run(node("Constant", [], value_ints=[3]), {})["y"].dtype, np.int64)

    def test_squeeze_unsqueeze(self):
        x = frand(1, 3, 1, 2)
        ax = {"ax": np.array([0, -2], dtype=np.int64)}
        self.assertEqual(run(node("Squeeze", ["x", "ax"]), {"x": x}, inits=ax)["y"].shape, (3, 2))
        self.assertEqual(run(node("Squeeze", ["x"]), {"x": x})["y"].shape, (3, 2))
        self.assertEqual(run(node("Squeeze", ["x"], axes=[2]), {"x": x}, opset=11)["y"].shape,
                         (1, 3, 2))
        with self.assertRaises(ExecError):
            run(node("Squeeze", ["x"], axes=[1]), {"x": x}, opset=11)
        v = frand(3, 2)
        y = run(node("Unsqueeze", ["v", "ax"]), {"v": v},
                inits={"ax": np.array([0, 3], dtype=np.int64)})["y"]
        self.assertEqual(y.shape, (1, 3, 2, 1))
        self.assertEqual(run(node("Unsqueeze", ["v"], axes=[-1]), {"v": v}, opset=11)["y"].shape,
                         (3, 2, 1))

    def test_shape_gather_cast(self):
        x = frand(2, 5, 3)
        self.assertEqual(run(node("Shape", ["x"]), {"x": x})["y"].tolist(), [2, 5, 3])
        self.assertEqual(run(node("Shape", ["x"], start=1, end=-1), {"x": x}, opset=15)["y"]
                         .tolist(), [5])
        idx = np.array([[4, -1], [0, 2]], dtype=np.int64)
        y = run(node("Gather", ["x", "i"], axis=1), {"x": x}, inits={"i": idx})["y"]
        self.assertEqual(y.shape, (2, 2, 2, 3))
        for n, a, b, c in itertools.product(range(2), range(2), range(2), range(3)):
            self.assertEqual(y[n, a, b, c], x[n, idx[a, b] % 5, c])
        with self.assertRaises(ExecError):
            run(node("Gather", ["x", "i"]), {"x": x}, inits={"i": np.array([2], np.int64)})
        v = np.array([-1.7, -0.2, 0.1, 2.9, 3.0], dtype=np.float32)
        y = run(node("Cast", ["v"], to=TensorProto.INT32), {"v": v})["y"]
        self.assertEqual(y.tolist(), [-1, 0, 0, 2, 3])
        self.assertEqual(y.dtype, np.int64)
        d = np.array([0.1], dtype=np.float64)
        y = run(node("Cast", ["d"], to=TensorProto.FLOAT), {"d": d.astype(np.float32)})["y"]
        self.assertEqual(y[0], float(np.float32(0.1)))
        y = run(node("Cast", ["v"], to=TensorProto.BOOL), {"v": v})["y"]
        self.assertEqual(y.tolist(), [True, True, True, True, True])

    def test_pad_constant(self):
        x = frand(2, 3)
        y = run(node("Pad", ["x", "p", "v"]), {"x": x},
                inits={"p": np.array([1, 0, 0, 2], np.int64), "v": np.array(9.0, np.float32)})["y"]
        self.assertEqual(y.shape, (3, 5))
        for i, j in itertools.product(range(3), range(5)):
            inside = 1 <= i < 3 and j < 3
            self.assertEqual(y[i, j], float(x[i - 1, j]) if inside else 9.0)
        y = run(node("Pad", ["x"], pads=[0, 1, 0, 1], value=-1.0), {"x": x}, opset=2)["y"]
        self.assertEqual(y[:, 0].tolist(), [-1.0, -1.0])
        y = run(node("Pad", ["x", "p"]), {"x": x}, inits={"p": np.array([0, -1, 0, 0], np.int64)})
        self.assertEqual(y["y"].tolist(), x[:, 1:].tolist())
        y = run(node("Pad", ["x", "p", "", "ax"]), {"x": x}, opset=18,
                inits={"p": np.array([2, 1], np.int64), "ax": np.array([-1], np.int64)})["y"]
        self.assertEqual(y.tolist(), [[0.0, 0.0] + list(map(float, r)) + [0.0] for r in x])
        with self.assertRaises(ExecError):
            run(node("Pad", ["x", "p"], mode="reflect"), {"x": x},
                inits={"p": np.array([0, 1, 0, 1], np.int64)})


class TestReductions(unittest.TestCase):
    def test_argmax(self):
        x = np.array([[1, 3, 3, 0], [2, 2, 1, 5]], dtype=np.float32)
        self.assertEqual(run(node("ArgMax", ["x"], axis=1), {"x": x})["y"].tolist(), [[1], [3]])
        self.assertEqual(run(node("ArgMax", ["x"], axis=1, keepdims=0, select_last_index=1),
                             {"x": x})["y"].tolist(), [2, 3])
        self.assertEqual(run(node("ArgMax", ["x"], keepdims=0), {"x": x})["y"].tolist(),
                         [1, 0, 0, 1])

    def test_topk_ties_and_smallest(self):
        x = np.array([[3, 1, 5, 5, 1, 4]], dtype=np.float32)
        out = run(node("TopK", ["x", "k"], ["v", "i"]), {"x": x}, outputs=("v", "i"),
                  inits={"k": np.array([3], np.int64)})
        self.assertEqual(out["i"].tolist(), [[2, 3, 5]])
        self.assertEqual(out["v"].tolist(), [[5, 5, 4]])
        out = run(node("TopK", ["x", "k"], ["v", "i"], largest=0, axis=1), {"x": x},
                  outputs=("v", "i"), inits={"k": np.array([2], np.int64)})
        self.assertEqual(out["i"].tolist(), [[1, 4]])

    def test_reduce_mean_max(self):
        x = frand(2, 3, 4)
        y = run(node("ReduceMean", ["x"], axes=[0, 2], keepdims=1), {"x": x})["y"]
        self.assertEqual(y.shape, (1, 3, 1))
        for j in range(3):
            vals = [float(x[i, j, k]) for i in range(2) for k in range(4)]
            self.assertAlmostEqual(y[0, j, 0], sum(vals) / 8, 12)
        y = run(node("ReduceMax", ["x"], axes=[-1], keepdims=0), {"x": x})["y"]
        self.assertEqual(y.tolist(), [[max(map(float, x[i, j])) for j in range(3)]
                                      for i in range(2)])
        y = run(node("ReduceMax", ["x"], keepdims=0), {"x": x})["y"]
        self.assertEqual(float(y), float(x.max()))
        y = run(node("ReduceMean", ["x", "ax"], keepdims=0), {"x": x},
                inits={"ax": np.array([1], np.int64)}, opset=18)["y"]
        self.assertAlmostEqual(y[1, 2], sum(float(x[1, j, 2]) for j in range(3)) / 3, 12)

    def test_softmax_axis_and_old_opset(self):
        x = frand(2, 3, 4)
        y = run(node("Softmax", ["x"], axis=1), {"x": x})["y"]
        for i, k in itertools.product(range(2), range(4)):
            den = sum(math.exp(float(x[i, j, k])) for j in range(3))
            for j in range(3):
                self.assertAlmostEqual(y[i, j, k], math.exp(float(x[i, j, k])) / den, 12)
        y = run(node("Softmax", ["x"], axis=1), {"x": x}, opset=11)["y"]   # over 3*4 values
        for i in range(2):
            den = sum(math.exp(float(v)) for v in x[i].ravel())
            self.assertAlmostEqual(y[i, 2, 3], math.exp(float(x[i, 2, 3])) / den, 12)


# ================================================================= QONNX ops
def quant_ref(v, scale, zp, bits, signed, narrow, mode):
    q = v / scale + zp
    lo = (-(2 ** (bits - 1)) + (1 if narrow else 0)) if signed else 0
    hi = (2 ** (bits - 1) - 1) if signed else (2 ** bits - 1 - (1 if narrow else 0))
    q = min(max(q, lo), hi)
    f = math.floor(q)
    frac = q - f
    if mode == "FLOOR":
        r = f
    elif mode == "CEIL":
        r = math.ceil(q)
    elif mode in ("DOWN", "ROUND_TO_ZERO"):
        r = math.trunc(q)
    elif mode == "UP":
        r = math.ceil(q) if q > 0 else math.floor(q)
    elif mode == "HALF_UP":
        r = math.floor(abs(q) + 0.5) * (1 if q >= 0 else -1)
    elif mode == "HALF_DOWN":
        r = math.ceil(abs(q) - 0.5) * (1 if q >= 0 else -1)
    else:   # ROUND: half to even
        r = f + (1 if frac > 0.5 or (frac == 0.5 and f % 2 == 1) else 0)
    return (r - zp) * scale


class TestQonnxOps(unittest.TestCase):
    def _quant(self, x, scale, zp, bits, domain=QONNX, op="Quant", **attrs):
        inits = {"s": np.asarray(scale, np.float32), "z": np.asarray(zp, np.float32),
                 "b": np.asarray(bits, np.float32)}
        return run(node(op, ["x", "s", "z", "b"], domain=domain, **attrs), {"x": x},
                   inits=inits)["y"]

    def test_quant_rounding_modes_match_spec_table(self):
        x = np.array([5.5, 2.5, 1.6, 1.1, 1.0, -1.0, -1.1, -1.6, -2.5, -5.5], dtype=np.float32)
        table = {  # the rounding-mode table of the QONNX Quant spec
            "ROUND": [6, 2, 2, 1, 1, -1, -1, -2, -2, -6],
            "CEIL": [6, 3, 2, 2, 1, -1, -1, -1, -2, -5],
            "FLOOR": [5, 2, 1, 1, 1, -1, -2, -2, -3, -6],
            "UP": [6, 3, 2, 2, 1, -1, -2, -2, -3, -6],
            "DOWN": [5, 2, 1, 1, 1, -1, -1, -1, -2, -5],
            "HALF_UP": [6, 3, 2, 1, 1, -1, -1, -2, -3, -6],
            "HALF_DOWN": [5, 2, 2, 1, 1, -1, -1, -2, -2, -5],
        }
        for mode, expect in table.items():
            for spelling in (mode, mode.lower()):
                y = self._quant(x, 1.0, 0.0, 8, rounding_mode=spelling, signed=1, narrow=0)
                self.assertEqual(y.tolist(), expect, mode)
        y = self._quant(x, 1.0, 0.0, 8, rounding_mode="ROUND_TO_ZERO")
        self.assertEqual(y.tolist(), table["DOWN"])

    def test_quant_clamp_signed_narrow_unsigned(self):
        x = frand(64, lo=-6, hi=6)
        for signed, narrow in itertools.product((0, 1), (0, 1)):
            for mode in ("ROUND", "FLOOR", "CEIL", "HALF_UP"):
                y = self._quant(x, 0.5, 1.0, 3, signed=signed, narrow=narrow, rounding_mode=mode)
                ref = [quant_ref(float(v), 0.5, 1.0, 3, signed, narrow, mode) for v in x]
                self.assertEqual(y.tolist(), ref, (signed, narrow, mode))
        y = self._quant(np.array([-9, 9], np.float32), 1.0, 0.0, 4, signed=1, narrow=1)
        self.assertEqual(y.tolist(), [-7.0, 7.0])
        y = self._quant(np.array([-9, 300], np.float32), 1.0, 0.0, 8, signed=0, narrow=1)
        self.assertEqual(y.tolist(), [0.0, 254.0])

    def test_quant_channelwise_scale_and_domains(self):
        x = frand(1, 3, 2, 2, lo=-4, hi=4)
        scale = np.array([0.25, 0.5, 1.0], np.float32).reshape(1, 3, 1, 1)
        for domain, op in ((QONNX, "Quant"), (FINN_GENERAL, "Quant"), (QONNX, "IntQuant")):
            y = self._quant(x, scale, 0.0, 4, domain=domain, op=op, signed=1, narrow=0)
            for c, i, j in itertools.product(range(3), range(2), range(2)):
                self.assertEqual(y[0, c, i, j], quant_ref(float(x[0, c, i, j]),
                                                          float(scale.ravel()[c]), 0.0, 4, 1, 0,
                                                          "ROUND"))

    def test_quant_one_bit_signed_is_bipolar(self):
        y = self._quant(np.array([-0.3, 0.0, 0.7], np.float32), 2.0, 0.0, 1, signed=1)
        self.assertEqual(y.tolist(), [-2.0, 2.0, 2.0])

    def test_quant_bad_bitwidth(self):
        with self.assertRaises(ExecError):
            self._quant(frand(3), 1.0, 0.0, 2.5)

    def test_bipolar_quant(self):
        x = np.array([-1.5, -0.0, 0.0, 0.2, 3.0], dtype=np.float32)
        y = run(node("BipolarQuant", ["x", "s"], domain=QONNX), {"x": x},
                inits={"s": np.array(0.5, np.float32)})["y"]
        self.assertEqual(y.tolist(), [-0.5, 0.5, 0.5, 0.5, 0.5])

    def test_trunc_v1_five_inputs(self):
        x = irand(-128, 127, 40) * 0.25          # INT8 values at scale 0.25
        inits = {"s": np.array(0.25, np.float32), "z": np.array(0.0, np.float32),
                 "ib": np.array(8, np.float32), "ob": np.array(4, np.float32)}
        for mode in ("FLOOR", "ROUND", "CEIL"):
            attrs = {} if mode == "FLOOR" else {"rounding_mode": mode}   # FLOOR is the default
            y = run(node("Trunc", ["x", "s", "z", "ib", "ob"], domain=QONNX, **attrs), {"x": x},
                    inits=inits)["y"]
            for i, v in enumerate(x):
                q = round(float(v) / 0.25) / 16.0
                r = {"FLOOR": math.floor(q), "CEIL": math.ceil(q),
                     "ROUND": quant_ref(q, 1.0, 0.0, 30, 1, 0, "ROUND")}[mode]
                self.assertEqual(y[i], r * 0.25, (mode, float(v)))

    def test_trunc_v2_clamps_and_rescales(self):
        x = irand(-128, 127, 40) * 0.5
        base = {"s": np.array(0.5, np.float32), "z": np.array(0.0, np.float32),
                "ib": np.array(8, np.float32), "os": np.array(4.0, np.float32),
                "oz": np.array(0.0, np.float32), "ob": np.array(3, np.float32)}
        for signed, narrow in ((1, 0), (1, 1), (0, 0)):
            for inputs in (["x", "s", "z", "ib", "os", "ob"], ["x", "s", "z", "ib", "os", "oz", "ob"]):
                y = run(node("Trunc", inputs, domain=QONNX, signed=signed, narrow=narrow),
                        {"x": x}, inits={k: base[k] for k in inputs[1:]})["y"]
                lo = (-4 + narrow) if signed else 0
                hi = 3 if signed else 7
                for i, v in enumerate(x):
                    q = min(max(round(float(v) / 0.5) / 8.0, lo), hi)
                    self.assertEqual(y[i], math.floor(q) * 4.0, (signed, narrow, float(v)))

    def test_multithreshold_layouts(self):
        thr = np.sort(frand(3, 4, lo=-1, hi=1), axis=1)
        x = irand(-2, 2, 2, 3, 2, 2) * 0.5
        x[0, 0, 0, 0] = thr[0, 1]                         # equality counts (x >= t)
        y = run(node("MultiThreshold", ["x", "t"], domain=QONNX, out_scale=2.0, out_bias=-3.0),
                {"x": x}, inits={"t": thr})["y"]
        for n, c, i, j in itertools.product(range(2), range(3), range(2), range(2)):
            self.assertEqual(y[n, c, i, j], 2.0 * count_thresholds(x[n, c, i, j], thr[c]) - 3.0)
        self.assertEqual(y[0, 0, 0, 0], 2.0 * 2 - 3.0)
        xh = np.transpose(x, (0, 2, 3, 1)).copy()
        yh = run(node("MultiThreshold", ["x", "t"], domain=FINN_GENERAL, data_layout="NHWC"),
                 {"x": xh}, inits={"t": thr})["y"]
        for n, i, j, c in itertools.product(range(2), range(2), range(2), range(3)):
            self.assertEqual(yh[n, i, j, c], count_thresholds(xh[n, i, j, c], thr[c]))

    def test_multithreshold_2d_3d_and_global(self):
        thr = np.array([[0.0, 1.0, 2.0]], np.float32)        # one row for every channel
        x = irand(-1, 3, 4, 5)
        y = run(node("MultiThreshold", ["x", "t"], domain=QONNX), {"x": x}, inits={"t": thr})["y"]
        self.assertEqual(y.tolist(), [[count_thresholds(v, thr[0]) for v in row] for row in x])
        thr3 = np.sort(frand(5, 2), axis=1)
        x3 = frand(2, 3, 5)                                   # rank 3: channels last
        y = run(node("MultiThreshold", ["x", "t"], domain=QONNX), {"x": x3},
                inits={"t": thr3})["y"]
        for a, b, c in itertools.product(range(2), range(3), range(5)):
            self.assertEqual(y[a, b, c], count_thresholds(x3[a, b, c], thr3[c]))
        with self.assertRaises(ExecError):
            run(node("MultiThreshold", ["x", "t"], domain=QONNX), {"x": x},
                inits={"t": np.zeros((3, 2), np.float32)})

    def test_im2col(self):
        x = irand(-8, 7, 1, 5, 6, 3)
        for k, s, d, p, pv in (([3, 3], [1, 1], [1, 1], [0, 0, 0, 0], 0),
                               ([3, 2], [2, 1], [1, 2], [1, 0, 2, 1], -1),
                               ([2, 2], [2, 2], [1, 1], [1, 1, 1, 1], 0)):
            y = run(node("Im2Col", ["x"], domain=QONNX, kernel_size=k, stride=s, dilations=d,
                         pad_amount=p, pad_value=pv, input_shape="(1,5,6,3)"), {"x": x})["y"]
            np.testing.assert_array_equal(y, im2col_ref(x, k, s, d, p, pv))
        y = run(node("Im2Col", ["x"], domain=FINN_GENERAL, kernel_size=2, stride=1,
                     pad_amount=1, input_shape="(1,5,6,3)"), {"x": x})["y"]
        np.testing.assert_array_equal(y, im2col_ref(x, [2, 2], [1, 1], [1, 1], [1, 1, 1, 1]))

    def test_xnor_popcount_matmul(self):
        a, b = irand(0, 1, 3, 7), irand(0, 1, 7, 4)
        y = run(node("XnorPopcountMatMul", ["a", "b"], domain=QONNX), {"a": a},
                inits={"b": b})["y"]
        for i, j in itertools.product(range(3), range(4)):
            self.assertEqual(y[i, j], sum(1 for k in range(7) if a[i, k] == b[k, j]))

    def test_maxpool_nhwc(self):
        x = frand(1, 5, 5, 2)
        y = run(node("MaxPoolNHWC", ["x"], domain=QONNX, kernel_shape=[2, 2], strides=[2, 2],
                     pads=[0, 0, 1, 1]), {"x": x})["y"]
        ref = pool2d_ref(np.transpose(x, (0, 3, 1, 2)), "max", [2, 2], [2, 2], [0, 0, 1, 1],
                         [1, 1], False)
        np.testing.assert_array_equal(y, np.transpose(ref, (0, 2, 3, 1)))


# ================================================================= FINN HW ops
def hw(op, inputs, outputs=("y",), **attrs):
    domain = FINN_HW + (".hls" if op.endswith("_hls") else ".rtl" if op.endswith("_rtl") else "")
    return node(op, inputs, outputs, domain=domain, backend="fpgadataflow", **attrs)


class TestFinnMatrixOps(unittest.TestCase):
    def _mvau_ref(self, x2d, w, thr=None, actval=0, bipolar_out=False, xnor=False):
        rows = []
        for r in x2d:
            out = []
            for h in range(w.shape[1]):
                if xnor:
                    acc = sum(1 for k in range(w.shape[0]) if r[k] == w[k, h])
                else:
                    acc = sum(int(r[k]) * int(w[k, h]) for k in range(w.shape[0]))
                if thr is not None:
                    cnt = count_thresholds(acc, thr[h if thr.shape[0] > 1 else 0])
                    acc = 2 * cnt - 1 if bipolar_out else cnt + actval
                out.append(acc)
            rows.append(out)
        return np.array(rows, dtype=np.float64)

    def test_mvau_thresholds_actval_and_folding(self):
        x, w = irand(-8, 7, 3, 8), irand(-2, 1, 8, 4)
        thr = np.sort(irand(-20, 20, 4, 7), axis=1)
        ref = self._mvau_ref(x, w, thr, actval=-4)
        for op, pe, simd in (("MVAU", 1, 1), ("MVAU_hls", 2, 4), ("MVAU_rtl", 4, 8),
                             ("MatrixVectorActivation", 4, 2), ("StreamingFCLayer_Batch", 1, 8)):
            y = run(hw(op, ["x", "w", "t"], MW=8, MH=4, PE=pe, SIMD=simd, ActVal=-4,
                       inputDataType="INT4", weightDataType="INT2", outputDataType="INT3",
                       noActivation=0, numInputVectors=[3]), {"x": x},
                    inits={"w": w, "t": thr})["y"]
            np.testing.assert_array_equal(y, ref, op)

    def test_mvau_no_activation_4d(self):
        x, w = irand(0, 3, 1, 2, 2, 6), irand(-4, 3, 6, 5)
        y = run(hw("MVAU", ["x", "w"], MW=6, MH=5, PE=1, SIMD=1, noActivation=1,
                   inputDataType="UINT2", weightDataType="INT3", outputDataType="INT32"),
                {"x": x}, inits={"w": w})["y"]
        self.assertEqual(y.shape, (1, 2, 2, 5))
        np.testing.assert_array_equal(y.reshape(4, 5), self._mvau_ref(x.reshape(4, 6), w))

    def test_mvau_binary_xnor_mode(self):
        x, w = irand(0, 1, 4, 16), irand(0, 1, 16, 6)
        thr = np.sort(irand(0, 16, 6, 1), axis=1)
        y = run(hw("MVAU", ["x", "w", "t"], MW=16, MH=6, PE=2, SIMD=4, binaryXnorMode=1,
                   noActivation=0, inputDataType="BINARY", weightDataType="BINARY",
                   outputDataType="BIPOLAR"), {"x": x}, inits={"w": w, "t": thr})["y"]
        np.testing.assert_array_equal(y, self._mvau_ref(x, w, thr, bipolar_out=True, xnor=True))
        y = run(hw("MVAU", ["x", "w"], MW=16, MH=6, PE=1, SIMD=1, binaryXnorMode=1,
                   noActivation=1, inputDataType="BINARY", weightDataType="BINARY",
                   outputDataType="UINT5"), {"x": x}, inits={"w": w})["y"]
        np.testing.assert_array_equal(y, self._mvau_ref(x, w, xnor=True))
        with self.assertRaises(ExecError):
            run(hw("MVAU", ["x", "w"], MW=16, MH=6, binaryXnorMode=1, noActivation=1),
                {"x": x * 2 - 1}, inits={"w": w})

    def test_mvau_bipolar_datatypes_use_popcount(self):
        x, w = irand(0, 1, 2, 9) * 2 - 1, irand(0, 1, 9, 3) * 2 - 1
        y = run(hw("MVAU", ["x", "w"], MW=9, MH=3, noActivation=1, inputDataType="BIPOLAR",
                   weightDataType="BIPOLAR", outputDataType="UINT4"), {"x": x},
                inits={"w": w})["y"]
        np.testing.assert_array_equal(y, self._mvau_ref(x, w, xnor=True))

    def test_mvau_accumulation_is_exact(self):
        # 16-bit operands, 64 terms: sums need ~37 bits, beyond float32 but exact here
        x = irand(-32768, 32767, 2, 64).astype(np.int64)
        w = irand(-32768, 32767, 64, 3).astype(np.int64)
        y = run(hw("MVAU", ["x", "w"], MW=64, MH=3, noActivation=1, inputDataType="INT16",
                   weightDataType="INT16", outputDataType="INT64"),
                {"x": x.astype(np.float32)}, inits={"w": w.astype(np.float32)})["y"]
        for i, j in itertools.product(range(2), range(3)):
            self.assertEqual(int(y[i, j]), sum(int(x[i, k]) * int(w[k, j]) for k in range(64)))

    def test_mvau_shape_errors(self):
        with self.assertRaises(ExecError) as cm:
            run(hw("MVAU", ["x", "w"], MW=7, MH=4, noActivation=1), {"x": irand(0, 1, 1, 8)},
                inits={"w": irand(0, 1, 8, 4)})
        self.assertIn("MW=7", str(cm.exception))
        with self.assertRaises(ExecError):
            run(hw("MVAU", ["x", "w"], MW=8, MH=4, noActivation=0), {"x": irand(0, 1, 1, 8)},
                inits={"w": irand(0, 1, 8, 4)})

    def test_vvau_after_im2col_matches_depthwise_conv(self):
        x = irand(-4, 3, 1, 5, 5, 4)
        w = irand(-2, 1, 4, 1, 3, 3)
        thr = np.sort(irand(-10, 10, 4, 3), axis=1)
        nodes = [node("Im2Col", ["x"], ["c"], domain=QONNX, kernel_size=[3, 3], stride=[1, 1],
                      pad_amount=[1, 1, 1, 1], input_shape="(1,5,5,4)"),
                 hw("VVAU", ["c", "w"], ["acc"], PE=2, SIMD=3, Channels=4, Kernel=[3, 3],
                    Dim=[5, 5], noActivation=1, inputDataType="INT3", weightDataType="INT2",
                    outputDataType="INT32"),
                 hw("VVAU", ["c", "w", "t"], ["y"], PE=4, Channels=4, Kernel=[3, 3], Dim=[5, 5],
                    noActivation=0, ActVal=-1, inputDataType="INT3", weightDataType="INT2",
                    outputDataType="INT2")]
        out = run(nodes, {"x": x}, outputs=("acc", "y"), inits={"w": w, "t": thr})
        ref = depthwise_ref(x, w, [3, 3], [1, 1], [1, 1, 1, 1])
        np.testing.assert_array_equal(out["acc"], ref)
        for i, j, c in itertools.product(range(5), range(5), range(4)):
            self.assertEqual(out["y"][0, i, j, c], count_thresholds(ref[0, i, j, c], thr[c]) - 1)

    def test_vvau_after_depthwise_hw_swg_stream_order(self):
        x = irand(-4, 3, 1, 6, 6, 4)
        w = irand(-2, 1, 4, 1, 2, 2)
        for op in ("ConvolutionInputGenerator_hls", "ConvolutionInputGenerator_rtl"):
            nodes = [hw(op, ["x"], ["c"], ConvKernelDim=[2, 2], IFMChannels=4, IFMDim=[6, 6],
                        OFMDim=[3, 3], SIMD=2, Stride=[2, 2], Dilation=[1, 1], depthwise=1,
                        inputDataType="INT3", outputDataType="INT3"),
                     hw("StreamingFIFO", ["c"], ["f"], depth=32),
                     hw("VVAU_hls", ["f", "w"], PE=2, Channels=4, Kernel=[2, 2], Dim=[3, 3],
                        noActivation=1, inputDataType="INT3", weightDataType="INT2",
                        outputDataType="INT32")]
            out = run(nodes, {"x": x}, outputs=("c", "y"), inits={"w": w})
            cols = im2col_ref(x, [2, 2], [2, 2], [1, 1])
            np.testing.assert_array_equal(out["c"], dws_order_ref(cols, 4, 4, 2))
            np.testing.assert_array_equal(out["y"], depthwise_ref(x, w, [2, 2], [2, 2]))

    def test_vvau_bipolar_and_xnor(self):
        x = irand(0, 1, 1, 4, 4, 2) * 2 - 1
        w = irand(0, 1, 2, 1, 3, 3) * 2 - 1
        nodes = [node("Im2Col", ["x"], ["c"], domain=QONNX, kernel_size=[3, 3], stride=[1, 1],
                      input_shape="(1,4,4,2)"),
                 hw("VVAU", ["c", "w"], PE=1, Channels=2, Kernel=[3, 3], Dim=[2, 2],
                    noActivation=1, inputDataType="BIPOLAR", weightDataType="BIPOLAR",
                    outputDataType="UINT4")]
        y = run(nodes, {"x": x}, inits={"w": w})["y"]
        for i, j, c in itertools.product(range(2), range(2), range(2)):
            agree = sum(1 for ky in range(3) for kx in range(3)
                        if x[0, i + ky, j + kx, c] == w[c, 0, ky, kx])
            self.assertEqual(y[0, i, j, c], agree)
        nodes[1] = hw("VVAU", ["c", "w"], PE=1, Channels=2, Kernel=[3, 3], Dim=[2, 2],
                      noActivation=1, binaryXnorMode=1, inputDataType="BINARY",
                      weightDataType="BINARY", outputDataType="UINT4")
        y2 = run(nodes, {"x": (x + 1) / 2}, inits={"w": (w + 1) / 2})["y"]
        np.testing.assert_array_equal(y2, y)

    def test_vvau_bad_weights(self):
        with self.assertRaises(ExecError):
            run(hw("VVAU", ["c", "w"], Channels=2, Kernel=[3, 3], noActivation=1),
                {"c": irand(0, 1, 1, 2, 2, 18)}, inits={"w": irand(0, 1, 2, 3, 3)})


class TestFinnStreamOps(unittest.TestCase):
    def test_swg_generic_and_hls_im2col_order(self):
        x = irand(-8, 7, 1, 7, 6, 3)
        ref = im2col_ref(x, [3, 2], [2, 1], [1, 2])
        for op, dw in (("ConvolutionInputGenerator", 0), ("ConvolutionInputGenerator", 1),
                       ("ConvolutionInputGenerator_hls", 0), ("ConvolutionInputGenerator_rtl", 0)):
            y = run(hw(op, ["x"], ConvKernelDim=[3, 2], IFMChannels=3, IFMDim=[7, 6],
                       OFMDim=[3, 4], SIMD=3, Stride=[2, 1], Dilation=[1, 2], depthwise=dw),
                    {"x": x})["y"]
            np.testing.assert_array_equal(y, ref, op)

    def test_swg_older_int_attributes_and_1d(self):
        x = irand(0, 3, 1, 5, 5, 2)
        y = run(hw("ConvolutionInputGenerator", ["x"], ConvKernelDim=3, IFMChannels=2, IFMDim=5,
                   OFMDim=3, SIMD=2, Stride=1), {"x": x})["y"]
        np.testing.assert_array_equal(y, im2col_ref(x, [3, 3], [1, 1], [1, 1]))
        x1 = irand(0, 3, 1, 1, 9, 4)
        y = run(hw("ConvolutionInputGenerator1D", ["x"], ConvKernelDim=[1, 3], IFMChannels=4,
                   IFMDim=[1, 9], OFMDim=[1, 4], SIMD=2, Stride=[1, 2], Dilation=[1, 1],
                   depthwise=1), {"x": x1})["y"]
        cols = im2col_ref(x1, [1, 3], [1, 2], [1, 1])
        np.testing.assert_array_equal(y, dws_order_ref(cols, 3, 4, 2))

    def test_swg_attribute_mismatch(self):
        with self.assertRaises(ExecError) as cm:
            run(hw("ConvolutionInputGenerator", ["x"], name="swg", ConvKernelDim=[3, 3],
                   IFMChannels=2, IFMDim=[6, 6], SIMD=1), {"x": irand(0, 1, 1, 5, 5, 2)})
        self.assertIn("'swg'", str(cm.exception))

    def test_thresholding(self):
        x = irand(-10, 10, 1, 3, 3, 4)
        thr = np.sort(irand(-8, 8, 4, 3), axis=1)
        for op in ("Thresholding", "Thresholding_Batch", "Thresholding_hls", "Thresholding_rtl"):
            y = run(hw(op, ["x", "t"], NumChannels=4, PE=2, numSteps=3, ActVal=-2,
                       inputDataType="INT5", weightDataType="INT5", outputDataType="INT2",
                       numInputVectors=[1, 3, 3]), {"x": x}, inits={"t": thr})["y"]
            for i, j, c in itertools.product(range(3), range(3), range(4)):
                self.assertEqual(y[0, i, j, c], count_thresholds(x[0, i, j, c], thr[c]) - 2, op)
        y = run(hw("Thresholding", ["x", "t"], NumChannels=4, numSteps=1, ActVal=0,
                   outputDataType="BIPOLAR"), {"x": x}, inits={"t": np.zeros((1, 1), np.float32)})
        self.assertEqual(y["y"].ravel().tolist(), [1.0 if v >= 0 else -1.0 for v in x.ravel()])
        with self.assertRaises(ExecError):
            run(hw("Thresholding", ["x", "t"], NumChannels=4, numSteps=2), {"x": x},
                inits={"t": thr})

    def test_fmpadding_attribute_order(self):
        x = irand(0, 9, 1, 3, 4, 2)
        y = run(hw("FMPadding", ["x"], ImgDim=[3, 4], Padding=[1, 2, 0, 3], NumChannels=2,
                   SIMD=1), {"x": x})["y"]
        self.assertEqual(y.shape, (1, 4, 9, 2))
        for i, j, c in itertools.product(range(4), range(9), range(2)):
            inside = 1 <= i < 4 and 2 <= j < 6
            self.assertEqual(y[0, i, j, c], x[0, i - 1, j - 2, c] if inside else 0.0)
        for style, top in ((2, 2), (1, 1)):                  # older total padding, odd amount
            y = run(hw("FMPadding_Batch", ["x"], ImgDim=3, Padding=3, PaddingStyle=style,
                       NumChannels=2), {"x": x})["y"]
            self.assertEqual(y.shape, (1, 6, 7, 2))
            self.assertEqual(y[0, top, top].tolist(), x[0, 0, 0].tolist())
            self.assertEqual(y[0, top - 1].sum(), 0.0)

    def test_streaming_maxpool(self):
        x = frand(1, 4, 6, 3)
        y = run(hw("StreamingMaxPool_Batch", ["x"], ImgDim=[4, 6], PoolDim=[2, 2],
                   NumChannels=3), {"x": x})["y"]
        for i, j, c in itertools.product(range(2), range(3), range(3)):
            self.assertEqual(y[0, i, j, c], max(float(x[0, 2 * i + a, 2 * j + b, c])
                                                for a in range(2) for b in range(2)))
        x1 = frand(1, 1, 5, 2)
        y = run(hw("StreamingMaxPool_hls", ["x"], ImgDim=[1, 5], PoolDim=[1, 2], NumChannels=2,
                   CeilMode=1), {"x": x1})["y"]
        self.assertEqual(y.shape, (1, 1, 3, 2))
        self.assertEqual(y[0, 0, 2].tolist(), [float(v) for v in x1[0, 0, 4]])

    def test_pool_max_quantavg_acc(self):
        x = irand(0, 15, 1, 4, 4, 2)
        k = [2, 2]
        cols = [node("Im2Col", ["x"], ["c"], domain=QONNX, kernel_size=k, stride=[2, 2],
                     input_shape="(1,4,4,2)")]
        win = [[[[float(x[0, 2 * i + a, 2 * j + b, c]) for a in range(2) for b in range(2)]
                 for c in range(2)] for j in range(2)] for i in range(2)]
        for fn, ref in (("MaxPool", lambda v: max(v)), ("AccPool", lambda v: sum(v)),
                        ("QuantAvgPool", lambda v: int(sum(v)) >> 2)):   # bitlen(15*4)=6, 6-4=2
            y = run(cols + [hw("Pool_Batch", ["c"], Channels=2, PE=1, KernelSize=k,
                               Function=fn, OutImgDims=[2, 2], InputDataType="UINT4",
                               OutputDataType="UINT4")], {"x": x})["y"]
            for i, j, c in itertools.product(range(2), range(2), range(2)):
                self.assertEqual(y[0, i, j, c], ref(win[i][j][c]), fn)
        # same values when the windows come from a depthwise HW generator in stream order
        swg = hw("ConvolutionInputGenerator_rtl", ["x"], ["c"], ConvKernelDim=k, IFMChannels=2,
                 IFMDim=[4, 4], OFMDim=[2, 2], SIMD=1, Stride=[2, 2], Dilation=[1, 1],
                 depthwise=1)
        y = run([swg, hw("Pool_hls", ["c"], Channels=2, PE=1, KernelSize=k, Function="MaxPool",
                         OutImgDims=[2, 2])], {"x": x})["y"]
        for i, j, c in itertools.product(range(2), range(2), range(2)):
            self.assertEqual(y[0, i, j, c], max(win[i][j][c]))

    def test_global_acc_pool(self):
        x = irand(-3, 3, 1, 3, 4, 5)
        y = run(hw("GlobalAccPool_Batch", ["x"], NumChannels=5, PE=1,
                   numInputVectors=[1, 3, 4]), {"x": x})["y"]
        self.assertEqual(y.shape, (1, 1, 1, 5))
        for c in range(5):
            self.assertEqual(y[0, 0, 0, c], sum(float(x[0, i, j, c]) for i in range(3)
                                                for j in range(4)))

    def test_add_duplicate_concat_split(self):
        a, b = irand(-5, 5, 1, 2, 2, 3), irand(-5, 5, 1, 2, 2, 3)
        y = run(hw("AddStreams_Batch", ["a", "b"], NumChannels=3, PE=1), {"a": a, "b": b})["y"]
        self.assertEqual(y.tolist(), (a.astype(np.float64) + b).tolist())
        with self.assertRaises(ExecError):
            run(hw("AddStreams", ["a", "b"]), {"a": a, "b": irand(0, 1, 1, 2, 2, 1)})
        out = run(hw("DuplicateStreams_Batch", ["a"], ["p", "q"], NumChannels=3,
                     NumOutputStreams=2), {"a": a}, outputs=("p", "q"))
        self.assertEqual(out["p"].tolist(), a.tolist())
        self.assertEqual(out["q"].tolist(), a.tolist())
        c = irand(-5, 5, 1, 2, 2, 1)
        y = run(hw("StreamingConcat", ["a", "c"], ChannelsPerStream=[3, 1], SIMD=1),
                {"a": a, "c": c})["y"]
        for i, j in itertools.product(range(2), range(2)):
            self.assertEqual(y[0, i, j].tolist(), a[0, i, j].tolist() + c[0, i, j].tolist())
        out = run(hw("StreamingSplit", ["y0"], ["s", "t"], ChannelsPerStream=[1, 3], SIMD=1),
                  {"y0": np.concatenate([c, a], axis=-1)}, outputs=("s", "t"))
        self.assertEqual(out["t"].tolist(), a.tolist())

    def test_label_select_ties(self):
        x = np.array([[3, 7, 7, 1, 7, 2]], np.float32)
        y = run(hw("LabelSelect_Batch", ["x"], Labels=6, PE=2, K=3, inputDataType="UINT3",
                   outputDataType="UINT8"), {"x": x})["y"]
        self.assertEqual(y.tolist(), [[1.0, 2.0, 4.0]])     # equal values: lower index first
        y = run(hw("LabelSelect_hls", ["x"], Labels=6, K=4), {"x": x})["y"]
        self.assertEqual(y.tolist(), [[1.0, 2.0, 4.0, 0.0]])

    def test_channelwise_op(self):
        x = irand(-4, 4, 1, 2, 2, 3)
        p = np.array([-1, 0, 2], np.float32)
        fns = {"add": lambda v, q: v + q, "mul": lambda v, q: v * q,
               "cmp_le": lambda v, q: 1.0 if v <= q else 0.0,
               "cmp_ge": lambda v, q: 1.0 if v >= q else 0.0}
        for fn, ref in fns.items():
            y = run(hw("ChannelwiseOp_Batch", ["x", "p"], Func=fn, NumChannels=3, PE=1),
                    {"x": x}, inits={"p": p})["y"]
            for i, j, c in itertools.product(range(2), range(2), range(3)):
                self.assertEqual(y[0, i, j, c], ref(float(x[0, i, j, c]), float(p[c])), fn)

    def test_passthrough_ops(self):
        x = frand(1, 2, 2, 4)
        for op in ("StreamingDataWidthConverter_Batch", "StreamingDataWidthConverter_rtl",
                   "StreamingFIFO", "StreamingFIFO_rtl"):
            y = run(hw(op, ["x"], inWidth=8, outWidth=16), {"x": x})["y"]
            self.assertEqual(y.tolist(), x.tolist())


if __name__ == "__main__":
    unittest.main()
