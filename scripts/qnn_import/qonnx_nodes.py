"""The QONNX front end's handling of each operator (qonnx_front.py walks the graph)."""
import re

import numpy as np
import onnx

import qonnx_chain as qc
from ir import ImportError_, Layer, Stream, node_error


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def text(v):
    return v.decode() if isinstance(v, bytes) else v


# ---------------------------------------------------------------------------------------
# Data types

def annotation(graph, tensor):
    """The finn_datatype annotation of a tensor, or None."""
    for qa in graph.quantization_annotation:
        if qa.tensor_name == tensor:
            for kv in qa.quant_parameter_tensor_names:
                if kv.key == "finn_datatype":
                    return kv.value
    return None


def datatype_stream(dt, what):
    """(encoding, bits, scale, offset) of the simulator's input codes for a FINN data type."""
    m = re.fullmatch(r"(U?INT)(\d+)", dt)
    if m:
        bits = int(m.group(2))
        if not 1 <= bits <= 16:
            raise ImportError_(f"{what}: data type {dt}: the simulator's input takes 1..16 bits")
        return ("unsigned" if m.group(1) == "UINT" else "signed"), bits, 1.0, 0.0
    if dt == "BINARY":
        return "unsigned", 1, 1.0, 0.0
    if dt == "BIPOLAR":  # code 0 is -1, code 1 is +1
        return "unsigned", 1, 2.0, -1.0
    raise ImportError_(f"{what}: data type {dt} is not an integer type (UINTn, INTn, BINARY, BIPOLAR)")


# ---------------------------------------------------------------------------------------
# Constants

def bipolar_scale(node, s):
    """A BipolarQuant's scale, checked."""
    if not np.all(np.isfinite(s)) or np.any(np.asarray(s) <= 0):
        raise node_error(node, "a scale that is not a positive finite number")
    return s


def quant_op(node, s, z, bits):
    """The qonnx_chain op ("quant", scale, zeropt, bits, signed, narrow, mode) of a Quant node whose
    scale, zero point and bit width are s, z, bits (scalars or arrays), checked."""
    a = attrs(node)
    bipolar_scale(node, s)
    if np.size(bits) != 1 or not np.isfinite(bits) or float(bits) != int(bits) or int(bits) < 1:
        raise node_error(node, f"bit width {np.asarray(bits).reshape(-1)[:3].tolist()} is not a positive integer")
    if not np.all(np.isfinite(z)) or np.any(np.asarray(z) != np.round(z)):
        raise node_error(node, "a zero point that is not an integer")
    mode = text(a.get("rounding_mode", "ROUND")).upper()
    if mode not in qc.ROUNDING:
        raise node_error(node, f"rounding mode {mode} is not one of {', '.join(qc.ROUNDING)}")
    return ("quant", s, z, int(bits), int(a.get("signed", 1)), int(a.get("narrow", 0)), mode)


def _quant_const(lw, node, ins):
    x = np.asarray(ins[0], dtype=np.float64)
    if node.op_type == "BipolarQuant":
        s = bipolar_scale(node, np.asarray(ins[1], dtype=np.float64))
        codes = np.where(x >= 0, 1, -1)
        lw.wq[node.output[0]] = (codes, s, "bipolar", 1)
        return codes * s
    op = quant_op(node, *(np.asarray(v, dtype=np.float64) for v in ins[1:4]))
    s = op[1]
    codes = qc.quant_codes(x, *op[1:]).astype(np.int64)
    lw.wq[node.output[0]] = (codes, s, "quant", op[3])
    return codes * s


