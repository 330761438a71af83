"""qnn-import's FINN front end (finn_front.py) and folding configurations (folding.py).

FINN-style hardware-layer graphs (finn_graphs.py) import node for node; the imported network
computes what the graph computes (the graph executed by onnx_exec and by finn_graphs' plain-numpy
evaluation, the network by a plain-numpy evaluation of the simulator's arithmetic); the written
files run bit-true under `sim --check`, and `sim --inputs --expect` gives the graph's outputs on
random inputs; a folding_config.json imports with exactly its folding, and the simulated
per-layer cycles equal FINN's closed-form cycle formulas for it (the SWU's by the relation
documented in docs/import.md). Malformed models and configurations are refused with one line
naming the node."""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "qnn_import"))
sys.path.insert(0, HERE)

import finn_front  # noqa: E402
import finn_graphs as fg  # noqa: E402
import expect  # noqa: E402
import folding  # noqa: E402
import onnx_exec  # noqa: E402
import writer  # noqa: E402
from ir import ImportError_  # noqa: E402


def find_sim():
    p = os.environ.get("QSIM_SIM") or os.path.join(ROOT, "build", "sim")
    return p if os.path.isfile(p) and os.access(p, os.X_OK) else None


SIM = find_sim()
SKIP_SIM = "needs the simulator: build/sim (cmake --build build --target sim) or $QSIM_SIM"


class Tmp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="finn_front_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, net, name, frames=2):
        yaml = os.path.join(self.dir, name + ".yaml")
        with open(yaml, "w") as f:
            f.write(writer.config_yaml(net, name + ".qnnw", fifo_depths=net.fifo_depths, frames=frames))
        with open(os.path.join(self.dir, name + ".qnnw"), "wb") as f:
            f.write(writer.weight_file_bytes(net))
        return yaml

    def sim(self, *args):
        return subprocess.run([SIM, *args, "--no-timing"], capture_output=True, text=True, timeout=120)


def load_layers(report):
    with open(report) as f:
        return {l["name"]: l for l in json.load(f)["layers"]}


def imported(name):
    model = fg.MODELS[name]()
    return model, finn_front.import_finn(model, name)


def test_data(model, net, n=12, seed=3):
    """Random input codes (N, H, W, C) of the imported network, the model's input values for them
    (net.input_value: value = scale x code + offset, in the model's own input shape) and the
    graph's own outputs (onnx_exec, FINN's operators in NumPy) flattened per input."""
    scale, offset, lo, hi = net.input_value
    h, w, c = net.input_shape
    codes = np.random.default_rng(seed).integers(lo, hi + 1, size=(n, h, w, c))
    x = codes.astype(np.float64) * scale + offset
    if net.input_layout == "NCHW":
        x = x.transpose(0, 3, 1, 2)
    else:
        x = x.reshape([n] + list(net.input_model_shape[1:]))
    name = model.graph.input[0].name
    y = [np.asarray(onnx_exec.execute(model, {name: x[i:i + 1].astype(np.float32)})[model.graph.output[0].name])
         for i in range(n)]
    return codes, x, np.concatenate(y).reshape(n, -1).astype(np.float64)


