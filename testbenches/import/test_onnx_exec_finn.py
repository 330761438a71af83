"""Unit tests of scripts/qnn_import/onnx_exec.py, the NumPy reference executor of qnn-import: the
QONNX operators and the FINN hardware-layer operators (onnx_exec_finn.py); the graph mechanics
and the standard ONNX operators are tested in test_onnx_exec_std.py.

Every operator runs in a small graph built with onnx.helper and is compared with a reference
written with plain Python loops (onnx_exec_testlib.py and here; no call into the executor's
helpers). Run:

    /usr/bin/python3 -m unittest discover -s testbenches/import -p 'test_*.py'
"""
import itertools
import math
import unittest

import numpy as np

# onnx_exec_testlib first: it puts scripts/qnn_import on sys.path
from onnx_exec_testlib import (FINN_GENERAL, FINN_HW, QONNX, count_thresholds, depthwise_ref,
                               dws_order_ref, frand, im2col_ref, irand, node, pool2d_ref, run)
from onnx_exec import ExecError  # noqa: E402


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
