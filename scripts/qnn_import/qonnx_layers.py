"""The QONNX front end's layers: Conv / MatMul / Gemm, pooling, Add, Concat, ArgMax / TopK, and the
shape operators (qonnx_front.py walks the graph; qonnx_nodes.py holds the element-wise part)."""
import numpy as np

import qonnx_nodes as qn
from ir import Layer, Stream, node_error
from qonnx_nodes import attrs, text

ELEMENTWISE_ALWAYS = ("Quant", "BipolarQuant", "Trunc", "Relu", "Clip", "Floor", "Round", "BatchNormalization")


def visit(lw, node):
    op = node.op_type
    data = [i for i in node.input if i and lw.t[i].kind != "const"]
    if op in ELEMENTWISE_ALWAYS or (op in ("Mul", "Div", "Sub", "Add") and len(data) == 1):
        if op in ("Quant", "BipolarQuant", "Trunc") and node.input[0] != data[0]:
            raise node_error(node, "a quantiser whose scale, zero point or bit width is not a constant")
        return qn.apply_elementwise(lw, node)
    handler = {"Conv": conv, "MatMul": fc, "Gemm": fc, "MaxPool": pool, "AveragePool": pool,
               "GlobalAveragePool": pool, "GlobalMaxPool": pool, "Add": add, "Concat": concat,
               "ArgMax": topk, "TopK": topk}.get(op)
    if handler is not None:
        return handler(lw, node)
    if op in ("Sub", "Mul", "Div"):
        raise node_error(node, f"{op} of two streams: only Add of two streams has an integer unit (add)")
    return reshape(lw, node)


def _new(lw, like, **kw):
    return type(like)(**kw)


def _input_stream(lw, node, name, what):
    t = lw.stream_of(name, node)
    s = t.stream
    if s.encoding == "accumulator":
        raise node_error(node, f"reads raw accumulators of layer {t.producer}: give that layer an activation quantiser")
    return t


def _uniform_scale(node, s, what):
    scale = np.asarray(s.scale, dtype=np.float64).reshape(-1)
    if np.any(scale != scale[0]):
        raise node_error(node, f"{what}: its input has a different scale per channel, which no integer "
                         "threshold can fold (FINN's streamlining cannot either): use one scale per tensor")
    if scale[0] <= 0:
        raise node_error(node, f"{what}: its input's scale is not positive")
    return float(scale[0])


def _offsets(s, c):
    return np.broadcast_to(np.asarray(s.offset, dtype=np.float64).reshape(-1), (c,)) if np.size(s.offset) in (1, c) else None


def _max_abs(s):
    lo, hi = s.value_range()
    return max(abs(lo), abs(hi))


def _pads(node, a, rank, one_d):
    pads = [int(p) for p in a.get("pads", [0] * (2 * (rank - 2)))]
    if text(a.get("auto_pad", "NOTSET")) not in ("NOTSET", "VALID"):
        raise node_error(node, "auto_pad SAME_*: give explicit pads")
    if rank == 3:
        return (pads[0], pads[1])
    top, left, bottom, right = pads
    if one_d:
        if left or right:
            raise node_error(node, f"pads {pads} pad the single column of a 1-D map")
        return (top, bottom)
    if (top, bottom) != (left, right):
        raise node_error(node, f"pads {pads} differ between rows and columns; the simulator pads both axes alike")
    return (top, bottom)


def _strides(node, a, rank, one_d):
    st = [int(s) for s in a.get("strides", [1] * (rank - 2))]
    if rank == 4 and not one_d and st[0] != st[1]:
        raise node_error(node, f"strides {st} differ between the axes")
    return st[0]


def _out(size, k, stride, pad):
    return (size + pad[0] + pad[1] - k) // stride + 1


def _layer_inputs(lw, node, producers):
    if any(p is None for p in producers) and (lw.net.layers or len(producers) > 1):
        raise node_error(node, "reads the network input, which only the first layer of the simulator can")
    return [p for p in producers if p is not None]