# ------------------------------------------------------------------------------------------
class ImportMatchesTheGraph(unittest.TestCase):
    """The imported network (as the simulator computes it, on codes) gives the graph's values."""

    def check(self, name):
        model, net = imported(name)
        codes, x, want = test_data(model, net, n=24)
        out, enc = fg.ir_execute(net, codes)
        got = fg.model_values(net, out, enc).reshape(len(x), -1)
        np.testing.assert_array_equal(got, want, err_msg=name)
        self.assertGreater(len(np.unique(want)), 1, f"{name}: the test outputs should vary")
        # the plain-numpy execution in finn_graphs.py agrees with onnx_exec
        np.testing.assert_array_equal(fg.finn_execute(model, x).reshape(len(x), -1), want, err_msg=name)
        # and the simulator's integer outputs expect.py derives from the model's are the network's
        np.testing.assert_array_equal(expect.expected_outputs(net, want).reshape(len(x), -1),
                                      out.reshape(len(x), -1), err_msg=name)
        return net

    def test_tfc(self):
        net = self.check("tfc")
        self.assertEqual([L.type for L in net.layers], ["conv", "fc", "fc", "fc", "topk"])
        thr, l1 = net.layers[0], net.layers[1]
        # the input Thresholding: a 1 x 1 depthwise convolution of +1 weights, PE from the node
        self.assertEqual((thr.groups, thr.filters, thr.kernel, thr.quant), (64, 64, 1, "binary"))
        self.assertTrue(np.all(thr.weights == 1))
        self.assertEqual(thr.folding, {"pe": 8, "simd": 1, "mmv": 1})
        # BINARY x BINARY in binaryXnorMode: binary weights on bipolar codes (the XNOR datapath);
        # FINN's popcount threshold T is the simulator's 2T - MW
        self.assertEqual((l1.quant, l1.activation), ("binary", "bipolar"))
        model = fg.tfc()
        T = next(onnx.numpy_helper.to_array(t) for t in model.graph.initializer if t.name == "T_1")
        np.testing.assert_array_equal(l1.thresholds[:, 0], 2 * T[:, 0] - 64)
        self.assertEqual(net.layers[3].activation, "none")
        self.assertEqual(net.layers[4].k, 3)
        # the StreamingFIFO of depth 32 words (8 words a row) after the thresholds: 4 rows
        self.assertEqual(net.fifo_depths, {thr.name: 4})

    def test_bipolar_mlp(self):
        net = self.check("bipolar_mlp")
        self.assertEqual([L.quant for L in net.layers], ["binary", "ternary", "uniform"])
        # a BIPOLAR input: codes 0 / 1 standing for -1 / +1, which the first layer's thresholds absorb
        self.assertEqual((net.input_bits, net.input_signed, net.input_value), (1, False, (2.0, -1.0, 0, 1)))
        self.assertEqual(net.layers[2].weight_bits, 5)  # INT4 with a -8: one more bit

    def test_cnv(self):
        net = self.check("cnv")
        self.assertEqual([L.type for L in net.layers],
                         ["conv", "maxpool", "conv", "conv", "global_avgpool", "fc"])
        c0, c1, c2 = net.layers[0], net.layers[2], net.layers[3]
        self.assertEqual((c0.kernel, c0.stride, tuple(c0.pad), c0.weight_bits), (3, 1, (1, 1), 5))
        self.assertEqual((c1.quant, c1.act_bits, c1.out.offset), ("ternary", 2, -2.0))
        self.assertEqual((c2.kernel, c2.stride), (1, 2))
        self.assertIn("Thresholding_hls_0", net.layers[0].source)

    def test_residual(self):
        net = self.check("residual")
        add = next(L for L in net.layers if L.type == "add")
        self.assertEqual((add.activation, add.act_bits, add.folding["simd"]), ("thresholds", 2, 4))
        self.assertEqual(add.inputs, ["MVAU_hls_2", "MVAU_hls_0"])
        self.assertEqual(net.layers[0].kernel, 1)  # an MVAU on a feature map without a window
        self.assertEqual(len(net.readers("MVAU_hls_0")), 2)
        self.assertGreaterEqual(net.fifo_depths["MVAU_hls_0"], 6)  # the fork: a whole frame

    def test_depthwise(self):
        net = self.check("depthwise")
        dw = net.layers[0]
        self.assertEqual((dw.groups, dw.filters, dw.weights.shape), (8, 8, (8, 9)))
        self.assertEqual(dw.folding, {"pe": 4, "simd": 3, "mmv": 1})
        self.assertEqual((net.layers[1].quant, net.layers[1].activation), ("binary", "bipolar"))

    def test_conv1d(self):
        net = self.check("conv1d")
        self.assertEqual(net.input_shape, (24, 1, 4))
        c = net.layers[0]
        self.assertEqual((c.kernel, c.kernel_width, tuple(c.pad), c.out_shape), (3, 1, (1, 1), (24, 1, 6)))
        mp = net.layers[1]
        self.assertEqual((mp.kernel, mp.kernel_width, mp.folding["simd"]), (2, 1, 3))

    def test_folded_cnv(self):
        self.check("folded_cnv")

    def test_other_seeds(self):
        """Every test graph with other random weights, thresholds and offsets: still exact."""
        for name, make in fg.MODELS.items():
            for seed in (101, 102, 103):
                model = make(seed=seed)
                net = finn_front.import_finn(model, name)
                codes, _, want = test_data(model, net, n=4, seed=seed)
                out, enc = fg.ir_execute(net, codes)
                np.testing.assert_array_equal(fg.model_values(net, out, enc).reshape(4, -1), want,
                                              err_msg=f"{name} seed {seed}")

    def test_branches(self):
        net = self.check("branches")
        self.assertEqual([L.type for L in net.layers],
                         ["conv", "maxpool", "conv", "avgpool", "concat", "global_avgpool", "fc"])
        cat = net.layers[4]
        self.assertEqual((cat.inputs, cat.folding["simd"]), (["Pool_hls_0", "MVAU_hls_1", "Pool_hls_1"], 2))
        self.assertEqual(len(net.readers("MVAU_hls_0")), 3)
        self.assertEqual(net.input_layout, "NCHW")  # the leading Transpose
        # the ChannelwiseOp's offsets, summed over the 4 x 4 map and weighted by the fc's weights,
        # are the host's dequantisation of the final accumulators
        self.assertEqual(net.output_scale, 1.0)
        self.assertTrue(np.any(net.output_offset != 0))
        self.assertEqual(net.node_to_layer["ChannelwiseOp_hls_0"][1], "offset")


