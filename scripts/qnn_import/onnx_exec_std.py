"""Standard ONNX operators of the NumPy reference executor (see onnx_exec.py for the API and the
number conventions in onnx_exec_common.py). Each function takes a NodeCtx and returns the list of
output values."""
import numpy as np
from onnx import mapping



def _axis(ctx, axis, rank):
    if not -rank <= axis < max(rank, 1):
        ctx.fail("axis %d out of range for rank %d" % (axis, rank))
    return axis % rank if rank else 0


def _ints_input_or_attr(ctx, index, name):
    """Values given as input `index` (newer opsets) or as attribute `name` (older ones)."""
    v = ctx.inp(index, required=False)
    if v is not None:
        return [int(x) for x in np.asarray(v).ravel()]
    a = ctx.attr(name)
    return None if a is None else [int(x) for x in a]


# ---------------------------------------------------------------- elementwise
def _binary(fn):
    def op(ctx):
        a, b = ctx.inp(0), ctx.inp(1)
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            ctx.fail("shapes %s and %s do not broadcast" % (a.shape, b.shape))
        return [fn(ctx, a, b)]
    return op


def _div(ctx, a, b):
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        if np.any(b == 0):
            ctx.fail("integer division by zero")
        q = np.abs(a) // np.abs(b)               # ONNX integer Div truncates toward zero
        return (np.sign(a) * np.sign(b) * q).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return a / b


def _unary(fn):
    return lambda ctx: [fn(ctx.inp(0))]


def _sigmoid(x):
    x = x.astype(np.float64)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def op_relu(ctx):
    x = ctx.inp(0)
    return [np.maximum(x, 0).astype(x.dtype)]


def op_clip(ctx):
    x = ctx.inp(0)
    if len(ctx.inputs) > 1:
        lo, hi = ctx.inp(1, required=False), ctx.inp(2, required=False)
    else:
        lo, hi = ctx.attr("min"), ctx.attr("max")
    if lo is not None:
        x = np.maximum(x, np.asarray(lo).reshape(()))
    if hi is not None:
        x = np.minimum(x, np.asarray(hi).reshape(()))
    return [x]


def op_batchnorm(ctx):
    x, scale, bias, mean, var = (ctx.inp(i) for i in range(5))
    if ctx.attr("training_mode", 0):
        ctx.fail("training_mode=1 is not supported (inference only)")
    if x.ndim < 2:
        ctx.fail("input must have a channel axis, shape %s" % (x.shape,))
    c = x.shape[1]
    for name, p in (("scale", scale), ("B", bias), ("mean", mean), ("var", var)):
        if p.size != c:
            ctx.fail("%s has %d values for %d channels" % (name, p.size, c))
    shape = (1, c) + (1,) * (x.ndim - 2)
    eps = float(ctx.attr("epsilon", 1e-5))
    inv = scale.reshape(shape) / np.sqrt(var.reshape(shape) + eps)
    return [(x - mean.reshape(shape)) * inv + bias.reshape(shape)]


# ---------------------------------------------------------------- matrix products
def op_matmul(ctx):
    a, b = ctx.inp(0), ctx.inp(1)
    if a.ndim == 0 or b.ndim == 0:
        ctx.fail("MatMul operands must not be scalars")
    ka = a.shape[-1]
    kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if ka != kb:
        ctx.fail("inner dimensions differ: %s x %s" % (a.shape, b.shape))
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        ctx.fail("batch dimensions do not broadcast: %s x %s" % (a.shape, b.shape))
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        return [np.matmul(a, b)]
    return [np.matmul(a.astype(np.float64), b.astype(np.float64))]


def op_gemm(ctx):
    a, b, c = ctx.inp(0), ctx.inp(1), ctx.inp(2, required=False)
    if a.ndim != 2 or b.ndim != 2:
        ctx.fail("A and B must be 2-D, got %s and %s" % (a.shape, b.shape))
    if ctx.attr("transA", 0):
        a = a.T
    if ctx.attr("transB", 0):
        b = b.T
    if a.shape[1] != b.shape[0]:
        ctx.fail("inner dimensions differ: %s x %s (after transA/transB)" % (a.shape, b.shape))
    y = float(ctx.attr("alpha", 1.0)) * np.matmul(a.astype(np.float64), b.astype(np.float64))
    if c is not None:
        try:
            cb = np.broadcast_to(c, y.shape)
        except ValueError:
            ctx.fail("C of shape %s does not broadcast to %s" % (c.shape, y.shape))
        y = y + float(ctx.attr("beta", 1.0)) * cb
    return [y]