def fold_constant(lw, node):
    """The value of a node whose inputs are all constants."""
    ins = [lw.t[i].value if i else None for i in node.input]
    t, a = node.op_type, attrs(node)
    if t in ("Quant", "BipolarQuant"):
        return _quant_const(lw, node, ins)
    if t in ("Identity", "Dropout"):
        if node.input[0] in lw.wq:
            lw.wq[node.output[0]] = lw.wq[node.input[0]]
        return ins[0]
    if t == "Transpose":
        perm = a.get("perm", list(range(np.ndim(ins[0])))[::-1])
        if node.input[0] in lw.wq:
            codes, s, kind, bits = lw.wq[node.input[0]]
            s = np.transpose(s, perm) if np.ndim(s) == np.ndim(codes) else s
            lw.wq[node.output[0]] = (np.transpose(codes, perm), s, kind, bits)
        return np.transpose(ins[0], perm)
    if t == "Cast":
        return ins[0].astype(onnx.helper.tensor_dtype_to_np_dtype(a["to"]))
    if t in ("Add", "Sub", "Mul", "Div"):
        f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[t]
        return f(ins[0], ins[1])
    if t == "Neg":
        return -ins[0]
    if t == "Sqrt":
        return np.sqrt(ins[0])
    if t == "Reshape":
        shape = [int(d) for d in ins[1]]
        shape = [ins[0].shape[i] if d == 0 else d for i, d in enumerate(shape)]
        return ins[0].reshape(shape)
    if t in ("Unsqueeze", "Squeeze"):
        axes = ins[1] if len(ins) > 1 and ins[1] is not None else a.get("axes")
        out = ins[0]
        if t == "Squeeze":
            return np.squeeze(out, axis=tuple(int(x) for x in axes)) if axes is not None else np.squeeze(out)
        for ax in sorted(int(x) for x in np.asarray(axes).reshape(-1)):
            out = np.expand_dims(out, ax)
        return out
    if t == "Concat":
        return np.concatenate(ins, axis=int(a["axis"]))
    if t == "Flatten":
        ax = int(a.get("axis", 1))
        return ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
    if t == "Shape":
        return np.asarray(ins[0].shape, dtype=np.int64)
    if t == "Gather":
        return np.take(ins[0], ins[1], axis=int(a.get("axis", 0)))
    raise node_error(node, f"cannot evaluate {t} on constants")


def int_weights(lw, name, node, out_axis):
    """(codes int64 in W's layout, per-output-channel scale [N], quant, bits) of a weight input."""
    W = np.asarray(lw.const(name, node), dtype=np.float64)
    n = W.shape[out_axis]
    if name in lw.wq:
        codes, s, kind, _ = lw.wq[name]
        s = np.broadcast_to(np.asarray(s, dtype=np.float64), W.shape)
        rows = np.moveaxis(s, out_axis, 0).reshape(n, -1)
        if np.any(rows != rows[:, :1]):
            raise node_error(node, f"weight {name}: a quantiser scale that varies within an output channel")
        scale = rows[:, 0].copy()
        if np.any(scale <= 0):
            raise node_error(node, f"weight {name}: a quantiser scale <= 0")
    else:
        codes, kind = np.rint(W), None
        scale = np.ones(n)
        if np.max(np.abs(W - codes)) > 0:
            alpha = float(np.max(np.abs(W)))
            q = W / alpha if alpha else W
            codes = np.rint(q)
            if alpha == 0 or np.max(np.abs(q - codes)) > 1e-6:
                raise node_error(node, f"weight {name} holds float values: quantise it with a Quant or "
                                 "BipolarQuant node (or give integer, binary {-a, +a} or ternary {-a, 0, +a} values)")
            scale[:] = alpha
        codes = codes.astype(np.int64)
    flat = np.unique(codes)
    if kind == "bipolar" or (kind is None and set(flat.tolist()) <= {-1, 1}):
        return codes, scale, "binary", 1
    if set(flat.tolist()) <= {-1, 0, 1}:
        return codes, scale, "ternary", 2
    m = int(np.max(np.abs(codes)))
    bits = max(2, m.bit_length() + 1)
    if bits > 8:
        raise node_error(node, f"weight {name}: integer weights up to {m} need {bits} bits; the datapaths "
                         "take at most 8 (a symmetric range: -2^(b-1) needs one bit more; use narrow_range)")
    return codes, scale, "uniform", bits


def chan_const(c, t, node):
    """A constant operand as a scalar or one value per channel of tensor t."""
    c = np.asarray(c, dtype=np.float64)
    if c.size == 1:
        return float(c.reshape(-1)[0])
    rank = t.rank
    shape = (1,) * (rank - c.ndim) + c.shape
    if len(shape) != rank or shape[1] != t.channels or any(d != 1 for i, d in enumerate(shape) if i != 1):
        raise node_error(node, f"constant of shape {list(c.shape)} is neither a scalar nor one value per "
                         f"channel of a tensor of {t.channels} channels")
    return c.reshape(-1)


# ---------------------------------------------------------------------------------------
# Element-wise operators

