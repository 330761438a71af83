#!/usr/bin/python3
"""Writes a model trained by train.py as a QONNX file, laid out like Brevitas's QONNX export
(after QONNX's cleanup) of the same network built from QuantLinear / QuantConv2d / QuantReLU.

  /usr/bin/python3 scripts/train/export_qonnx.py --checkpoint out/train/NAME.pt \\
      [--out configs/trained/qonnx/NAME.onnx] [--check [--images 1000] [--predictions FILE]]

The graph (opset 13, IR version 7, readable by onnx 1.12), node by node:
  * input `global_in` [1, 1, 28, 28] float holding the raw pixels 0..255, annotated UINT8 in
    graph.quantization_annotation (key finn_datatype), then the network's own Div by 255;
  * weights: the latent float32 weights of training as initializers, each through a quantiser
    of domain qonnx.custom_op.general:
      binary:  BipolarQuant(w, scale = 1.0)          -> +1 where w >= 0, else -1
      ternary: Quant(w / (2 eta), scale = 1.0, zeropt = 0.0, bitwidth = 2.0),
               signed = 1, narrow = 1, rounding_mode = ROUND  -> -1, 0, +1
    Quant rounds w / scale to the nearest integer, so its dead zone is |w| <= scale / 2; the
    model's ternary codes have the dead zone |w| <= eta. The latent weights are therefore
    stored divided by 2 eta (scale 1 keeps the codes' values +-1 and 0, which batch norm and
    the logit scale expect). An element that the float32 division puts on the wrong side of
    0.5 or exactly on it (a rounding tie, which ROUND = half to even and C's round() resolve
    differently) is moved one float32 step to its code's side; the export reports how many.
    eta itself is in metadata_props `qsim.ternary_threshold` (as export.py writes it), the
    divisor 2 eta in `qsim.ternary_latent_divisor`;
  * fully connected: Quant/BipolarQuant -> Transpose(perm 1,0) -> MatMul (torch exports a linear
    layer without bias as MatMul by the transposed weight; the transpose of a quantiser's
    output is not constant-folded, so Brevitas files carry it), convolution: -> Conv;
  * batch norm: BatchNormalization (epsilon, momentum as torch exports them);
  * unsigned k-bit activation: Relu -> Quant(x, scale = 1/(2^k - 1), zeropt = 0, bitwidth = k),
    signed = 0, narrow = 0, rounding_mode = ROUND. The model computes
    clamp(floor(y (2^k - 1) + 0.5), 0, 2^k - 1) / (2^k - 1): Quant's clamp to [0, 2^k - 1] is
    the same bound, so no Clip is needed; ROUND (half to even) equals the model's half-up
    rounding except on exact ties (FLOOR would be half a step off everywhere). The scale is a
    float32 next to 1/(2^k - 1): Quant divides by it where the model multiplies by 2^k - 1, so
    a model value within ~1e-7 relative of a rounding boundary can land on the other side. The
    export lowers the graph (graph.lower, QONNX semantics) and takes, per activation, the
    nearest float32 or, where that moves one of the model's integer thresholds, the float32 on
    the other side of 1/(2^k - 1) (fmnist_gmp_cnn's first activation: one threshold of 2,040);
  * bipolar activation (sparse TNN): BipolarQuant(x, scale = 1.0) (the model: +1 if y >= 0);
  * MaxPool as torch exports F.max_pool2d; the CNN's global max pooling as torch exports
    adaptive_max_pool2d(x, 1): a MaxPool whose window is the whole map; Flatten(axis 1);
  * the last layer's positive logit scale: Mul (before the global max pooling in the CNN, as in
    the model);
  * node names <OpType>_<n> counted per operator type, tensors <node>_out0 and <node>_param<i>,
    output `global_out` [1, 10]; value_info for every intermediate tensor.
The file depends only on the checkpoint: the same checkpoint gives the same bytes.

--check loads the written file and
  1. runs onnx.checker.check_model;
  2. requires that every weight quantiser, evaluated on its initializers, gives exactly the
     model's weight codes (float32 and float64);
  3. runs the graph on the first --images test images with the small numpy evaluator below
     (QONNX's definitions: Quant q = clamp(x / scale + zeropt, min, max), rounded, then
     (q - zeropt) * scale; BipolarQuant +scale if x >= 0 else -scale), in float64, and requires
     the arg max to equal the integer reference (--predictions, default
     configs/trained/NAME.predictions.txt) on every image, the logits to equal the PyTorch
     deploy model's (float64) within 1e-6 relative, and every activation code to equal the
     model's; float32 evaluation is reported alongside (informational: in float32 the sums
     are not exact, so ties between classes may break either way);
  4. lowers the QONNX graph with QONNX semantics through graph.lower (Quant as Div, Round,
     Clip, Mul; BipolarQuant as the sign) and requires the weight file (integer weights and
     thresholds) to be identical to the one lowered from the PyTorch model, i.e. what export.py
     writes into the .qnnw.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import idx  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOMAIN = "qonnx.custom_op.general"
OPSET = 13
IR_VERSION = 7  # onnx 1.12 reads up to 8; 7 is the version of opset 13
INPUT, OUTPUT = "global_in", "global_out"
f32 = np.float32


class ExportError(ValueError):
    pass


# ---------------------------------------------------------------------------------------
# QONNX operator semantics (numpy), used by the evaluator and by the weight-code checks

def int_bounds(signed, narrow, bits):
    if signed:
        return -(2 ** (bits - 1)) + (1 if narrow else 0), 2 ** (bits - 1) - 1
    return 0, 2 ** bits - 1 - (1 if narrow else 0)


ROUNDING = {"ROUND": np.round, "FLOOR": np.floor, "CEIL": np.ceil}  # np.round: half to even


def quant(x, scale, zeropt, bitwidth, signed, narrow, rounding_mode):
    bits = float(bitwidth)
    if bits != int(bits) or bits < 2:
        raise ExportError(f"Quant: bit width {bits} (must be an integer >= 2; 1 bit is BipolarQuant)")
    lo, hi = int_bounds(signed, narrow, int(bits))
    q = x / scale + zeropt
    q = np.clip(q, lo, hi)
    q = ROUNDING[rounding_mode.upper()](q)
    return (q - zeropt) * scale


def bipolar_quant(x, scale):
    return np.where(x >= 0, 1.0, -1.0).astype(x.dtype) * scale


# ---------------------------------------------------------------------------------------
# Graph builder

class Builder:
    def __init__(self):
        self.nodes, self.inits, self.counts = [], [], {}
        self.unsigned_acts = []  # (Quant node, levels 2^k - 1, name of its scale initializer)

    def add(self, op, data, params=(), out=None, domain="", **attrs):
        k = self.counts.get(op, 0)
        self.counts[op] = k + 1
        name = f"{op}_{k}"
        inputs = list(data)
        for i, arr in enumerate(params):
            pname = f"{name}_param{i}"
            self.inits.append(numpy_helper.from_array(np.asarray(arr), pname))
            inputs.append(pname)
        output = out or f"{name}_out0"
        self.nodes.append(helper.make_node(op, inputs, [output], name=name, domain=domain, **attrs))
        return output


def _np(t):
    return t.detach().cpu().numpy().astype(np.float32)


def ternary_latent(latent, codes, eta):
    """latent / (2 eta) in float32, with the elements the division put on the wrong side of
    (or exactly on) the rounding boundary 0.5 moved one float32 step to their code's side."""
    w = (latent.astype(np.float32) / f32(2.0 * eta)).astype(np.float32)
    half = f32(0.5)
    fix_pos = (codes > 0) & ~(w > half)
    fix_neg = (codes < 0) & ~(w < -half)
    fix_zero = (codes == 0) & (np.abs(w) >= half)
    w = np.where(fix_pos, np.nextafter(half, f32(1.0)), w)
    w = np.where(fix_neg, np.nextafter(-half, f32(-1.0)), w)
    w = np.where(fix_zero, np.sign(w) * np.nextafter(half, f32(0.0)), w).astype(np.float32)
    return w, int(fix_pos.sum() + fix_neg.sum() + fix_zero.sum())


