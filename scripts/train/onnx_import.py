"""ONNX -> the operator list of graph.py, so that a network exported by torch.onnx.export (or
any tool writing the same operators) is lowered exactly like a PyTorch model.

The graph must be a single chain from the one input to the one output (constants aside):
  Div/Mul/Add/Sub by a constant (scalar, or one value per channel), Flatten, Reshape to
  [batch, -1], Gemm (transA = 0) or MatMul by a constant weight, Conv (no dilation),
  BatchNormalization (inference), Relu, Clip, Floor, Round, MaxPool (ceil_mode 0),
  GlobalMaxPool, Identity.
Weights must already be quantised (values {-a, +a} or {-a, 0, +a} per layer). The input holds
the raw pixels (values 0..255). The model's metadata_props may carry
`qsim.ternary_threshold` (the eta used in training, informational, written into the config).
"""
import numpy as np
import onnx
from onnx import numpy_helper

from graph import LowerError


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _const_eval(node, consts):
    """Evaluates a node whose inputs are all constants (the few kinds exporters emit)."""
    ins = [consts[i] for i in node.input if i]
    t = node.op_type
    if t == "Identity":
        return ins[0]
    if t == "Cast":
        to = _attrs(node)["to"]
        return ins[0].astype(onnx.helper.tensor_dtype_to_np_dtype(to))
    if t in ("Add", "Sub", "Mul", "Div"):
        f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[t]
        return f(ins[0], ins[1]).astype(ins[0].dtype)
    if t == "Sqrt":
        return np.sqrt(ins[0])
    if t == "Reshape":
        return ins[0].reshape(ins[1])
    if t == "Unsqueeze":
        axes = ins[1] if len(ins) > 1 else _attrs(node)["axes"]
        out = ins[0]
        for a in sorted(int(x) for x in np.asarray(axes).reshape(-1)):
            out = np.expand_dims(out, a)
        return out
    raise LowerError(f"ONNX node {node.name or t}: cannot evaluate constant {t}")


def _channel_const(c, rank, what):
    """A constant that broadcasts as a scalar or as one value per channel (axis 1)."""
    c = np.asarray(c, dtype=np.float32)
    if c.size == 1:
        return np.float32(c.reshape(-1)[0])
    shape = list(c.shape)
    while len(shape) < rank:
        shape.insert(0, 1)
    if len(shape) != rank or any(d != 1 for i, d in enumerate(shape) if i != 1):
        raise LowerError(f"{what}: constant of shape {list(c.shape)} is neither a scalar nor one "
                         "value per channel")
    return c.reshape(-1)