def elementwise_op(lw, node, t):
    """The qonnx_chain op a node applies to its data input t."""
    op, a = node.op_type, attrs(node)
    data = [i for i in node.input if i and lw.t[i].kind != "const"]
    k = [lw.t[i].value for i in node.input[1:] if i]
    if op in ("Mul", "Add", "Sub", "Div"):
        other = node.input[1] if node.input[0] == data[0] else node.input[0]
        c = chan_const(lw.t[other].value, t, node)
        first = node.input[0] == data[0]
        if op == "Mul":
            return ("affine", c, 0.0)
        if op == "Add":
            return ("affine", 1.0, c)
        if op == "Sub":
            return ("affine", 1.0, -np.asarray(c)) if first else ("affine", -1.0, c)
        if not first:
            raise node_error(node, "a division by the data tensor")
        return ("affine", 1.0 / np.asarray(c), 0.0)
    if op == "Quant":
        return quant_op(node, *(chan_const(v, t, node) for v in k[:3]))
    if op == "BipolarQuant":
        return ("bipolar", bipolar_scale(node, chan_const(k[0], t, node)))
    if op == "Trunc":
        s, z = chan_const(k[0], t, node), chan_const(k[1], t, node)
        ib, ob = (float(np.asarray(v).reshape(-1)[0]) for v in k[2:4])
        if ib != int(ib) or ob != int(ob) or ob > ib:
            raise node_error(node, f"bit widths {ib} -> {ob} are not integers that narrow")
        return ("trunc", s, z, int(ib), int(ob), text(a.get("rounding_mode", "FLOOR")).upper())
    if op in ("Relu", "Floor", "Round"):
        return (op.lower(),)
    if op == "Clip":
        lo, hi = a.get("min", -np.inf), a.get("max", np.inf)
        if len(node.input) > 1 and node.input[1]:
            lo = lw.t[node.input[1]].value
        if len(node.input) > 2 and node.input[2]:
            hi = lw.t[node.input[2]].value
        return ("clip", float(lo), float(hi))
    if op == "BatchNormalization":
        if a.get("training_mode", 0):
            raise node_error(node, "training-mode batch norm; export the model in eval mode")
        gamma, beta, mean, var = (np.asarray(v, dtype=np.float64).reshape(-1) for v in k[:4])
        if any(v.size != t.channels for v in (gamma, beta, mean, var)):
            raise node_error(node, f"parameters of {gamma.size} channels on a tensor of {t.channels}")
        g = np.asarray(gamma) / np.sqrt(np.asarray(var) + float(a.get("epsilon", 1e-5)))
        return ("affine", g, np.asarray(beta) - np.asarray(mean) * g)
    raise node_error(node, f"{op} is not element-wise")


def apply_elementwise(lw, node):
    data = [i for i in node.input if i and lw.t[i].kind != "const"]
    t = lw.t[data[0]]
    op = elementwise_op(lw, node, t)
    T = type(t)
    if t.kind == "pending":
        lw.t[node.output[0]] = T("pending", shape=t.shape, layer=t.layer, chain=t.chain + [op], bound=t.bound,
                                 flat_from=t.flat_from, sum_range=t.sum_range, rank=t.rank)
        return
    s = t.stream
    lo, hi = s.value_range() if s.encoding != "accumulator" else (-(2 ** 31), 2 ** 31 - 1)
    n = t.channels
    r = qc.remap_levels(op, lo, hi, qc.col(s.scale, n).reshape(-1), qc.col(s.offset, n).reshape(-1), n)
    if r is None:
        return requantiser(lw, node, t, op)
    from qonnx_front import squeeze
    lw.t[node.output[0]] = T("stream", shape=t.shape, stream=Stream(s.encoding, s.bits, squeeze(r[0]), squeeze(r[1])),
                             producer=t.producer, flat_from=t.flat_from, rank=t.rank)


def requantiser(lw, node, t, op):
    """A nonlinear op on codes that no layer's thresholds can take (the input's, a pooling layer's, an
    adder's sum or a concat's): a threshold unit of its own, as FINN's standalone Thresholding, built
    as a 1 x 1 depthwise conv of +1 weights (its accumulator is the decoded value) whose thresholds
    the op and the ops after it fold into."""
    s = t.stream
    where = f"layer {t.producer}" if t.producer else "the network input"
    if s.encoding == "accumulator":
        raise node_error(node, f"a nonlinear op on the raw accumulators of {where}: give that layer an activation")
    c, h, w = t.shape if len(t.shape) == 3 else (t.flat_from or (t.shape[0], 1, 1))
    for v in op[1:]:
        if np.size(v) not in (1, c) and not isinstance(v, str):
            raise node_error(node, f"per-value constants on a flattened map of {c} channels")
    from qonnx_layers import _layer_inputs
    L = Layer(name=lw.layer_name(node, "threshold"), type="conv", kernel=1, stride=1, groups=c, filters=c,
              quant="binary", weight_bits=1, weights=np.ones((c, 1), dtype=np.int64), in_shape=(h, w, c),
              out_shape=(h, w, c), inputs=_layer_inputs(lw, node, [t.producer]),
              source=f"{node.name or node.op_type}: a threshold unit of its own (a 1 x 1 depthwise conv of +1 weights)")
    lo, hi = s.value_range()
    lw.t[node.output[0]] = type(t)("pending", shape=t.shape, layer=L, chain=[("affine", s.scale, s.offset), op],
                                   bound=max(abs(lo), abs(hi)), flat_from=t.flat_from, rank=t.rank)