def conv(lw, node):
    a = attrs(node)
    t = _input_stream(lw, node, node.input[0], "Conv")
    s = t.stream
    codes, ws, quant, bits = qn.int_weights(lw, node.input[1], node, 0)
    if any(d != 1 for d in a.get("dilations", [1])):
        raise node_error(node, f"dilations {a['dilations']}: the sliding-window unit has no dilation")
    if codes.ndim == 3:
        codes = codes[..., None]
    n, cg, kh, kw = codes.shape
    c, h, w = t.shape
    one_d = kw == 1 and kh != 1 and w == 1
    if kh != kw and not one_d:
        raise node_error(node, f"a {kh} x {kw} kernel: windows are square, or K x 1 on an H x 1 map")
    groups = int(a.get("group", 1))
    if c != cg * groups:
        raise node_error(node, f"weights {list(codes.shape)} with group {groups} on {c} input channels")
    pad = _pads(node, a, t.rank, one_d)
    if t.pre_pad is not None:  # a Pad node's zeros before the Conv: one padding
        top, left, bottom, right = t.pre_pad
        if one_d and (left or right):
            raise node_error(node, "a Pad of the single column of a 1-D map")
        if not one_d and (top, bottom) != (left, right):
            raise node_error(node, f"a Pad of {list(t.pre_pad)} (top, left, bottom, right) differs between rows and "
                             "columns; the simulator pads both axes alike")
        pad = (pad[0] + top, pad[1] + bottom)
    stride = _strides(node, a, t.rank, one_d)
    alpha = _uniform_scale(node, s, "Conv")
    off = _offsets(s, c)
    if pad != (0, 0) and (s.encoding == "bipolar" or np.any(off != 0)):
        raise node_error(node, "zero padding of codes whose value is not 0 at code 0 (bipolar, or an offset): "
                         "the simulator pads with code 0")
    og = off.reshape(groups, 1, cg, 1, 1).repeat(n // groups, axis=1).reshape(n, cg, 1, 1)
    offsum = np.sum(codes * og, axis=(1, 2, 3))
    bias = np.asarray(lw.const(node.input[2], node), dtype=np.float64).reshape(-1) if len(node.input) > 2 and node.input[2] else 0.0
    W = codes.transpose(0, 2, 3, 1).reshape(n, -1)
    ho = _out(h, kh, stride, pad)
    wo = 1 if one_d else _out(w, kw, stride, pad)
    L = Layer(name=lw.layer_name(node, "conv"), type="conv", kernel=kh, kernel_width=1 if one_d else 0,
              stride=stride, pad=pad, groups=groups, filters=n, quant=quant, weight_bits=bits, weights=W,
              in_shape=(h, w, c), out_shape=(ho, wo, n), source=node.name or "Conv",
              inputs=_layer_inputs(lw, node, [t.producer]))
    bound = int(np.max(np.sum(np.abs(W), axis=1))) * _max_abs(s)
    lw.t[node.output[0]] = _new(lw, t, kind="pending", shape=(n, ho, wo), layer=L, rank=t.rank,
                                chain=[("affine", ws * alpha, ws * offsum + bias)], bound=bound)


def fc(lw, node):
    a = attrs(node)
    if node.op_type == "Gemm":
        if a.get("transA", 0):
            raise node_error(node, "transA = 1 is not supported")
        codes, ws, quant, bits = qn.int_weights(lw, node.input[1], node, 0 if a.get("transB", 0) else 1)
        codes = codes if a.get("transB", 0) else codes.T
        ws = ws * float(a.get("alpha", 1.0))
        bias = (np.asarray(lw.const(node.input[2], node), dtype=np.float64).reshape(-1) * float(a.get("beta", 1.0))
                if len(node.input) > 2 and node.input[2] else 0.0)
    else:
        if lw.t[node.input[1]].kind != "const":
            raise node_error(node, "the weight must be the second operand and a constant")
        codes, ws, quant, bits = qn.int_weights(lw, node.input[1], node, 1)
        codes, bias = codes.T, 0.0
    t = _input_stream(lw, node, node.input[0], node.op_type)
    s = t.stream
    src = t.flat_from or (t.shape if len(t.shape) == 3 else (t.shape[0], 1, 1))
    c, h, w = src
    if len(t.shape) == 3 and t.shape[1:] != (1, 1):
        raise node_error(node, f"a matrix product on a {list(t.shape)} map: flatten it first")
    n, k = codes.shape
    if k != c * h * w:
        raise node_error(node, f"weights with {k} inputs on a tensor of {c * h * w} values")
    alpha = _uniform_scale(node, s, node.op_type)
    off = _offsets(s, c)
    codes4 = codes.reshape(n, c, h, w)
    offsum = np.sum(codes4 * off.reshape(1, c, 1, 1), axis=(1, 2, 3))
    W = codes4.transpose(0, 2, 3, 1).reshape(n, k)  # ONNX flattens (c, y, x); the simulator reads (y, x, c)
    L = Layer(name=lw.layer_name(node, "fc"), type="fc", filters=n, quant=quant, weight_bits=bits, weights=W,
              in_shape=(h, w, c), out_shape=(1, 1, n), source=node.name or node.op_type,
              inputs=_layer_inputs(lw, node, [t.producer]))
    bound = int(np.max(np.sum(np.abs(W), axis=1))) * _max_abs(s)
    lw.t[node.output[0]] = _new(lw, t, kind="pending", shape=(n,), layer=L, rank=2,
                                chain=[("affine", ws * alpha, ws * offsum + bias)], bound=bound)


def pool(lw, node):
    op, a = node.op_type, attrs(node)
    src = lw.t[node.input[0]]
    if (src.kind == "pending" and op in ("MaxPool", "GlobalMaxPool") and src.layer.is_compute
            and qn.qc.last_quantiser(src.chain) is None):
        t = lw.close(src, node, final=True)  # max pooling of raw accumulators (an output layer)
    else:
        t = _input_stream(lw, node, node.input[0], op)
    s = t.stream
    if len(t.shape) != 3:
        raise node_error(node, "pooling of a flattened tensor")
    c, h, w = t.shape
    scale = np.asarray(s.scale, dtype=np.float64)
    if op in ("MaxPool", "GlobalMaxPool") and np.any(scale <= 0):
        raise node_error(node, "max pooling of values that fall as their codes grow (a negative scale)")
    glob = op.startswith("Global")
    kern = [int(k) for k in a.get("kernel_shape", [h, w])]
    if not glob and t.rank == 3:
        kern = [kern[0], 1]
    one_d = not glob and kern[1] == 1 and kern[0] != 1 and w == 1
    if not glob and kern[0] != kern[1] and not one_d:
        raise node_error(node, f"a {kern[0]} x {kern[1]} window: windows are square, or K x 1 on an H x 1 map")
    if any(d != 1 for d in a.get("dilations", [1])):
        raise node_error(node, "dilated pooling")
    pad = (0, 0) if glob else _pads(node, a, t.rank, one_d)
    stride = 1 if glob else _strides(node, a, t.rank, one_d)
    if not glob and a.get("ceil_mode", 0):
        if any((size + sum(pad) - k) % stride for size, k in ((h, kern[0]), (w, kern[1])) if not (one_d and k == 1)):
            raise node_error(node, "ceil_mode = 1 with a window that overhangs: the simulator rounds down")
    whole = not glob and kern[0] == h and kern[1] == w and pad == (0, 0)
    kind = {"MaxPool": "maxpool", "GlobalMaxPool": "global_maxpool", "AveragePool": "avgpool",
            "GlobalAveragePool": "global_avgpool"}[op]
    if whole:
        kind = "global_" + kind
    if kind == "avgpool" and pad != (0, 0):
        raise node_error(node, "average pooling with padding: the simulator's pooling unit does not pad a sum")
    if kind in ("maxpool",) and pad != (0, 0) and (s.encoding == "bipolar" or np.any(np.asarray(s.offset) != 0)):
        raise node_error(node, "padded max pooling of codes whose value at code 0 is not 0")
    ho, wo = (1, 1) if kind.startswith("global") else (_out(h, kern[0], stride, pad), 1 if one_d else _out(w, kern[1], stride, pad))
    L = Layer(name=lw.layer_name(node, kind), type=kind, in_shape=(h, w, c), out_shape=(ho, wo, c),
              source=node.name or op, inputs=_layer_inputs(lw, node, [t.producer]))
    if not kind.startswith("global"):
        L.kernel, L.kernel_width, L.stride, L.pad = kern[0], 1 if one_d else 0, stride, pad
    out = s
    if kind.endswith("avgpool"):
        area = h * w if kind.startswith("global") else kern[0] * (1 if one_d else kern[1])
        lo, hi = s.value_range()
        from qonnx_front import sum_encoding
        enc, bits = sum_encoding(lo * area, hi * area)
        out = Stream(enc, bits, scale / area if scale.size > 1 else float(scale) / area, s.offset)
    L.out = out
    lw.net.layers.append(L)
    lw.t[node.output[0]] = _new(lw, t, kind="stream", shape=(c, ho, wo), stream=out, producer=L.name, rank=t.rank)


def add(lw, node):
    ta, tb = (_input_stream(lw, node, i, "Add") for i in node.input[:2])
    if ta.shape != tb.shape:
        raise node_error(node, f"adds tensors of shapes {list(ta.shape)} and {list(tb.shape)}")
    sa, sb = _uniform_scale(node, ta.stream, "Add"), _uniform_scale(node, tb.stream, "Add")
    if abs(sa - sb) > 1e-6 * max(sa, sb):
        raise node_error(node, f"adds streams of scales {sa:g} and {sb:g}: the adder sums codes, so both inputs "
                         "need one scale (requantise one branch to the other's scale)")
    if len(ta.shape) != 3:
        raise node_error(node, "an add of flattened tensors")
    c, h, w = ta.shape
    L = Layer(name=lw.layer_name(node, "add"), type="add", in_shape=(h, w, c), out_shape=(h, w, c),
              source=node.name or "Add", inputs=_layer_inputs(lw, node, [ta.producer, tb.producer]))
    (la, ha), (lb, hb) = ta.stream.value_range(), tb.stream.value_range()
    offset = np.asarray(ta.stream.offset, dtype=np.float64) + np.asarray(tb.stream.offset, dtype=np.float64)
    lw.t[node.output[0]] = _new(lw, ta, kind="pending", shape=ta.shape, layer=L, rank=ta.rank,
                                chain=[("affine", sa, offset)], bound=max(abs(la + lb), abs(ha + hb)),
                                sum_range=(la + lb, ha + hb))


def concat(lw, node):
    a = attrs(node)
    ts = [_input_stream(lw, node, i, "Concat") for i in node.input]
    axis = int(a.get("axis", 1))
    if any(len(t.shape) != 3 for t in ts) or axis not in (1, -3, -ts[0].rank + 1):
        raise node_error(node, "a concat other than along the channels of maps")
    if len({t.shape[1:] for t in ts}) != 1:
        raise node_error(node, "joins maps of different heights or widths")
    encs = {t.stream.encoding for t in ts}
    h, w = ts[0].shape[1:]
    c = sum(t.channels for t in ts)
    scale = np.concatenate([np.broadcast_to(np.asarray(t.stream.scale, float).reshape(-1), (t.channels,)) for t in ts])
    offset = np.concatenate([np.broadcast_to(np.asarray(t.stream.offset, float).reshape(-1), (t.channels,)) for t in ts])
    if len(encs) == 1:
        enc, bits = encs.pop(), max(t.stream.bits for t in ts)
    else:  # several encodings leave as signed values
        from qonnx_front import sum_encoding
        enc, bits = sum_encoding(min(t.stream.value_range()[0] for t in ts), max(t.stream.value_range()[1] for t in ts))
        enc = "signed"
    from qonnx_front import squeeze
    out = Stream(enc, bits, squeeze(scale), squeeze(offset))
    if enc == "signed" and any(t.stream.encoding == "bipolar" for t in ts):
        pass  # a bipolar code c leaves as the value 2c - 1: the same value mapping
    L = Layer(name=lw.layer_name(node, "concat"), type="concat", in_shape=(h, w, ts[0].channels), out_shape=(h, w, c),
              source=node.name or "Concat", inputs=_layer_inputs(lw, node, [t.producer for t in ts]))
    L.out = out
    lw.net.layers.append(L)
    lw.t[node.output[0]] = _new(lw, ts[0], kind="stream", shape=(c, h, w), stream=out, producer=L.name, rank=ts[0].rank)


def topk(lw, node):
    a = attrs(node)
    src = lw.t[node.input[0]]
    if src.kind == "pending" and qn.qc.last_quantiser(src.chain) is None:
        t = lw.close(src, node, final=True)  # the label select reads raw accumulators too
    else:
        t = lw.stream_of(node.input[0], node)
    s = t.stream
    c = t.channels
    if len(t.shape) == 3 and t.shape[1:] != (1, 1):
        raise node_error(node, "label selection over a map: it needs a vector (1 x 1 x C)")
    axis = int(a.get("axis", -1 if node.op_type == "TopK" else 0))
    if axis not in (1, -1, -t.rank + 1) and not (len(t.shape) == 3 and axis == 1):
        raise node_error(node, f"axis {axis}: labels are selected over the channels")
    if node.op_type == "ArgMax":
        if a.get("select_last_index", 0):
            raise node_error(node, "select_last_index = 1: the simulator's label select keeps the first of equal values")
        k = 1
    else:
        k = int(np.asarray(lw.const(node.input[1], node)).reshape(-1)[0])
        if not a.get("largest", 1):
            raise node_error(node, "largest = 0: the label select takes the largest values")
    if not 1 <= k <= c:
        raise node_error(node, f"k = {k} of {c} values")
    scale = np.asarray(s.scale, dtype=np.float64).reshape(-1)
    if np.any(scale != scale[0]) or scale[0] <= 0 or np.any(np.asarray(s.offset) != np.asarray(s.offset).reshape(-1)[0]):
        raise node_error(node, "the values' per-channel scale or offset would change their order: the simulator "
                         "selects labels on the integer codes")
    L = Layer(name=lw.layer_name(node, "topk"), type="topk", k=k, in_shape=(1, 1, c), out_shape=(1, 1, k),
              source=node.name or node.op_type, inputs=_layer_inputs(lw, node, [t.producer]))
    L.out = Stream("unsigned", max(1, (c - 1).bit_length()), 1.0, 0.0)
    lw.net.layers.append(L)
    idx = node.output[1] if node.op_type == "TopK" else node.output[0]
    lw.t[idx] = _new(lw, t, kind="stream", shape=(k,), stream=L.out, producer=L.name, rank=2)
    if node.op_type == "TopK":
        lw.t[node.output[0]] = _new(lw, t, kind="topk_values")


def onnx_shape(t):
    """The ONNX shape of a tensor the walk knows, with the batch of 1."""
    return (1,) + tuple(t.shape) if t.rank != 3 else (1, t.shape[0], t.shape[1])


def reshape(lw, node):
    op, a = node.op_type, attrs(node)
    t = lw.t[node.input[0]]
    if t.kind in ("input", "topk_values"):
        t = lw.stream_of(node.input[0], node) if t.kind == "input" else t
    if t.kind == "topk_values":
        raise node_error(node, "uses the values of a TopK: the simulator delivers the indices only")
    full = onnx_shape(t)
    size = int(np.prod(full))
    if op in ("Identity", "Dropout"):
        lw.t[node.output[0]] = t
        return
    if op == "Pad":
        return pad(lw, node, t)
    if (op == "Transpose" and len(full) == 4 and list(a.get("perm", [])) == [0, 2, 3, 1]
            and node.output[0] == lw.g.output[0].name):
        # The output map in NHWC order (an NHWC model): the simulator's own order.
        out = _clone(t, t.shape, t.rank, t.flat_from)
        out.nhwc = True
        lw.t[node.output[0]] = out
        return
    if op == "Flatten":
        ax = int(a.get("axis", 1))
        new = (int(np.prod(full[:ax])), int(np.prod(full[ax:])))
    elif op == "Reshape":
        target = [int(d) for d in np.asarray(lw.const(node.input[1], node)).reshape(-1)]
        target = [full[i] if d == 0 else d for i, d in enumerate(target)]
        if -1 in target:
            known = int(np.prod([d for d in target if d != -1]))
            target[target.index(-1)] = size // known
        new = tuple(target)
    elif op in ("Squeeze", "Unsqueeze"):
        axes = lw.t[node.input[1]].value if len(node.input) > 1 and node.input[1] else a.get("axes")
        axes = [int(x) for x in np.asarray(axes).reshape(-1)] if axes is not None else None
        if op == "Squeeze":
            axes = [x % len(full) for x in axes] if axes else [i for i, d in enumerate(full) if d == 1 and i]
            new = tuple(d for i, d in enumerate(full) if i not in axes)
        else:
            new = list(full)
            for x in sorted(x % (len(full) + len(axes)) for x in axes):
                new.insert(x, 1)
            new = tuple(new)
    elif op == "Transpose":
        perm = a.get("perm", list(range(len(full)))[::-1])
        new = tuple(full[p] for p in perm)
        moved = [p for p in perm if full[p] != 1]
        if moved != sorted(moved):
            raise node_error(node, f"a transpose {list(perm)} that moves data: the simulator streams NHWC maps as "
                             "the ONNX NCHW model describes them; transposes are only allowed around size-1 axes")
    else:
        raise node_error(node, f"operator {op} is not supported")
    if int(np.prod(new)) != size or (new and new[0] != 1):
        raise node_error(node, f"reshapes {list(full)} to {list(new)}")
    dims = [d for d in new[1:]]
    if len(dims) == 1:
        shape, rank = (dims[0],), 2
        flat_from = t.flat_from or (t.shape if len(t.shape) == 3 and t.shape[1:] != (1, 1) else None)
    elif len(dims) in (2, 3):
        nz_old = [d for d in full[1:] if d != 1]
        nz_new = [d for d in dims if d != 1]
        if nz_old != nz_new or dims[0] != (t.channels if len(t.shape) == 3 else t.shape[0]) and t.flat_from is None:
            if t.flat_from is not None and tuple(dims) == tuple(t.flat_from):
                shape, rank, flat_from = tuple(t.flat_from), 4, None
                lw.t[node.output[0]] = _clone(t, shape, rank, flat_from)
                return
            raise node_error(node, f"reshapes {list(full)} to {list(new)}: only flattening and size-1 axes are supported")
        shape = tuple(dims) + (1,) * (3 - len(dims))
        rank, flat_from = len(new), None
    else:
        raise node_error(node, f"reshapes {list(full)} to {list(new)}")
    lw.t[node.output[0]] = _clone(t, shape, rank, flat_from)


def pad(lw, node, t):
    """A Pad of zeros around a map, kept for the Conv that reads it (visit refuses other readers)."""
    a = attrs(node)
    if text(a.get("mode", "constant")) != "constant":
        raise node_error(node, f"mode {text(a.get('mode'))}: only zero padding")
    pads = a.get("pads")
    if pads is None:
        pads = lw.const(node.input[1], node)
    pads = [int(p) for p in np.asarray(pads).reshape(-1)]
    value = a.get("value", 0.0)
    if len(node.input) > 2 and node.input[2]:
        value = float(np.asarray(lw.const(node.input[2], node)).reshape(-1)[0])
    if value != 0:
        raise node_error(node, f"pads with {value}: only zeros")
    if t.kind == "pending":
        t = lw.stream_of(node.input[0], node)
    r = len(pads) // 2
    if r != t.rank or any(pads[i] or pads[i + r] for i in (0, 1)) or len(t.shape) != 3:
        raise node_error(node, f"pads {pads}: only the rows and columns of a map")
    begin, end = pads[2:r], pads[r + 2:]
    top, bottom = begin[0], end[0]
    left, right = (begin[1], end[1]) if r == 4 else (0, 0)
    out = _clone(t, t.shape, t.rank, t.flat_from)
    out.pre_pad = (top, left, bottom, right)
    lw.t[node.output[0]] = out


def _clone(t, shape, rank, flat_from):
    c = type(t)(t.kind, shape=shape, value=t.value, stream=t.stream, producer=t.producer, layer=t.layer,
                chain=t.chain, bound=t.bound, flat_from=flat_from, sum_range=t.sum_range, rank=rank,
                pre_pad=t.pre_pad, nhwc=t.nhwc)
    return c