def ops_from_onnx(path):
    """(operator list, ternary threshold or None) of an ONNX file."""
    model = onnx.load(path)
    g = model.graph
    consts = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    inputs = [i for i in g.input if i.name not in consts]
    if len(inputs) != 1 or len(g.output) != 1:
        raise LowerError(f"{path}: expected one input and one output, found {len(inputs)} and {len(g.output)}")
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
    if len(dims) != 4 or 0 in dims[1:]:
        raise LowerError(f"{path}: input must be [batch, C, H, W], got {dims}")
    ops = [("input", tuple(dims[1:]))]
    data, rank = inputs[0].name, 4

    for node in g.node:
        t, at = node.op_type, _attrs(node)
        where = f"{path}: node {node.name or t} ({t})"
        if t == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(at["value"])
            continue
        if all((i in consts) or not i for i in node.input):
            consts[node.output[0]] = _const_eval(node, consts)
            continue
        if data not in node.input:
            raise LowerError(f"{where}: not on the chain from the input (the graph must be one chain)")
        others = [i for i in node.input if i and i != data]
        if any(o not in consts for o in others):
            raise LowerError(f"{where}: a second non-constant input")
        k = [consts[o] for o in others]
        if t in ("Mul", "Add", "Div", "Sub"):
            c = _channel_const(k[0], rank, where)
            if node.input[0] == data:
                ops.append((t.lower(), c))
            elif t in ("Mul", "Add"):
                ops.append((t.lower(), c))
            elif t == "Sub":
                ops += [("mul", np.float32(-1.0)), ("add", c)]
            else:
                raise LowerError(f"{where}: division by the data tensor")
        elif t == "Gemm":
            if at.get("transA", 0):
                raise LowerError(f"{where}: transA is not supported")
            W = k[0] if at.get("transB", 0) else k[0].T
            W = (W * np.float32(at.get("alpha", 1.0))).astype(np.float32)
            bias = (k[1] * np.float32(at.get("beta", 1.0))).astype(np.float32).reshape(-1) if len(k) > 1 else None
            ops.append(("fc", W, bias))
            rank = 2
        elif t == "MatMul":
            if node.input[0] != data:
                raise LowerError(f"{where}: the weight must be the second operand")
            ops.append(("fc", np.ascontiguousarray(k[0].T).astype(np.float32), None))
            rank = 2
        elif t == "Conv":
            if any(d != 1 for d in at.get("dilations", [1, 1])):
                raise LowerError(f"{where}: dilation is not supported")
            if at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
                raise LowerError(f"{where}: auto_pad is not supported; give explicit pads")
            strides = at.get("strides", [1, 1])
            if strides[0] != strides[1]:
                raise LowerError(f"{where}: strides {strides} differ between the axes")
            bias = k[1].astype(np.float32) if len(k) > 1 else None
            ops.append(("conv", k[0].astype(np.float32), bias, int(strides[0]),
                        tuple(int(p) for p in at.get("pads", [0, 0, 0, 0])), int(at.get("group", 1))))
        elif t == "BatchNormalization":
            if at.get("training_mode", 0):
                raise LowerError(f"{where}: training-mode batch norm; export the model in eval mode")
            scale, bias, mean, var = k
            ops.append(("bn", mean.astype(np.float32), var.astype(np.float32), scale.astype(np.float32),
                        bias.astype(np.float32), np.float32(at.get("epsilon", 1e-5))))
        elif t in ("Relu", "Floor", "Round"):
            ops.append((t.lower(),))
        elif t == "Clip":
            lo = at.get("min", -np.inf)
            hi = at.get("max", np.inf)
            ins = list(node.input)
            if len(ins) > 1 and ins[1]:
                lo = consts[ins[1]]
            if len(ins) > 2 and ins[2]:
                hi = consts[ins[2]]
            ops.append(("clip", np.float32(lo), np.float32(hi)))
        elif t == "MaxPool":
            if at.get("ceil_mode", 0) or any(d != 1 for d in at.get("dilations", [1, 1])):
                raise LowerError(f"{where}: ceil_mode and dilation are not supported")
            ks, strides = at["kernel_shape"], at.get("strides", [1, 1])
            if ks[0] != ks[1] or strides[0] != strides[1]:
                raise LowerError(f"{where}: non-square pooling window or stride")
            ops.append(("maxpool", int(ks[0]), int(strides[0]),
                        tuple(int(p) for p in at.get("pads", [0, 0, 0, 0]))))
        elif t == "GlobalMaxPool":
            ops.append(("gmp",))
        elif t == "Flatten":
            if at.get("axis", 1) != 1:
                raise LowerError(f"{where}: only axis 1 is supported")
            ops.append(("flatten",))
            rank = 2
        elif t == "Reshape":
            shape = [int(s) for s in np.asarray(k[0]).reshape(-1)]
            if len(shape) != 2 or (shape[1] != -1 and shape[0] not in (-1, 0, 1)):
                raise LowerError(f"{where}: only a reshape to [batch, -1] (a flatten) is supported")
            ops.append(("flatten",))
            rank = 2
        elif t == "Identity":
            pass
        else:
            raise LowerError(f"{where}: unsupported operator {t}")
        data = node.output[0]
    if data != g.output[0].name:
        raise LowerError(f"{path}: the chain ends at '{data}', not at the output '{g.output[0].name}'")
    ops.append(("output",))
    meta = {p.key: p.value for p in model.metadata_props}
    eta = float(meta["qsim.ternary_threshold"]) if "qsim.ternary_threshold" in meta else None
    return ops, eta