def weight_quant(g, qw, notes):
    latent = _np(qw.latent * qw.mask)
    codes = _np(qw.codes())
    one = f32(1.0)
    if qw.quant == "binary":
        out = g.add("BipolarQuant", [], [latent, one], domain=DOMAIN)
    else:
        w, moved = ternary_latent(latent, codes, qw.eta)
        notes.append(f"ternary weights {list(codes.shape)}: latent / (2 eta = {2 * qw.eta:g}), "
                     f"{moved} element(s) moved off the rounding boundary")
        out = g.add("Quant", [], [w, one, f32(0.0), f32(2.0)], domain=DOMAIN,
                    signed=1, narrow=1, rounding_mode="ROUND")
    return out


def batch_norm(g, x, bn):
    # torch.onnx writes epsilon and momentum = 1 - torch's momentum
    return g.add("BatchNormalization", [x],
                 [_np(bn.weight), _np(bn.bias), _np(bn.running_mean), _np(bn.running_var)],
                 epsilon=float(bn.eps), momentum=float(1.0 - bn.momentum))


def activation(g, x, act):
    import qat
    if isinstance(act, qat.UnsignedQuant):
        x = g.add("Relu", [x])
        x = g.add("Quant", [x], [f32(1.0 / act.levels), f32(0.0), f32(act.bits)], domain=DOMAIN,
                  signed=0, narrow=0, rounding_mode="ROUND")
        g.unsigned_acts.append((g.nodes[-1].name, int(act.levels), g.nodes[-1].input[1]))
    elif isinstance(act, qat.BipolarQuant):
        x = g.add("BipolarQuant", [x], [f32(1.0)], domain=DOMAIN)
    else:
        raise ExportError(f"unknown activation {type(act).__name__}")
    return x


