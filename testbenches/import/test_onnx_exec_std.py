"""Unit tests of scripts/qnn_import/onnx_exec.py, the NumPy reference executor of qnn-import: the
graph mechanics (node order, feeds, errors, datatype annotations) and the standard ONNX operators
(onnx_exec_std.py); the QONNX and FINN operators are tested in test_onnx_exec_finn.py.

Every operator runs in a small graph built with onnx.helper and is compared with a reference
written with plain Python loops (onnx_exec_testlib.py; no call into the executor's helpers). Run:

    /usr/bin/python3 -m unittest discover -s testbenches/import -p 'test_*.py'
"""
import itertools
import math
import unittest

import numpy as np
from onnx import TensorProto, numpy_helper

# onnx_exec_testlib first: it puts scripts/qnn_import on sys.path
from onnx_exec_testlib import (FINN_HW, conv2d_ref, frand, make_model, matmul_ref, node,
                               pool2d_ref, run)
import onnx_exec  # noqa: E402
from onnx_exec import ExecError, OPS, datatype_range, execute, tensor_datatypes  # noqa: E402


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


if __name__ == "__main__":
    unittest.main()