# ---------------------------------------------------------------- convolution and pooling
def _spatial_pads(ctx, in_sp, kernel, strides, dilations):
    """Begin/end padding per spatial axis from auto_pad or pads."""
    nd = len(in_sp)
    mode = ctx.attr("auto_pad", "NOTSET")
    if mode in ("NOTSET", ""):
        pads = ctx.attr_ints("pads", [0] * (2 * nd))
        if len(pads) != 2 * nd:
            ctx.fail("pads has %d values for %d spatial axes" % (len(pads), nd))
        return pads[:nd], pads[nd:]
    if mode == "VALID":
        return [0] * nd, [0] * nd
    if mode not in ("SAME_UPPER", "SAME_LOWER"):
        ctx.fail("unknown auto_pad %s" % mode)
    begin, end = [], []
    for i in range(nd):
        out = -(-in_sp[i] // strides[i])
        total = max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in_sp[i], 0)
        small = total // 2
        big = total - small
        begin.append(small if mode == "SAME_UPPER" else big)
        end.append(big if mode == "SAME_UPPER" else small)
    return begin, end


def op_conv(ctx):
    x, w, b = ctx.inp(0), ctx.inp(1), ctx.inp(2, required=False)
    if x.ndim < 3 or w.ndim != x.ndim:
        ctx.fail("X %s and W %s must both be N x C x spatial" % (x.shape, w.shape))
    nd = x.ndim - 2
    kernel = list(w.shape[2:])
    if ctx.has_attr("kernel_shape") and ctx.attr_ints("kernel_shape") != kernel:
        ctx.fail("kernel_shape %s differs from W %s" % (ctx.attr_ints("kernel_shape"), w.shape))
    group = int(ctx.attr("group", 1))
    strides = ctx.attr_ints("strides", [1] * nd, nd)
    dil = ctx.attr_ints("dilations", [1] * nd, nd)
    n, c = x.shape[:2]
    m, cg = w.shape[:2]
    if group < 1 or c != cg * group or m % group:
        ctx.fail("channels do not fit group=%d: X has %d, W is %s" % (group, c, w.shape))
    if b is not None and b.size != m:
        ctx.fail("bias has %d values for %d output channels" % (b.size, m))
    pb, pe = _spatial_pads(ctx, x.shape[2:], kernel, strides, dil)
    out = [(x.shape[2 + i] + pb[i] + pe[i] - dil[i] * (kernel[i] - 1) - 1) // strides[i] + 1
           for i in range(nd)]
    if min(out) < 1:
        ctx.fail("empty output: input %s, kernel %s, pads %s/%s" % (x.shape, kernel, pb, pe))
    xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0)] + list(zip(pb, pe)))
    xg = xp.reshape((n, group, cg) + xp.shape[2:])
    wg = w.astype(np.float64).reshape((group, m // group, cg) + tuple(kernel))
    y = np.zeros((n, group, m // group) + tuple(out))
    for k in np.ndindex(*kernel):
        sl = tuple(slice(k[i] * dil[i], k[i] * dil[i] + strides[i] * (out[i] - 1) + 1, strides[i])
                   for i in range(nd))
        patch = xg[(slice(None),) * 3 + sl]
        y += np.einsum("ngc...,gmc->ngm...", patch, wg[(slice(None),) * 3 + k])
    y = y.reshape((n, m) + tuple(out))
    if b is not None:
        y = y + b.reshape((1, m) + (1,) * nd)
    return [y]


def pool_nd(ctx, x, kind, kernel, strides, pads_begin, pads_end, dilations, ceil_mode,
            count_include_pad=False):
    """Max ('max'), average ('avg') or sum ('sum') pooling over the trailing len(kernel) axes.
    With ceil_mode the output size rounds up, but a window may not start in the end padding
    (PyTorch's rule, which current ONNX follows)."""
    nd = len(kernel)
    lead = x.ndim - nd
    in_sp = x.shape[lead:]
    out = []
    for i in range(nd):
        span = in_sp[i] + pads_begin[i] + pads_end[i] - dilations[i] * (kernel[i] - 1) - 1
        if span < 0:
            ctx.fail("window larger than padded input on axis %d" % (lead + i))
        o = (-(-span // strides[i]) if ceil_mode else span // strides[i]) + 1
        if ceil_mode and (o - 1) * strides[i] >= in_sp[i] + pads_begin[i]:
            o -= 1
        out.append(o)
    extra = [max((out[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1
                 - (in_sp[i] + pads_begin[i] + pads_end[i]), 0) for i in range(nd)]
    widths = [(0, 0)] * lead + [(pads_begin[i], pads_end[i] + extra[i]) for i in range(nd)]
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x.astype(np.float64), widths, constant_values=fill)
    valid = np.pad(np.ones(in_sp), [w for w in widths[lead:]])        # real input elements
    inpad = np.pad(np.ones([in_sp[i] + pads_begin[i] + pads_end[i] for i in range(nd)]),
                   [(0, e) for e in extra])                           # input or explicit pads
    y = np.full(x.shape[:lead] + tuple(out), fill)
    count = np.zeros(tuple(out))
    for k in np.ndindex(*kernel):
        sl = tuple(slice(k[i] * dilations[i], k[i] * dilations[i] + strides[i] * (out[i] - 1) + 1,
                         strides[i]) for i in range(nd))
        patch = xp[(Ellipsis,) + sl]
        if kind == "max":
            y = np.maximum(y, patch)
        else:
            y = y + patch
            count += (inpad if count_include_pad else valid)[sl]
    if kind == "avg":
        y = y / np.maximum(count, 1)
    return y


def _pool_attrs(ctx, x):
    nd = x.ndim - 2
    if nd < 1:
        ctx.fail("input must be N x C x spatial, got %s" % (x.shape,))
    kernel = ctx.attr_ints("kernel_shape")
    if kernel is None or len(kernel) != nd:
        ctx.fail("kernel_shape must have %d values, got %s" % (nd, kernel))
    strides = ctx.attr_ints("strides", [1] * nd, nd)
    dil = ctx.attr_ints("dilations", [1] * nd, nd)
    pb, pe = _spatial_pads(ctx, x.shape[2:], kernel, strides, dil)
    return kernel, strides, pb, pe, dil, int(ctx.attr("ceil_mode", 0))


def op_maxpool(ctx):
    """MaxPool (kernel_shape, strides, pads / auto_pad, dilations, ceil_mode); padding never
    wins the max. The optional Indices output is not supported."""
    x = ctx.inp(0)
    if ctx.wants(1):
        ctx.fail("the Indices output is not supported")
    return [pool_nd(ctx, x, "max", *_pool_attrs(ctx, x))]


def op_avgpool(ctx):
    """AveragePool: the divisor counts the input elements of the window, plus its explicit
    padding when count_include_pad=1; the ceil_mode overhang past the padding never counts."""
    x = ctx.inp(0)
    return [pool_nd(ctx, x, "avg", *_pool_attrs(ctx, x),
                    count_include_pad=bool(ctx.attr("count_include_pad", 0)))]


def op_global_pool(fn):
    def op(ctx):
        x = ctx.inp(0)
        if x.ndim < 3:
            ctx.fail("input must be N x C x spatial, got %s" % (x.shape,))
        return [fn(x.astype(np.float64), axis=tuple(range(2, x.ndim)), keepdims=True)]
    return op


# ---------------------------------------------------------------- shape manipulation
def op_flatten(ctx):
    x = ctx.inp(0)
    axis = int(ctx.attr("axis", 1))
    axis = axis + x.ndim if axis < 0 else axis
    if not 0 <= axis <= x.ndim:
        ctx.fail("axis %d out of range for rank %d" % (axis, x.ndim))
    return [x.reshape(int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:])))]


def op_reshape(ctx):
    x = ctx.inp(0)
    shape = [int(v) for v in np.asarray(ctx.inp(1)).ravel()]
    allowzero = int(ctx.attr("allowzero", 0))
    out = []
    for i, d in enumerate(shape):
        if d == 0 and not allowzero:
            if i >= x.ndim:
                ctx.fail("shape %s copies dimension %d of a rank-%d input" % (shape, i, x.ndim))
            out.append(x.shape[i])
        else:
            out.append(d)
    if out.count(-1) > 1 or any(d < -1 for d in out):
        ctx.fail("invalid target shape %s" % shape)
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1]))
        if known == 0 or x.size % known:
            ctx.fail("cannot reshape %s into %s" % (x.shape, shape))
        out[out.index(-1)] = x.size // known
    if int(np.prod(out)) != x.size:
        ctx.fail("cannot reshape %s (%d values) into %s" % (x.shape, x.size, out))
    return [x.reshape(out)]


def op_transpose(ctx):
    x = ctx.inp(0)
    perm = ctx.attr_ints("perm", list(range(x.ndim))[::-1])
    if sorted(perm) != list(range(x.ndim)):
        ctx.fail("perm %s is not a permutation of %d axes" % (perm, x.ndim))
    return [np.transpose(x, perm)]


def op_concat(ctx):
    xs = [v for v in ctx.inputs if v is not None]
    if not xs:
        ctx.fail("no inputs")
    axis = _axis(ctx, int(ctx.req_attr("axis")), xs[0].ndim)
    for v in xs[1:]:
        if v.ndim != xs[0].ndim or any(v.shape[i] != xs[0].shape[i]
                                       for i in range(v.ndim) if i != axis):
            ctx.fail("shapes %s do not concatenate on axis %d" % ([u.shape for u in xs], axis))
    return [np.concatenate(xs, axis=axis)]


def op_identity(ctx):
    ctx.out_layouts[0] = ctx.in_layouts[0] if ctx.in_layouts else None
    return [ctx.inp(0)]


def op_constant(ctx):
    for name in ("value", "value_float", "value_floats", "value_int", "value_ints"):
        if ctx.has_attr(name):
            v = ctx.attr(name)
            if name in ("value_float", "value_floats"):
                return [np.asarray(v, dtype=np.float64)]
            if name in ("value_int", "value_ints"):
                return [np.asarray(v, dtype=np.int64)]
            return [v]
    ctx.fail("no supported value attribute (value, value_float(s), value_int(s))")


def op_squeeze(ctx):
    x = ctx.inp(0)
    axes = _ints_input_or_attr(ctx, 1, "axes")
    if not axes:                                   # no axes: drop every size-1 axis
        return [x.reshape([d for d in x.shape if d != 1])]
    axes = sorted({_axis(ctx, a, x.ndim) for a in axes})
    for a in axes:
        if x.shape[a] != 1:
            ctx.fail("cannot squeeze axis %d of shape %s" % (a, x.shape))
    return [np.squeeze(x, axis=tuple(axes))]


def op_unsqueeze(ctx):
    x = ctx.inp(0)
    axes = _ints_input_or_attr(ctx, 1, "axes")
    if not axes:
        ctx.fail("axes are required")
    rank = x.ndim + len(axes)
    axes = sorted(_axis(ctx, a, rank) for a in axes)
    if len(set(axes)) != len(axes):
        ctx.fail("repeated axes %s" % axes)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return [x.reshape(shape)]


def op_shape(ctx):
    shape = np.asarray(ctx.inp(0).shape, dtype=np.int64)
    start = int(ctx.attr("start", 0))
    end = ctx.attr("end")
    return [shape[start:end if end is None else int(end)]]


def op_gather(ctx):
    data, idx = ctx.inp(0), np.asarray(ctx.inp(1))
    if idx.dtype.kind not in "iu":
        ctx.fail("indices must be integers")
    axis = _axis(ctx, int(ctx.attr("axis", 0)), data.ndim)
    n = data.shape[axis]
    if np.any(idx < -n) or np.any(idx >= n):
        ctx.fail("index out of range [-%d, %d)" % (n, n))
    return [np.take(data, np.where(idx < 0, idx + n, idx), axis=axis)]


def op_cast(ctx):
    x = ctx.inp(0)
    to = int(ctx.req_attr("to"))
    np_type = mapping.TENSOR_TYPE_TO_NP_TYPE.get(to)
    if np_type is None or np.dtype(np_type).kind not in "fiub":
        ctx.fail("unsupported target type %d" % to)
    np_type = np.dtype(np_type)
    if np_type.kind == "f":        # round to the target precision, keep float64 storage
        return [x.astype(np_type).astype(np.float64)]
    if np_type.kind == "b":
        return [x != 0]
    if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
        ctx.fail("cannot cast non-finite values to an integer type")
    return [np.trunc(x).astype(np_type).astype(np.int64)]


def op_pad(ctx):
    x = ctx.inp(0)
    mode = ctx.attr("mode", "constant")
    if mode != "constant":
        ctx.fail("only mode=constant is supported, got %s" % mode)
    pads = _ints_input_or_attr(ctx, 1, "pads")
    value = ctx.inp(2, required=False)
    value = float(np.asarray(value).ravel()[0]) if value is not None and np.asarray(value).size \
        else float(ctx.attr("value", 0.0))
    axes = ctx.inp(3, required=False)                      # opset 18
    axes = list(range(x.ndim)) if axes is None else [_axis(ctx, int(a), x.ndim)
                                                     for a in np.asarray(axes).ravel()]
    if pads is None or len(pads) != 2 * len(axes):
        ctx.fail("pads %s do not fit %d axes" % (pads, len(axes)))
    y = x
    for j, a in enumerate(axes):
        b, e = pads[j], pads[j + len(axes)]
        if b < 0 or e < 0:                      # negative pads crop
            sl = [slice(None)] * y.ndim
            sl[a] = slice(max(-b, 0), y.shape[a] - max(-e, 0))
            y = y[tuple(sl)]
        width = [(0, 0)] * y.ndim
        width[a] = (max(b, 0), max(e, 0))
        y = np.pad(y, width, constant_values=value)
    return [y]


# ---------------------------------------------------------------- reductions and selection
def op_argmax(ctx):
    x = ctx.inp(0)
    axis = _axis(ctx, int(ctx.attr("axis", 0)), x.ndim)
    if ctx.attr("select_last_index", 0):
        r = x.shape[axis] - 1 - np.argmax(np.flip(x, axis=axis), axis=axis)
    else:
        r = np.argmax(x, axis=axis)
    if ctx.attr("keepdims", 1):
        r = np.expand_dims(r, axis)
    return [r.astype(np.int64)]


def topk(values, k, axis, largest):
    """Indices and values of the k largest (smallest) entries along axis; equal values keep
    the lower index first (ONNX TopK's tie rule)."""
    order = np.argsort(-values if largest else values, axis=axis, kind="stable")
    idx = np.take(order, np.arange(k), axis=axis)
    return np.take_along_axis(values, idx, axis=axis), idx.astype(np.int64)


def op_topk(ctx):
    x = ctx.inp(0)
    k = ctx.inp(1, required=False)
    k = int(np.asarray(k).ravel()[0]) if k is not None else int(ctx.req_attr("k"))
    axis = _axis(ctx, int(ctx.attr("axis", -1)), x.ndim)
    if not 0 <= k <= x.shape[axis]:
        ctx.fail("k=%d out of range for axis of size %d" % (k, x.shape[axis]))
    vals, idx = topk(x, k, axis, bool(ctx.attr("largest", 1)))
    return [vals, idx]


def _reduce(fn):
    def op(ctx):
        x = ctx.inp(0)
        axes = _ints_input_or_attr(ctx, 1, "axes")
        if not axes:
            if ctx.attr("noop_with_empty_axes", 0):
                return [x]
            axes = list(range(x.ndim))
        axes = tuple(sorted({_axis(ctx, a, x.ndim) for a in axes}))
        return [fn(x.astype(np.float64), axis=axes, keepdims=bool(ctx.attr("keepdims", 1)))]
    return op


def op_softmax(ctx):
    x = ctx.inp(0).astype(np.float64)
    if ctx.opset >= 13:
        axis = _axis(ctx, int(ctx.attr("axis", -1)), x.ndim)
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return [e / np.sum(e, axis=axis, keepdims=True)]
    axis = int(ctx.attr("axis", 1))               # opset < 13: coerce to 2-D at axis
    axis = axis + x.ndim if axis < 0 else axis
    flat = x.reshape(int(np.prod(x.shape[:axis])), -1)
    e = np.exp(flat - np.max(flat, axis=1, keepdims=True))
    return [(e / np.sum(e, axis=1, keepdims=True)).reshape(x.shape)]


def op_dropout(ctx):
    x = ctx.inp(0)
    return [x, np.ones(x.shape, dtype=bool) if ctx.wants(1) else None]


STD_OPS = {
    "Add": _binary(lambda ctx, a, b: a + b),
    "Sub": _binary(lambda ctx, a, b: a - b),
    "Mul": _binary(lambda ctx, a, b: a * b),
    "Div": _binary(_div),
    "Relu": op_relu,
    "Clip": op_clip,
    "Floor": _unary(np.floor),
    "Round": _unary(np.round),                   # half to even, as ONNX Round
    "Sign": _unary(np.sign),
    "Sigmoid": _unary(_sigmoid),
    "Tanh": _unary(np.tanh),
    "BatchNormalization": op_batchnorm,
    "MatMul": op_matmul,
    "Gemm": op_gemm,
    "Conv": op_conv,
    "MaxPool": op_maxpool,
    "AveragePool": op_avgpool,
    "GlobalAveragePool": op_global_pool(np.mean),
    "GlobalMaxPool": op_global_pool(np.max),
    "Flatten": op_flatten,
    "Reshape": op_reshape,
    "Transpose": op_transpose,
    "Concat": op_concat,
    "Identity": op_identity,
    "Constant": op_constant,
    "Squeeze": op_squeeze,
    "Unsqueeze": op_unsqueeze,
    "Shape": op_shape,
    "Gather": op_gather,
    "Cast": op_cast,
    "Pad": op_pad,
    "ArgMax": op_argmax,
    "TopK": op_topk,
    "ReduceMean": _reduce(np.mean),
    "ReduceMax": _reduce(np.max),
    "Softmax": op_softmax,
    "Dropout": op_dropout,
}