def build_graph(model, kind):
    """(builder holding the nodes and initializers, notes) of the model in deploy form."""
    import qat
    g, notes = Builder(), []
    x = g.add("Div", [INPUT], [f32(qat.PIXEL_SCALE)])
    logit_scale = f32(_np(model.scale.frozen).reshape(()))
    if kind in ("mlp", "tnn"):
        x = g.add("Flatten", [x], axis=1)
        for i, qw in enumerate(model.weights):
            wq = weight_quant(g, qw, notes)
            wt = g.add("Transpose", [wq], perm=[1, 0])
            x = g.add("MatMul", [x, wt])
            if i < len(model.bns):
                x = batch_norm(g, x, model.bns[i])
                x = activation(g, x, model.acts[i])
            else:  # the output layer: raw accumulators times the logit scale
                x = g.add("Mul", [x], [logit_scale], out=OUTPUT)
    elif kind == "cnn":
        size = 28

        def conv(x, qw):
            wq = weight_quant(g, qw, notes)
            k = int(qw.latent.shape[-1])
            return g.add("Conv", [x, wq], dilations=[1, 1], group=1, kernel_shape=[k, k],
                         pads=[0, 0, 0, 0], strides=[1, 1]), k

        for qw, bn, act in ((model.w1, model.bn1, model.act1), (model.w2, model.bn2, model.act2)):
            x, k = conv(x, qw)
            x = activation(g, batch_norm(g, x, bn), act)
            x = g.add("MaxPool", [x], ceil_mode=0, kernel_shape=[2, 2], pads=[0, 0, 0, 0], strides=[2, 2])
            size = (size - k + 1) // 2
        x, k = conv(x, model.w3)
        size = size - k + 1
        x = g.add("Mul", [x], [logit_scale])
        # adaptive_max_pool2d(x, 1) as torch.onnx writes it: one window over the whole map
        x = g.add("MaxPool", [x], kernel_shape=[size, size], pads=[0, 0, 0, 0], strides=[size, size])
        x = g.add("Flatten", [x], axis=1, out=OUTPUT)
    else:
        raise ExportError(f"unknown model kind '{kind}'")
    return g, notes


