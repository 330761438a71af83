"""qnn-import's QONNX front end: every test model imports, runs bit-true with --check, and the
simulator's outputs equal the model's own execution (onnx_exec.py) on every test input; malformed
and inexact models are refused with one line naming the node."""
import io
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import onnx
from onnx import helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "qnn_import"))
sys.path.insert(0, HERE)

import cli  # noqa: E402
import qonnx_front  # noqa: E402
import qonnx_graphs as qg  # noqa: E402

SIM = cli.find_sim(None)


def run_cli(args):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli.run(args)
    return rc, out.getvalue(), err.getvalue()


class Tmp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="qnn_import_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def save(self, model, name):
        path = os.path.join(self.dir, name + ".onnx")
        onnx.save(model, path)
        return path


@unittest.skipIf(SIM is None, "needs the sim binary (build/sim or $QSIM_SIM)")
class ImportedModelsRunBitTrue(Tmp):
    def check_model(self, name):
        path = self.save(qg.MODELS[name](), name)
        rc, out, err = run_cli([path, "--out", self.dir, "--samples", "6", "--verify"])
        self.assertEqual(rc, 0, f"{name}: {out}\n{err}")
        self.assertIn("expect", out)
        self.assertIn("PASS", out)
        want = np.load(os.path.join(self.dir, name + ".expect.npy"))
        self.assertEqual(want.shape[0], 6)

    def test_mlp(self):
        self.check_model("mlp")

    def test_cnn(self):
        self.check_model("cnn")

    def test_residual(self):
        self.check_model("residual")

    def test_depthwise(self):
        self.check_model("depthwise")

    def test_conv1d(self):
        self.check_model("conv1d")

    def test_tfc(self):
        self.check_model("tfc")

    def test_nhwc(self):
        self.check_model("nhwc")

    def test_misc(self):
        self.check_model("misc")

    def test_requant(self):
        self.check_model("requant")