# ------------------------------------------------------------------------------------------
@unittest.skipIf(SIM is None, SKIP_SIM)
class WrittenFilesRunBitTrue(Tmp):
    def run_model(self, name):
        model, net = imported(name)
        yaml = self.write(net, name)
        p = self.sim("--config", yaml, "--check", "--frames", "2")
        self.assertEqual(p.returncode, 0, f"{name}: {p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        self.assertIn("golden check   PASS", p.stdout)
        # the simulated outputs against the graph's own execution (onnx_exec) on random inputs
        codes, _, want = test_data(model, net, n=6)
        xin, xexp = os.path.join(self.dir, "x.npy"), os.path.join(self.dir, "y.npy")
        np.save(xin, codes.astype(np.int64))
        want_codes = expect.expected_outputs(net, want)
        np.save(xexp, want_codes)
        p = self.sim("--config", yaml, "--check", "--inputs", xin, "--expect", xexp)
        self.assertEqual(p.returncode, 0, f"{name}: {p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        self.assertIn("expect         PASS", p.stdout)
        # and one value off is caught
        wrong = want_codes.copy()
        wrong.reshape(-1)[-1] += 1
        np.save(xexp, wrong)
        p = self.sim("--config", yaml, "--inputs", xin, "--expect", xexp)
        self.assertEqual(p.returncode, 4, f"{name}: {p.stdout[-2000:]}\n{p.stderr[-2000:]}")

    def test_tfc(self):
        self.run_model("tfc")

    def test_bipolar_mlp(self):
        self.run_model("bipolar_mlp")

    def test_cnv(self):
        self.run_model("cnv")

    def test_residual(self):
        self.run_model("residual")

    def test_depthwise(self):
        self.run_model("depthwise")

    def test_conv1d(self):
        self.run_model("conv1d")

    def test_branches(self):
        self.run_model("branches")


# ------------------------------------------------------------------------------------------
FOLDING = {
    "Defaults": {"ram_style": ["block", ["MVAU_hls"]], "PE": [1, ["StreamingMaxPool_hls"]]},
    "FMPadding_hls_0": {"SIMD": 2},
    "ConvolutionInputGenerator_rtl_0": {"SIMD": 2, "ram_style": "distributed"},
    "MVAU_conv0": {"PE": 4, "SIMD": 2, "ram_style": "distributed", "mem_mode": "internal_decoupled"},
    "ConvolutionInputGenerator_rtl_1": {"SIMD": 4},
    "MVAU_conv1": {"PE": 8, "SIMD": 4, "resType": "lut"},
    "MVAU_fc": {"PE": 5, "SIMD": 16, "runtime_writeable_weights": 0},
}


def finn_mvau_cycles(a):
    """FINN's MVAU.get_exp_cycles: (MH / PE) * (MW / SIMD) * prod(numInputVectors) / MMV (MMV 1)."""
    return (a["MH"] // a["PE"]) * (a["MW"] // a["SIMD"]) * int(np.prod(a["numInputVectors"]))


def finn_swg_cycles(a):
    """FINN's ConvolutionInputGenerator (HLS, 2-D, default variant) get_exp_cycles, MMV 1."""
    k_h, k_w = a["ConvKernelDim"]
    ifm_h, ifm_w = a["IFMDim"]
    ofm_h, ofm_w = a["OFMDim"]
    s_h, s_w = a["Stride"]
    d_h, _ = a["Dilation"]
    folds = a["IFMChannels"] // a["SIMD"]
    write_block = ofm_w * k_w * k_h * folds
    read_block = s_w * ifm_w * folds
    return ifm_w * k_h * d_h * folds + ofm_h * max(write_block, read_block)


def with_config(model, cfg):
    """The model with the folding configuration's PE / SIMD applied to its nodes (FINN's ApplyConfig)."""
    m = copy.deepcopy(model)
    for nd in m.graph.node:
        for key, val in cfg.get(nd.name, {}).items():
            if key in ("PE", "SIMD"):
                for at in nd.attribute:
                    if at.name == key:
                        at.i = val
    return m


@unittest.skipIf(SIM is None, SKIP_SIM)
class FoldingConfigGivesFinnCycles(Tmp):
    """The key acceptance test: a folding_config.json's folding, exactly, in the YAML and in the
    simulated design, and the simulated cycles of every layer against FINN's formulas for it."""

    def test_folding_and_cycles(self):
        model = fg.folded_cnv()
        net = finn_front.import_finn(model, "folded_cnv")
        path = os.path.join(self.dir, "folding_config.json")
        with open(path, "w") as f:
            json.dump(FOLDING, f, indent=2)
        notes = folding.apply_folding(net, folding.read_folding_config(path), net.node_to_layer)
        self.assertTrue(any("ram_style=distributed does not change the simulation" in n for n in notes), notes)
        self.assertFalse(any("differs" in n for n in notes), notes)  # the SWGs' SIMD agree with the MVAUs'
        want = {"MVAU_conv0": {"pe": 4, "simd": 2, "mmv": 1}, "MVAU_conv1": {"pe": 8, "simd": 4, "mmv": 1},
                "MaxPool_0": {"pe": 1, "simd": 16, "mmv": 1}, "MVAU_fc": {"pe": 5, "simd": 16, "mmv": 1}}
        yaml = self.write(net, "folded_cnv", frames=6)
        with open(yaml) as f:
            text = f.read()
        for name, f in want.items():
            block = text.split(f"- name: {name}\n", 1)[1].split("  - name:", 1)[0]
            self.assertIn(f"folding: {{ pe: {f['pe']}, simd: {f['simd']} }}", block, name)
        report = os.path.join(self.dir, "r.json")
        p = self.sim("--config", yaml, "--check", "--report", report)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        layers = load_layers(report)
        for name, f in want.items():
            self.assertEqual(layers[name]["folding"], f, name)

        attrs = {nd.name: finn_front.node_attrs(nd) for nd in with_config(model, FOLDING).graph.node}
        # MVAU: the simulated busy cycles per frame are FINN's exp_cycles, and so is the estimate
        for name in ("MVAU_conv0", "MVAU_conv1", "MVAU_fc"):
            finn = finn_mvau_cycles(attrs[name])
            self.assertEqual(layers[name]["busy_cycles_per_frame"], finn, name)
            self.assertEqual(layers[name]["estimate_cycles_per_frame"], finn, name)
        # ConvolutionInputGenerator: FINN's exp_cycles for one frame is the fill of K padded rows
        # plus OFM_H x max(window row, S input rows). The simulator's SWU reads the same windows
        # (its read side: OFM_H x cycles_write_block of FINN) but fills its line buffer while the
        # previous frame's last windows go out, so the fill is not in its per-frame count; its
        # write side takes the unpadded input (FMPadding is inside the SWU), H x W x C / SIMD.
        for swg, layer in (("ConvolutionInputGenerator_rtl_0", "MVAU_conv0"),
                           ("ConvolutionInputGenerator_rtl_1", "MVAU_conv1")):
            a, swu = attrs[swg], layers[layer]["swu"]
            k_h = a["ConvKernelDim"][0]
            ifm_w, folds = a["IFMDim"][1], a["IFMChannels"] // a["SIMD"]
            fill = ifm_w * k_h * folds
            read_rows = a["OFMDim"][0] * a["Stride"][1] * ifm_w * folds
            self.assertEqual(finn_swg_cycles(a), fill + max(swu["read_busy_cycles_per_frame"], read_rows), swg)
            self.assertEqual(swu["read_busy_cycles_per_frame"],
                             a["OFMDim"][0] * a["OFMDim"][1] * k_h * k_h * folds, swg)
            h, w, c = layers[layer]["in"]
            self.assertEqual(swu["write_busy_cycles_per_frame"], h * w * c // a["SIMD"], swg)
        self.assertEqual(finn_swg_cycles(attrs["ConvolutionInputGenerator_rtl_0"]), 2676)
        self.assertEqual(layers["MVAU_conv0"]["swu"]["read_busy_cycles_per_frame"], 2592)

    def test_other_units_cycles(self):
        """Thresholding (as a 1 x 1 depthwise layer), VVAU, LabelSelect: FINN's exp_cycles;
        GlobalAccPool: FINN's H x W x C / PE plus C / PE cycles for writing the sums out; the
        simulator's global pooling unit charges W x ceil(C / SIMD) a row as the rows stream in and
        emits the 1 x 1 x C result without further cycles."""
        for name in ("tfc", "depthwise", "cnv"):
            model, net = imported(name)
            yaml = self.write(net, name)
            report = os.path.join(self.dir, name + ".json")
            p = self.sim("--config", yaml, "--report", report, "--frames", "3")
            self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
            layers = load_layers(report)
            for nd in model.graph.node:
                a = finn_front.node_attrs(nd)
                op = finn_front.base_op(nd.op_type)
                if net.node_to_layer[nd.name][1] != "main":
                    continue  # folded into another node's layer
                overlapped = 0  # cycles FINN counts that the simulator's unit does not charge
                if op == "Thresholding":   # prod(numInputVectors) x NumChannels / PE
                    finn = int(np.prod(a["numInputVectors"])) * a["NumChannels"] // a["PE"]
                elif op == "VVAU":         # Channels x k_h x k_w / PE / SIMD x H x W
                    finn = a["Channels"] * int(np.prod(a["Kernel"])) // a["PE"] // a["SIMD"] * int(np.prod(a["Dim"]))
                elif op == "LabelSelect":  # Labels / PE + K
                    finn = a["Labels"] // a["PE"] + a["K"]
                elif op == "MVAU":
                    finn = finn_mvau_cycles(a)
                elif op == "GlobalAccPool":  # prod(folded input[:-1]) + C / PE
                    folds = a["NumChannels"] // a["PE"]
                    finn = int(np.prod(a["numInputVectors"])) * folds + folds
                    overlapped = folds
                else:
                    continue
                lname = net.node_to_layer[nd.name][0]
                self.assertEqual(layers[lname]["busy_cycles_per_frame"], finn - overlapped, nd.name)


@unittest.skipIf(SIM is None, SKIP_SIM)
class AutoFold(Tmp):
    def test_fold_without_a_config(self):
        model, net = imported("cnv")
        yaml = self.write(net, "cnv")
        out = os.path.join(self.dir, "cnv_folded.yaml")
        report = folding.auto_fold(yaml, SIM, out)
        self.assertIn("cycles per frame analytical", report)
        p = self.sim("--config", out, "--check", "--frames", "2")
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])


# ------------------------------------------------------------------------------------------
class FoldingConfigErrors(Tmp):
    def read(self, text):
        path = os.path.join(self.dir, "f.json")
        with open(path, "w") as f:
            f.write(text)
        return path

    def refused(self, cfg_text, *needles):
        _, net = imported("folded_cnv")
        with self.assertRaises(ImportError_) as cm:
            folding.apply_folding(net, folding.read_folding_config(self.read(cfg_text)), net.node_to_layer)
        msg = str(cm.exception)
        self.assertEqual(len(msg.splitlines()), 1, msg)
        for n in needles:
            self.assertIn(n, msg)
        return msg

    def test_malformed_json(self):
        msg = self.refused('{\n  "MVAU_conv0": {"PE": 4,}\n}', "f.json:2:", "malformed JSON")
        self.assertIn(":2:26:", msg)

    def test_unknown_nodes_listed(self):
        self.refused('{"MVAU_conv9": {"PE": 2}, "Nope": {}}', "MVAU_conv9", "Nope", "the model's nodes")

    def test_non_integer_and_non_positive(self):
        self.refused('{"MVAU_conv0": {"PE": 2.5}}', "MVAU_conv0", "PE = 2.5 is not an integer")
        self.refused('{"MVAU_conv0": {"SIMD": "4"}}', "SIMD = '4' is not an integer")
        self.refused('{"MVAU_conv0": {"PE": 0}}', "PE = 0 must be positive")
        self.refused('{"Defaults": {"PE": [0, ["MVAU_hls"]]}}', "Defaults.PE", "must be positive")

    def test_folding_that_does_not_divide(self):
        self.refused('{"MVAU_conv0": {"PE": 3}}', "node MVAU_conv0: PE = 3 does not divide", "= 8")
        self.refused('{"MVAU_conv1": {"SIMD": 6}}', "node MVAU_conv1: SIMD = 6 does not divide", "IFMChannels")
        self.refused('{"MVAU_fc": {"SIMD": 7}}', "node MVAU_fc: SIMD = 7 does not divide MW = 64")
        self.refused('{"MVAU_fc": {"MMV": 2}}', "MMV = 2 on a fully connected layer")

    def test_defaults_by_op_type(self):
        _, net = imported("folded_cnv")
        cfg = folding.read_folding_config(self.read('{"Defaults": {"PE": [2, ["MVAU_hls"]], "SIMD": [1, "all"]}}'))
        folding.apply_folding(net, cfg, net.node_to_layer)
        self.assertEqual([L.folding["pe"] for L in net.layers if L.is_compute], [2, 2, 2])

    def test_fifo_depth(self):
        _, net = imported("tfc")
        fifo = next(k for k, v in net.node_to_layer.items() if v[1] == "fifo")
        notes = folding.apply_folding(net, folding.read_folding_config(
            self.read(json.dumps({fifo: {"depth": 64, "impl_style": "vivado"}}))), net.node_to_layer)
        self.assertEqual(net.fifo_depths[net.layers[0].name], 8)
        self.assertTrue(any("impl_style=vivado does not change the simulation" in n for n in notes), notes)


# ------------------------------------------------------------------------------------------
def node_named(model, name):
    return next(n for n in model.graph.node if n.name == name)


def set_attr(node, key, value):
    for i, a in enumerate(node.attribute):
        if a.name == key:
            del node.attribute[i]
            break
    node.attribute.append(helper.make_attribute(key, value))


class MalformedModelsAreRefused(unittest.TestCase):
    def refused(self, model, *needles):
        with self.assertRaises(ImportError_) as cm:
            finn_front.import_finn(model, "bad")
        msg = str(cm.exception)
        self.assertEqual(len(msg.splitlines()), 1, msg)
        for n in needles:
            self.assertIn(n, msg)
        return msg

    def test_unknown_operator(self):
        m = fg.tfc()
        node_named(m, "MVAU_hls_0").op_type = "MysteryUnit_hls"
        self.refused(m, "node MVAU_hls_0 (MysteryUnit_hls)", "unknown op type")

    def test_missing_initializer(self):
        m = fg.tfc()
        w = node_named(m, "MVAU_hls_0").input[1]
        keep = [t for t in m.graph.initializer if t.name != w]
        del m.graph.initializer[:]
        m.graph.initializer.extend(keep)
        self.refused(m, "node MVAU_hls_0 (MVAU_hls)", f"missing initializer '{w}'")

    def test_shape_mismatch(self):
        m = fg.cnv()
        set_attr(node_named(m, "MVAU_hls_1"), "MH", 12)
        self.refused(m, "node MVAU_hls_1 (MVAU_hls)", "weights of shape [144, 16], expected [MW, MH] = [144, 12]")
        m = fg.cnv()
        set_attr(node_named(m, "ConvolutionInputGenerator_rtl_1"), "IFMDim", [5, 5])
        self.refused(m, "node ConvolutionInputGenerator_rtl_1", "does not match its input 4x4x16")

    def test_non_integer_data_types(self):
        for dt in ("FLOAT32", "INT3.5", "FIXED<8,4>"):
            m = fg.tfc()
            set_attr(node_named(m, "MVAU_hls_1"), "weightDataType", dt)
            self.refused(m, "node MVAU_hls_1 (MVAU_hls)", f"weightDataType '{dt}' is not an integer data type")

    def test_folding_that_does_not_divide(self):
        m = fg.tfc()
        set_attr(node_named(m, "MVAU_hls_0"), "SIMD", 5)
        self.refused(m, "node MVAU_hls_0 (MVAU_hls)", "SIMD = 5 does not divide MW = 32")
        m = fg.tfc()
        set_attr(node_named(m, "MVAU_hls_0"), "PE", 3)
        self.refused(m, "node MVAU_hls_0 (MVAU_hls)", "PE = 3 does not divide MH = 32")
        m = fg.depthwise()
        set_attr(node_named(m, "VVAU_hls_0"), "SIMD", 2)
        self.refused(m, "node VVAU_hls_0 (VVAU_hls)", "SIMD = 2 does not divide k_h x k_w = 9")

    def test_dilation(self):
        m = fg.cnv()
        set_attr(node_named(m, "ConvolutionInputGenerator_rtl_1"), "Dilation", [2, 2])
        self.refused(m, "node ConvolutionInputGenerator_rtl_1", "dilation [2, 2]")

    def test_dataflow_partition(self):
        m = fg.tfc()
        p = helper.make_node("StreamingDataflowPartition", [m.graph.input[0].name], ["p_out"], name="SDP_0",
                             domain="finn.custom_op.fpgadataflow", model="/tmp/partition_0.onnx")
        m.graph.node.insert(0, p)
        self.refused(m, "node SDP_0 (StreamingDataflowPartition)", "inner model", "/tmp/partition_0.onnx")

    def test_padding_of_a_stream_with_an_offset(self):
        # an INT2 output (ActVal -2) padded by FMPadding: FINN pads the value 0, the simulator code 0
        g = fg.Graph("padoff", [1, 4, 4, 2], "UINT2", seed=3)
        x = g.mvau(g.input, 2, 4, [1, 4, 4], 1, 1, "UINT2", "INT2", "INT2", steps=3, actval=-2)
        x, hwc = g.pad(x, (4, 4, 4), (1, 1, 1, 1), "INT2")
        x, _ = g.swg(x, hwc, 3, 1, "INT2", 1)
        x = g.mvau(x, 36, 4, [1, 4, 4], 1, 1, "INT2", "INT2", name="MVAU_padded")
        self.refused(g.model(x), "node MVAU_padded", "zero-padded map whose stream carries an offset")

    def test_wide_weights(self):
        m = fg.bipolar_mlp()
        nd = node_named(m, "MVAU_hls_2")
        set_attr(nd, "weightDataType", "INT9")
        self.refused(m, "node MVAU_hls_2", "INT9 weights need 9 bits", "at most 8")

    def test_bipolar_thresholds_count(self):
        m = fg.depthwise()
        nd = node_named(m, "MVAU_hls_0")
        set_attr(nd, "outputDataType", "BIPOLAR")
        t = nd.input[2]
        arr = next(onnx.numpy_helper.to_array(x) for x in m.graph.initializer if x.name == t)
        for i, x in enumerate(m.graph.initializer):
            if x.name == t:
                m.graph.initializer[i].CopyFrom(onnx.numpy_helper.from_array(np.tile(arr, (1, 2)), t))
        self.refused(m, "node MVAU_hls_0", "BIPOLAR output from 2 thresholds")


if __name__ == "__main__":
    unittest.main()