def make_model(g, name, eta):
    inp = helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [1, 1, 28, 28])
    out = helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [1, 10])
    graph = helper.make_graph(g.nodes, name, [inp], [out], initializer=g.inits)
    ann = graph.quantization_annotation.add()
    ann.tensor_name = INPUT
    e = ann.quant_parameter_tensor_names.add()
    e.key, e.value = "finn_datatype", "UINT8"
    m = helper.make_model(graph, producer_name="qnn-sim scripts/train/export_qonnx.py",
                          opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(DOMAIN, 1)])
    m.ir_version = IR_VERSION
    if eta is not None:
        p = m.metadata_props.add()
        p.key, p.value = "qsim.ternary_threshold", repr(float(eta))
        p = m.metadata_props.add()
        p.key, p.value = "qsim.ternary_latent_divisor", repr(2.0 * float(eta))  # see the module doc
    # shapes of the intermediate tensors (shape inference stops at the custom quantisers)
    env = run(m, np.zeros((1, 1, 28, 28), dtype=np.float32), dtype=np.float32, keep=True)
    for node in g.nodes:
        for o in node.output:
            if o != OUTPUT:
                graph_vi = helper.make_tensor_value_info(o, TensorProto.FLOAT, list(env[o].shape))
                m.graph.value_info.append(graph_vi)
    return m


# ---------------------------------------------------------------------------------------
# Evaluator: numpy, the operators this script writes

def _attrs(node):
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else v
    return out


def _bcast_channel(p, rank):
    return p.reshape([1, -1] + [1] * (rank - 2))


def _conv(x, w, at):
    if at.get("group", 1) != 1 or any(d != 1 for d in at.get("dilations", [1, 1])):
        raise ExportError("Conv: only group 1 without dilation")
    t, l, b, r = at.get("pads", [0, 0, 0, 0])
    sy, sx = at.get("strides", [1, 1])
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)))
    ho, wo = (h + t + b - kh) // sy + 1, (wd + l + r - kw) // sx + 1
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
    for ky in range(kh):
        for kx in range(kw):
            cols[:, :, ky, kx] = xp[:, :, ky:ky + sy * (ho - 1) + 1:sy, kx:kx + sx * (wo - 1) + 1:sx]
    out = np.tensordot(cols, w, axes=([1, 2, 3], [1, 2, 3]))  # [n, ho, wo, m]
    return out.transpose(0, 3, 1, 2)


def _maxpool(x, at):
    if at.get("ceil_mode", 0) or any(d != 1 for d in at.get("dilations", [1, 1])):
        raise ExportError("MaxPool: ceil_mode and dilation are not supported")
    kh, kw = at["kernel_shape"]
    sy, sx = at.get("strides", [1, 1])
    t, l, b, r = at.get("pads", [0, 0, 0, 0])
    xp = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=-np.inf)
    ho, wo = (xp.shape[2] - kh) // sy + 1, (xp.shape[3] - kw) // sx + 1
    out = np.full(x.shape[:2] + (ho, wo), -np.inf, dtype=x.dtype)
    for ky in range(kh):
        for kx in range(kw):
            out = np.maximum(out, xp[:, :, ky:ky + sy * (ho - 1) + 1:sy, kx:kx + sx * (wo - 1) + 1:sx])
    return out