@unittest.skipIf(SIM is None, "needs the sim binary (build/sim or $QSIM_SIM)")
class FoldingFile(Tmp):
    def test_the_file_folding_is_the_design_folding(self):
        folding = os.path.join(self.dir, "folding_config.json")
        with open(folding, "w") as f:
            f.write('{"Defaults": {}, "Conv_0": {"PE": 4, "SIMD": 3, "ram_style": "block"}, '
                    '"Conv_1": {"PE": 2, "SIMD": 8}, "Gemm_0": {"PE": 5, "SIMD": 4}}\n')
        path = self.save(qg.cnn(), "cnn")
        rc, out, err = run_cli([path, "--out", self.dir, "--folding", folding, "--verify"])
        self.assertEqual(rc, 0, out + err)
        self.assertIn("ram_style", out)  # a key the simulator does not use is a note
        report = os.path.join(self.dir, "r.json")
        import subprocess, json
        subprocess.run([SIM, "--config", os.path.join(self.dir, "cnn.yaml"), "--frames", "2", "--report", report],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        with open(report) as f:
            layers = {L["name"]: L["folding"] for L in json.load(f)["layers"]}
        self.assertEqual((layers["Conv_0"]["pe"], layers["Conv_0"]["simd"]), (4, 3))
        self.assertEqual((layers["Conv_1"]["pe"], layers["Conv_1"]["simd"]), (2, 8))
        self.assertEqual((layers["Gemm_0"]["pe"], layers["Gemm_0"]["simd"]), (5, 4))


class LoweringFacts(unittest.TestCase):
    """What the lowering makes of the test models, read from the Network it returns."""

    def test_layers_and_datapaths(self):
        net = qonnx_front.import_qonnx(qg.cnn(), "cnn")
        kinds = [(L.type, L.quant, L.activation) for L in net.layers]
        self.assertEqual(kinds, [("conv", "uniform", "thresholds"), ("maxpool", "", ""), ("conv", "binary", "bipolar"),
                                 ("conv", "binary", "thresholds"), ("global_avgpool", "", ""),
                                 ("fc", "ternary", "none"), ("topk", "", "")])
        self.assertEqual(net.input_bits, 8)
        self.assertTrue(net.input_signed)
        self.assertEqual(net.layers[0].pad, (1, 1))

    def test_residual_graph(self):
        net = qonnx_front.import_qonnx(qg.residual(), "res")
        add = net.layer("Add_0")
        self.assertEqual(add.inputs, ["Conv_2", "Conv_0"])
        self.assertEqual(add.activation, "thresholds")
        self.assertEqual(net.layer("Concat_0").inputs, ["Add_0", "Conv_0"])
        self.assertTrue(net.is_graph())

    def test_threshold_units_of_their_own(self):
        net = qonnx_front.import_qonnx(qg.requant(), "rq")
        kinds = [(L.name, L.type, L.groups, L.activation, L.act_bits) for L in net.layers]
        self.assertEqual(kinds[0], ("Quant_0", "conv", 2, "thresholds", 8))  # the input's 8-bit signed quantiser
        self.assertEqual(kinds[3], ("Quant_3", "conv", 6, "thresholds", 3))  # the Quant after the average
        self.assertTrue(np.all(net.layers[0].weights == 1))
        self.assertEqual(net.input_bits, 8)
        self.assertFalse(net.input_signed)

    def test_depthwise_groups(self):
        net = qonnx_front.import_qonnx(qg.depthwise(), "dw")
        self.assertEqual(net.layers[1].groups, 8)
        self.assertEqual(net.layers[-1].type, "topk")
        self.assertEqual(net.layers[-1].k, 3)

    def test_thresholds_reproduce_the_chain(self):
        """fold_thresholds against the chain evaluated at every accumulator, for each rounding mode,
        signed and unsigned quantisers, a negative batch-norm scale and a bipolar quantiser."""
        import qonnx_chain as qc
        rng = np.random.default_rng(3)
        n, M = 6, 300
        acc = np.arange(-M, M + 1)
        for mode in ("ROUND", "FLOOR", "CEIL", "ROUND_TO_ZERO", "HALF_UP"):
            for signed, bits in ((0, 2), (1, 3), (0, 4)):
                chain = [("affine", rng.uniform(-0.05, 0.05, n), rng.normal(0, 2, n)), ("relu",) if not signed else
                         ("affine", 1.0, 0.0), ("quant", 0.5, 0.0, bits, signed, 0, mode)]
                r = qc.fold_thresholds(chain, n, M, "test")
                v = qc.evaluate(chain, np.broadcast_to(acc.astype(float), (n, acc.size)).copy(), n)
                for ch in range(n):
                    sign = -1 if r["negate"][ch] else 1
                    codes = np.searchsorted(r["thresholds"][ch], acc * sign, side="right")
                    got = r["lowest"][ch] + r["step"][ch] * codes
                    np.testing.assert_allclose(got, v[ch], atol=1e-9, err_msg=f"{mode} signed={signed} ch {ch}")
        r = qc.fold_thresholds([("affine", 0.1, -1.0), ("bipolar", 2.0)], 1, M, "test")
        self.assertEqual(r["activation"], "bipolar")
        self.assertEqual(r["thresholds"].tolist(), [[10]])


def _replace_node(model, name, **changes):
    for n in model.graph.node:
        if n.name == name:
            for k, v in changes.items():
                if k == "op_type":
                    n.op_type = v
                elif k == "input":
                    del n.input[:]
                    n.input.extend(v)
            return model
    raise KeyError(name)


class MalformedModels(Tmp):
    def refused(self, model, *fragments):
        path = self.save(model, "bad")
        rc, out, err = run_cli([path, "--out", self.dir])
        self.assertEqual(rc, 1, out + err)
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, err)
        for f in fragments:
            self.assertIn(f, lines[0])
        return lines[0]

    def test_unknown_operator(self):
        m = _replace_node(qg.mlp(), "Relu_1", op_type="Softsign")
        self.refused(m, "node Relu_1 (Softsign)", "not supported")

    def test_missing_initializer(self):
        m = qg.cnn()
        conv = [n for n in m.graph.node if n.name == "Conv_1"][0]
        _replace_node(m, "Conv_1", input=[conv.input[0], "no_such_weight"])
        self.refused(m, "node Conv_1", "no_such_weight")

    def test_shape_mismatch(self):
        m = qg.mlp()
        w = [i for i in m.graph.initializer if i.name == "W_0"][0]
        arr = onnx.numpy_helper.to_array(w)[:, :60]
        w.CopyFrom(onnx.numpy_helper.from_array(arr.copy(), "W_0"))
        self.refused(m, "node MatMul_0", "60 inputs", "64 values")

    def test_non_integer_bit_width(self):
        m = qg.mlp()
        for i in m.graph.initializer:
            if i.name == "bits_1":  # the first activation quantiser's bit width
                i.CopyFrom(onnx.numpy_helper.from_array(np.asarray(2.5, dtype=np.float32), "bits_1"))
        self.refused(m, "node Quant_", "2.5", "not a positive integer")

    def test_unusable_quantisers(self):
        for tensor, value, fragments in (("scale_2", 0.0, ("node Quant_1", "positive finite")),
                                         ("scale_1", float("nan"), ("node Quant_0", "positive finite")),
                                         ("bits_0", 16.0, ("node MatMul_0", "16-bit activation quantiser"))):
            m = qg.mlp()
            for i in m.graph.initializer:
                if i.name == tensor:
                    i.CopyFrom(onnx.numpy_helper.from_array(np.asarray(value, dtype=np.float32), tensor))
            self.refused(m, *fragments)

    def test_one_accumulator_two_activations(self):
        g = qg.G(20)
        acc = g.conv("x", 2, 4, 3, "binary")
        a = g.quant(g.node("Relu", [acc]), 0.5, 2, 0)
        b = g.quant(g.node("Relu", [acc]), 0.25, 2, 0)
        y = g.node("Concat", [a, b], axis=1)
        self.refused(g.model("x", [1, 2, 6, 6], y, [1, 8, 4, 4], input_type="UINT2"), "node Concat_0",
                     "layer Conv_0 feeds two different activations")

    def test_cycle(self):
        g = qg.G(13)
        a = g.node("Relu", ["b_loop"])
        g.nodes.append(helper.make_node("Relu", [a], ["b_loop"], name="loop"))
        self.refused(g.model("x", [1, 2, 4, 4], "b_loop", [1, 2, 4, 4], input_type="UINT2"), "node Relu_0", "cycle")

    def test_add_of_two_scales(self):
        g = qg.G(7)
        a = g.act(g.conv("x", 2, 4, 3, "binary", pad=1), 4, scale=0.5)
        b = g.act(g.conv(a, 4, 4, 3, "binary", pad=1), 4, scale=0.25)
        y = g.conv(g.quant(g.node("Add", [a, b]), 0.5, 3, 0), 4, 2, 1, "binary")
        self.refused(g.model("x", [1, 2, 6, 6], y, [1, 2, 6, 6], input_type="UINT2"), "node Add_0", "scales 0.5 and 0.25")

    def test_unknown_input_type(self):
        g = qg.G(9)
        y = g.conv("x", 2, 4, 3, "binary")
        self.refused(g.model("x", [1, 2, 6, 6], y, [1, 4, 4, 4]), "input x", "--input-type")

    def test_float_weights(self):
        g = qg.G(10)
        y = g.node("Conv", ["x", g.const(np.random.default_rng(0).normal(size=(4, 2, 3, 3)))], kernel_shape=[3, 3])
        self.refused(g.model("x", [1, 2, 6, 6], y, [1, 4, 4, 4], input_type="UINT2"), "node Conv_0", "float values")

    def test_folding_that_does_not_divide(self):
        folding = os.path.join(self.dir, "folding_config.json")
        with open(folding, "w") as f:
            f.write('{"Defaults": {}, "Conv_0": {"PE": 3, "SIMD": 3}}\n')
        path = self.save(qg.cnn(), "cnn")
        rc, out, err = run_cli([path, "--out", self.dir, "--folding", folding])
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("Conv_0", err)
        self.assertIn("PE 3", err.replace("PE=3", "PE 3").replace("PE = 3", "PE 3"))

    def test_pad_before_a_pool(self):
        g = qg.G(12)
        a = g.act(g.conv("x", 2, 4, 3, "binary"), 4, scale=0.5)
        p = g.node("Pad", [a, g.const(np.array([0, 0, 1, 1, 0, 0, 1, 1]), dtype=np.int64)], mode="constant")
        y = g.node("MaxPool", [p], kernel_shape=[2, 2], strides=[2, 2])
        self.refused(g.model("x", [1, 2, 6, 6], y, [1, 4, 3, 3], input_type="UINT2"), "node MaxPool_0", "Pad")

    def test_not_onnx(self):
        path = os.path.join(self.dir, "junk.onnx")
        with open(path, "wb") as f:
            f.write(b"\x00\x01junk")
        rc, out, err = run_cli([path, "--out", self.dir])
        self.assertEqual(rc, 1)
        self.assertIn("not a readable ONNX file", err)


if __name__ == "__main__":
    unittest.main()