def _node(node, ins, dtype):
    op, at = node.op_type, _attrs(node)
    custom = node.domain == DOMAIN
    if (op in ("Quant", "BipolarQuant")) != custom:
        raise ExportError(f"{node.name}: {op} in domain '{node.domain}'")
    if op == "Div":
        return ins[0] / ins[1]
    if op == "Mul":
        return ins[0] * ins[1]
    if op == "Flatten":
        a = at.get("axis", 1)
        return ins[0].reshape(int(np.prod(ins[0].shape[:a])), -1)
    if op == "Transpose":
        return np.transpose(ins[0], at["perm"])
    if op == "MatMul":
        return ins[0] @ ins[1]
    if op == "Conv":
        return _conv(ins[0], ins[1], at)
    if op == "BatchNormalization":
        x, gamma, beta, mean, var = ins
        r = x.ndim
        eps = dtype(at.get("epsilon", 1e-5))
        return ((x - _bcast_channel(mean, r)) / np.sqrt(_bcast_channel(var, r) + eps)
                * _bcast_channel(gamma, r) + _bcast_channel(beta, r))
    if op == "Relu":
        return np.maximum(ins[0], dtype(0))
    if op == "Quant":
        return quant(ins[0], ins[1], ins[2], ins[3], at.get("signed", 1), at.get("narrow", 0),
                     at.get("rounding_mode", "ROUND"))
    if op == "BipolarQuant":
        return bipolar_quant(ins[0], ins[1])
    if op == "MaxPool":
        return _maxpool(ins[0], at)
    raise ExportError(f"{node.name}: the evaluator does not know {op}")


def run(model, x, dtype=np.float64, keep=False):
    """Output of the graph for x [B, 1, 28, 28] (all tensors when keep)."""
    g = model.graph
    env = {}
    for t in g.initializer:
        a = numpy_helper.to_array(t)
        env[t.name] = a.astype(dtype) if a.dtype.kind == "f" else a
    env[g.input[0].name] = x.astype(dtype)
    for node in g.node:
        out = _node(node, [env[i] for i in node.input], dtype)
        env[node.output[0]] = np.asarray(out).astype(dtype, copy=False)
    return env if keep else env[g.output[0].name]


# ---------------------------------------------------------------------------------------
# Check

def constant_nodes(model):
    """Names of the nodes whose inputs are all constant (the weight quantisers, their Transpose)."""
    const = {t.name for t in model.graph.initializer}
    names = set()
    for node in model.graph.node:
        if all(i in const for i in node.input):
            names.add(node.name)
            const.update(node.output)
    return names


def qonnx_ops(model, consts):
    """The graph as graph.py's operator list, with QONNX's semantics (for graph.lower)."""
    ops = [("input", (1, 28, 28))]
    skip = constant_nodes(model)
    for node in model.graph.node:
        op, at = node.op_type, _attrs(node)
        if node.name in skip:
            continue
        k = [consts[i] for i in node.input[1:]]
        if op in ("Div", "Mul"):
            ops.append((op.lower(), f32(k[0])))
        elif op == "Flatten":
            ops.append(("flatten",))
        elif op == "MatMul":
            ops.append(("fc", np.ascontiguousarray(k[0].T).astype(np.float32), None))
        elif op == "Conv":
            ops.append(("conv", k[0].astype(np.float32), None, int(at["strides"][0]),
                        tuple(at["pads"]), int(at["group"])))
        elif op == "BatchNormalization":
            gamma, beta, mean, var = (np.asarray(v, dtype=np.float32) for v in k)
            ops.append(("bn", mean, var, gamma, beta, f32(at["epsilon"])))
        elif op == "Relu":
            ops.append(("relu",))
        elif op == "Quant":
            s, z, b = (float(v) for v in k)
            lo, hi = int_bounds(at["signed"], at["narrow"], int(b))
            ops += [("div", f32(s)), ("add", f32(z)), (at["rounding_mode"].lower(),),
                    ("clip", f32(lo), f32(hi)), ("sub", f32(z)), ("mul", f32(s))]
        elif op == "BipolarQuant":  # sign with 0 -> +1, exactly
            ops += [("floor",), ("add", f32(1)), ("clip", f32(0), f32(1)), ("mul", f32(2)),
                    ("sub", f32(1)), ("mul", f32(k[0]))]
        elif op == "MaxPool":
            ops.append(("maxpool", int(at["kernel_shape"][0]), int(at["strides"][0]), tuple(at["pads"])))
        else:
            raise ExportError(f"{node.name}: no operator-list form for {op}")
    return ops + [("output",)]


def read_predictions(path):
    with open(path) as f:
        return np.array([int(l) for l in f if l.strip() and not l.startswith("#")], dtype=np.int64)


def check(path, model, eta, images, predictions, qnnw=None):
    import torch
    import graph
    import qat
    import simfiles
    m = onnx.load(path)
    onnx.checker.check_model(m)
    print(f"check: onnx.checker.check_model passes ({path})")
    ok = True

    # 2. weight codes
    env32 = run(m, np.zeros((1, 1, 28, 28), np.float32), np.float32, keep=True)
    env64 = run(m, np.zeros((1, 1, 28, 28), np.float32), np.float64, keep=True)
    names = {n.name: n for n in m.graph.node}
    const = constant_nodes(m)
    quantisers = [n for n in m.graph.node if n.op_type in ("Quant", "BipolarQuant")]
    wq = [(n.name, n.output[0]) for n in quantisers if n.name in const]
    act_names = [n.name for n in quantisers if n.name not in const]
    if len(wq) != len(model.quant_weights()):
        raise ExportError(f"{len(wq)} weight quantisers in the file, {len(model.quant_weights())} in the model")
    for (name, out), qw in zip(wq, model.quant_weights()):
        codes = _np(qw.codes())
        same = env32[out].shape == codes.shape and np.array_equal(env32[out], codes) \
            and np.array_equal(env64[out], codes)
        nz = int((codes == 0).sum())
        print(f"check: {name} ({names[name].op_type}, {qw.quant}, {codes.size} weights, {nz} zeros): "
              f"codes {'equal' if same else 'DIFFER from'} the model's")
        ok &= same

    # 3. evaluation on the test images
    xte, _ = idx.fashion_mnist("test")
    x = xte[:images].astype(np.float32)[:, None]
    pred_ref = predictions[:images]
    if len(pred_ref) < images:
        raise ExportError(f"only {len(pred_ref)} reference predictions for {images} images")
    qat.set_deploy(model, True)
    acts = [mod for mod in model.modules() if isinstance(mod, (qat.UnsignedQuant, qat.BipolarQuant))]
    captured = {i: [] for i in range(len(acts))}
    hooks = [a.register_forward_hook(lambda mod, inp, out, i=i: captured[i].append(out.detach().numpy()))
             for i, a in enumerate(acts)]
    with torch.no_grad():
        model64 = model.double()
        ref64 = np.concatenate([model64(torch.from_numpy(x[i:i + 100]).double()).numpy()
                                for i in range(0, images, 100)])
        model.float()
    for h in hooks:
        h.remove()
    torch_acts = [np.concatenate(captured[i]) for i in range(len(acts))]
    with torch.no_grad():
        ref32 = np.concatenate([model(torch.from_numpy(x[i:i + 100])).numpy() for i in range(0, images, 100)])

    results = {}
    for dtype in (np.float64, np.float32):
        logits, act_out = [], {n: [] for n in act_names}
        for i in range(0, images, 100):
            env = run(m, x[i:i + 100], dtype, keep=True)
            logits.append(env[OUTPUT])
            for n in act_names:
                act_out[n].append(env[names[n].output[0]])
        results[dtype] = (np.concatenate(logits), {n: np.concatenate(v) for n, v in act_out.items()})

    l64 = results[np.float64][0]
    tied64 = np.sum(l64 == l64.max(axis=1, keepdims=True), axis=1) > 1
    for dtype in (np.float64, np.float32):
        logits, act_out = results[dtype]
        label = np.dtype(dtype).name
        pred = np.argmax(logits, axis=1)
        tied = int(np.sum(np.sum(logits == logits.max(axis=1, keepdims=True), axis=1) > 1))
        agree = int(np.sum(pred == pred_ref))
        untied_off = int(np.sum((pred != pred_ref) & ~tied64))
        scale = float(np.max(np.abs(ref64)))
        err = float(np.max(np.abs(logits - ref64))) / scale
        code_diff = []
        for n, t in zip(act_out, torch_acts):
            node = names[n]
            if node.op_type == "Quant":
                s = float(env64[node.input[1]])
                mq, tq = np.rint(act_out[n] / s), np.rint(t * round(1.0 / s))  # torch: code / L
            else:
                mq, tq = act_out[n], t
            code_diff.append(int(np.sum(mq != tq)))
        print(f"check [{label}]: arg max = integer reference on {agree} of {images} images "
              f"({tied} with tied top logits; differing where float64 has no tie: {untied_off}); max |logit - PyTorch deploy "
              f"(float64)| / max|logit| = {err:.2e}; "
              "activation codes differing from the model's: " +
              ", ".join(f"{n} {d} of {act_out[n].size}" for n, d in zip(act_out, code_diff)))
        if dtype == np.float64:
            ok &= agree == images and err <= 1e-6 and not any(code_diff)
    d32 = np.max(np.abs(ref32 - ref64), axis=1)
    print(f"check: (for comparison) PyTorch's float32 deploy model differs from its float64 by up to "
          f"{float(d32.max()) / float(np.max(np.abs(ref64))):.2e} of max|logit|, by more than 1e-6 of it on "
          f"{int(np.sum(d32 > 1e-6 * np.max(np.abs(ref64))))} images")

    # 4. lowering with QONNX semantics
    with torch.no_grad():
        net_m = graph.lower(model.ops(), ternary_threshold=eta)
    diffs, net_q = threshold_diffs(m, net_m, eta)
    same_bytes = diffs is not None and simfiles.weight_file_bytes(net_m) == simfiles.weight_file_bytes(net_q)
    layers = [l for l in net_m.layers if l.is_compute]
    print("check: lowered with QONNX semantics by graph.lower: " +
          ("the layers DIFFER from the model's" if diffs is None else
           "; ".join(f"{l.name} " + (("weights equal" if d == 0 else "weights DIFFER")
                                      if l.thresholds is None else
                                      f"{d} of {l.thresholds.size} thresholds (or the weights) differ")
                     for l, d in zip(layers, diffs))) +
          f"; weight file {'identical to' if same_bytes else 'DIFFERENT from'} the model's")
    ok &= same_bytes
    if qnnw and os.path.exists(qnnw):
        same = diffs is not None and simfiles.weight_file_bytes(net_q) == open(qnnw, "rb").read()
        print(f"check: (informational) that weight file is {'byte-identical to' if same else 'DIFFERENT from'} "
              f"{os.path.relpath(qnnw, ROOT)}" + ("" if same else " (written from another checkpoint?)"))
    return ok


def threshold_diffs(m, net_m, eta):
    """Per compute layer of net_m (the model lowered by graph.lower): how many of its integer
    thresholds differ when the QONNX graph m is lowered with QONNX semantics (None: the layers
    themselves differ). Weights that differ count as one difference."""
    import graph
    env = run(m, np.zeros((1, 1, 28, 28), np.float32), np.float64, keep=True)
    net_q = graph.lower(qonnx_ops(m, env), ternary_threshold=eta)
    if [(a.type, a.activation, a.act_bits) for a in net_m.layers] != \
            [(b.type, b.activation, b.act_bits) for b in net_q.layers]:
        return None, net_q
    out = []
    for a, b in zip(net_m.layers, net_q.layers):
        if a.is_compute:
            d = 0 if a.thresholds is None else int(np.sum(a.thresholds != b.thresholds))
            out.append(d + (0 if np.array_equal(a.weights, b.weights) else 1))
    return out, net_q


def _set_init(m, name, value):
    for t in m.graph.initializer:
        if t.name == name:
            t.CopyFrom(numpy_helper.from_array(np.asarray(value), name))
            return
    raise ExportError(f"no initializer {name}")


def fit_activation_scales(m, g, net_m, eta, notes):
    """The activation scale 1/(2^k - 1) is not a float32; QONNX's Quant divides by the float32
    while the model multiplies by 2^k - 1, which moves a threshold where the model's value
    lies within ~1e-7 relative of a rounding boundary. Each unsigned activation starts with the
    nearest float32; where the lowered thresholds then differ from the model's, the float32 on
    the other side of 1/(2^k - 1) is taken when it gives fewer differences (greedy, layer by
    layer). Returns the differences left per compute layer."""
    diffs, _ = threshold_diffs(m, net_m, eta)
    for name, levels, pname in g.unsigned_acts:
        if diffs is not None and not any(diffs):
            break
        near = f32(1.0 / levels)
        other = np.nextafter(near, f32(0.0) if float(near) > 1.0 / levels else f32(1.0))
        _set_init(m, pname, other)
        d2, _ = threshold_diffs(m, net_m, eta)
        if d2 is not None and (diffs is None or sum(d2) < sum(diffs)):
            notes.append(f"{name}: scale {float(other)!r} (the float32 on the other side of 1/{levels}) "
                         f"instead of the nearest {float(near)!r}, which moves {sum(diffs)} of the "
                         "model's thresholds")
            diffs = d2
        else:
            _set_init(m, pname, near)
    return diffs


# ---------------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="a NAME.pt written by train.py")
    p.add_argument("--out", help="the QONNX file (default configs/trained/qonnx/NAME.onnx)")
    p.add_argument("--check", action="store_true", help="verify the written file (see above)")
    p.add_argument("--images", type=int, default=1000, help="--check: test images (default 1000)")
    p.add_argument("--predictions", help="--check: integer-reference predictions "
                                         "(default configs/trained/NAME.predictions.txt)")
    p.add_argument("--qnnw", help="--check: a weight file to compare the lowered QONNX graph with "
                                  "(informational; default configs/trained/NAME.qnnw)")
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    import torch
    import qat
    torch.set_num_threads(a.threads)
    ck = torch.load(a.checkpoint)
    kind, name = ck["kind"], ck["record"]["name"]
    eta = ck["kwargs"].get("eta")
    model = qat.build(kind, **ck["kwargs"])
    model.load_state_dict(ck["state"])
    model.eval()
    qat.set_deploy(model, True)
    with torch.no_grad():
        g, notes = build_graph(model, kind)
    m = make_model(g, name, eta)
    import graph
    with torch.no_grad():
        net_m = graph.lower(model.ops(), ternary_threshold=eta)
    left = fit_activation_scales(m, g, net_m, eta, notes)
    if left is None or any(left):
        notes.append(f"WARNING: lowered with QONNX semantics, the thresholds differ from the model's "
                     f"(per compute layer: {left})")
    out = a.out or os.path.join(ROOT, "configs", "trained", "qonnx", name + ".onnx")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    data = m.SerializeToString()
    with open(out, "wb") as f:
        f.write(data)
    print(f"export_qonnx: wrote {out} ({len(data)} bytes), {len(g.nodes)} nodes: " +
          ", ".join(n.name for n in g.nodes))
    for n in notes:
        print(f"  {n}")
    if a.check:
        pred = read_predictions(a.predictions or os.path.join(ROOT, "configs", "trained", name + ".predictions.txt"))
        qnnw = a.qnnw or os.path.join(ROOT, "configs", "trained", name + ".qnnw")
        if not check(out, model, eta, a.images, pred, qnnw):
            raise SystemExit("export_qonnx: --check failed")
        print("export_qonnx: --check passed")


if __name__ == "__main__":
    main()
