"""QONNX and FINN custom operators of the NumPy reference executor (see onnx_exec.py).

The semantics follow the QONNX operator specs (Quant, BipolarQuant, Trunc) and FINN's Python
execution of its custom ops (execute_node); every choice that is not spelled out there is noted
where it is made. FINN HW tensors are NHWC / channels-last.
"""
import numpy as np

try:
    from .onnx_exec_common import (IM2COL, datatype_range, exact_matmul, integer_sum_bound,
                                   is_integral, max_int, min_int, rounding_function)
    from .onnx_exec_std import pool_nd, topk
except ImportError:  # run with scripts/qnn_import itself on sys.path
    from onnx_exec_common import (IM2COL, datatype_range, exact_matmul, integer_sum_bound,
                                  is_integral, max_int, min_int, rounding_function)
    from onnx_exec_std import pool_nd, topk


def _broadcast_check(ctx, *arrays):
    try:
        np.broadcast_shapes(*[a.shape for a in arrays])
    except ValueError:
        ctx.fail("shapes %s do not broadcast" % [a.shape for a in arrays])


def _scalar_int(ctx, value, what):
    v = np.asarray(value, dtype=np.float64)
    if v.size != 1 or v.ravel()[0] != np.floor(v.ravel()[0]) or v.ravel()[0] < 1:
        ctx.fail("%s must be one positive integer, got %s" % (what, np.asarray(value).tolist()))
    return int(v.ravel()[0])


def _dtype_bits(ctx, name):
    try:
        lo, hi, is_int = datatype_range(name)
    except ValueError as e:
        ctx.fail(str(e))
    if not is_int:
        ctx.fail("datatype %s is not an integer type" % name)
    return 2 if str(name).upper() == "TERNARY" else max(int(hi - lo).bit_length(), 1)


# ---------------------------------------------------------------- QONNX quantisers
def op_quant(ctx):
    """QONNX Quant / IntQuant: q = clamp(x / scale + zeropt, min_int, max_int), rounded, then
    y = (q - zeropt) * scale. Clamping precedes rounding as in the spec (the bounds are integers,
    so the order does not change the result). A 1-bit signed Quant yields +-1 (x/scale+zeropt >= 0
    -> +1), as QONNX's own execution does, since the clamp range [-1, 0] would be meaningless."""
    x, scale, zeropt, bits = (ctx.inp(i) for i in range(4))
    _broadcast_check(ctx, x, scale, zeropt)
    bits = _scalar_int(ctx, bits, "bitwidth")
    signed, narrow = int(ctx.attr("signed", 1)), int(ctx.attr("narrow", 0))
    try:
        rnd = rounding_function(ctx.attr("rounding_mode", "ROUND"))
    except Exception as e:
        ctx.fail(str(e))
    q = x.astype(np.float64) / scale + zeropt
    if bits == 1 and signed:
        q = np.where(q >= 0, 1.0, -1.0)
    else:
        q = rnd(np.clip(q, min_int(signed, narrow, bits), max_int(signed, narrow, bits)))
    return [(q - zeropt) * scale]


def op_bipolar_quant(ctx):
    """QONNX BipolarQuant: y = +scale where x >= 0, -scale elsewhere."""
    x, scale = ctx.inp(0), ctx.inp(1)
    _broadcast_check(ctx, x, scale)
    return [np.where(x >= 0, 1.0, -1.0) * scale]


def op_trunc(ctx):
    """QONNX Trunc. 5 inputs (x, scale, zeropt, in_bits, out_bits; spec v1): q = round_half_even(
    x/scale + zeropt) / 2^(in_bits - out_bits), rounded by rounding_mode (default FLOOR), then
    (q - zeropt) * scale. 6 inputs (x, scale, zeropt, in_bits, out_scale, out_bits; spec v2) or 7
    (..., out_scale, out_zeropt, out_bits; QONNX's implementation, which does not use out_zeropt):
    the shift is 2^round(log2(out_scale/scale)), q is clamped to the signed/narrow range of
    out_bits before rounding and y = (q - zeropt/shift) * out_scale."""
    n = len(ctx.inputs)
    x, scale, zeropt, in_bits = (ctx.inp(i) for i in range(4))
    try:
        rnd = rounding_function(ctx.attr("rounding_mode", "FLOOR"))
    except Exception as e:
        ctx.fail(str(e))
    q = np.round(x.astype(np.float64) / scale + zeropt)
    if n == 5:
        out_bits = np.asarray(ctx.inp(4), dtype=np.float64)
        q = rnd(q / 2.0 ** (np.asarray(in_bits, dtype=np.float64) - out_bits))
        return [(q - zeropt) * scale]
    if n not in (6, 7):
        ctx.fail("Trunc takes 5, 6 or 7 inputs, got %d" % n)
    out_scale = ctx.inp(4)
    out_bits = _scalar_int(ctx, ctx.inp(n - 1), "output bit width")
    shift = 2.0 ** np.round(np.log2(out_scale / scale))
    signed, narrow = int(ctx.attr("signed", 1)), int(ctx.attr("narrow", 0))
    q = np.clip(q / shift, min_int(signed, narrow, out_bits), max_int(signed, narrow, out_bits))
    return [(rnd(q) - zeropt / shift) * out_scale]


def threshold_count(ctx, values, thresholds, axis=-1):
    """Per channel (along `axis`), the number of thresholds t with value >= t. thresholds has
    shape (C, T) or (1, T) (one row shared by every channel)."""
    thr = np.asarray(thresholds, dtype=np.float64)
    if thr.ndim != 2:
        ctx.fail("thresholds must be 2-D (channels, steps), got shape %s" % (thr.shape,))
    v = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    if thr.shape[0] not in (1, v.shape[-1]):
        ctx.fail("thresholds have %d rows for %d channels" % (thr.shape[0], v.shape[-1]))
    count = np.count_nonzero(v[..., None] >= thr, axis=-1).astype(np.int64)
    return np.moveaxis(count, -1, axis)


def op_multithreshold(ctx):
    """MultiThreshold: out_scale * count(x >= t) + out_bias. Channels are axis 1 of a 4-D NCHW
    or 2-D tensor, axis 3 of a 4-D NHWC one (data_layout), and the last axis of any other rank
    (QONNX reshapes those to (-1, C))."""
    x, thr = ctx.inp(0), ctx.inp(1)
    layout = ctx.attr("data_layout", "NCHW")
    if x.ndim == 4:
        axis = 3 if layout == "NHWC" else 1
    elif x.ndim == 2:
        axis = 1
    else:
        axis = x.ndim - 1
    count = threshold_count(ctx, x, thr, axis)
    return [float(ctx.attr("out_scale", 1.0)) * count + float(ctx.attr("out_bias", 0.0))]


def _binary01(ctx, arr, what):
    if not np.all((arr == 0) | (arr == 1)):
        ctx.fail("%s must be binary {0,1} in xnor-popcount mode" % what)
    return arr.astype(np.int64)


def xnor_popcount(a, b):
    """Number of positions where the {0,1} operands agree: a@b + (1-a)@(1-b)."""
    return (np.matmul(a, b) + np.matmul(1 - a, 1 - b)).astype(np.float64)


def op_xnor_popcount(ctx):
    a = _binary01(ctx, ctx.inp(0), "input 0")
    b = _binary01(ctx, ctx.inp(1), "input 1")
    if a.shape[-1] != b.shape[0]:
        ctx.fail("inner dimensions differ: %s x %s" % (a.shape, b.shape))
    return [xnor_popcount(a, b)]


# ---------------------------------------------------------------- sliding windows
def im2col_nhwc(x, kernel, stride, dilation, pads=(0, 0, 0, 0), pad_value=0.0):
    """(N, H, W, C) -> (N, OH, OW, KH*KW*C) with the last axis ordered (ky, kx, c): kernel
    position outer, channel inner. pads are [top, left, bottom, right]."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    xp = np.pad(x, [(0, 0), (pads[0], pads[2]), (pads[1], pads[3]), (0, 0)],
                constant_values=pad_value)
    oh = (xp.shape[1] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[2] - dw * (kw - 1) - 1) // sw + 1
    cols = [xp[:, ky * dh: ky * dh + sh * (oh - 1) + 1: sh, kx * dw: kx * dw + sw * (ow - 1) + 1: sw]
            for ky in range(kh) for kx in range(kw)]
    return np.concatenate(cols, axis=3) if oh > 0 and ow > 0 else None


def op_im2col(ctx):
    """QONNX/FINN Im2Col on NHWC input; pad_amount [H_begin, W_begin, H_end, W_end] (an int in
    older files means the same on every side), filled with pad_value."""
    x = ctx.inp(0)
    if x.ndim != 4:
        ctx.fail("input must be NHWC, got shape %s" % (x.shape,))
    kernel = ctx.attr_ints("kernel_size", None, 2)
    if kernel is None:
        ctx.fail("attribute kernel_size is required")
    stride = ctx.attr_ints("stride", [1, 1], 2)
    dil = ctx.attr_ints("dilations", [1, 1], 2)
    pads = ctx.attr_ints("pad_amount", [0, 0, 0, 0], 4)
    y = im2col_nhwc(x, kernel, stride, dil, pads, float(ctx.attr("pad_value", 0)))
    if y is None:
        ctx.fail("empty output for input %s, kernel %s" % (x.shape, kernel))
    ctx.out_layouts[0] = IM2COL
    return [y]


def op_swg(ctx):
    """ConvolutionInputGenerator (and _hls/_rtl, ConvolutionInputGenerator1D): Im2Col without
    padding. The generic node executes as Im2Col in FINN (im2col order whatever `depthwise` says);
    a specialised HW node with depthwise=1 streams (channel fold, kernel position, SIMD) as FINN's
    depthwise HLS/RTL generators do, so its output is reordered to that."""
    x = ctx.inp(0)
    if x.ndim != 4:
        ctx.fail("input must be NHWC, got shape %s" % (x.shape,))
    kernel = ctx.attr_ints("ConvKernelDim", None, 2)
    if kernel is None:
        ctx.fail("attribute ConvKernelDim is required")
    stride = ctx.attr_ints("Stride", [1, 1], 2)
    dil = ctx.attr_ints("Dilation", [1, 1], 2)
    ifm = ctx.attr_ints("IFMDim", None, 2)
    ch = int(ctx.attr("IFMChannels", x.shape[3]))
    if (ifm is not None and list(x.shape[1:3]) != ifm) or x.shape[3] != ch:
        ctx.fail("input shape %s does not match IFMDim %s x IFMChannels %d" % (x.shape, ifm, ch))
    y = im2col_nhwc(x, kernel, stride, dil)
    if y is None:
        ctx.fail("empty output for input %s, kernel %s" % (x.shape, kernel))
    ofm = ctx.attr_ints("OFMDim", None, 2)
    if ofm is not None and list(y.shape[1:3]) != ofm:
        ctx.fail("output is %s x %s but OFMDim is %s" % (y.shape[1], y.shape[2], ofm))
    ctx.out_layouts[0] = IM2COL
    if ctx.attr("depthwise", 0) and ctx.specialized:
        simd = int(ctx.attr("SIMD", ch))
        if simd < 1 or ch % simd:
            ctx.fail("SIMD %d does not divide %d channels" % (simd, ch))
        k2 = kernel[0] * kernel[1]
        y = y.reshape(y.shape[:3] + (k2, ch // simd, simd)).transpose(0, 1, 2, 4, 3, 5)
        y = y.reshape(y.shape[:3] + (k2 * ch,))
        ctx.out_layouts[0] = ("DWS", simd)
    return [y]


def _windows(ctx, x, k2, ch, layout):
    """Sliding-window tensor (..., K2*C) in the given layout -> (..., K2, C)."""
    if x.shape[-1] != k2 * ch:
        ctx.fail("input has %d values per pixel, expected %d x %d" % (x.shape[-1], k2, ch))
    fold = ch if layout is None or layout == IM2COL else layout[1]
    if fold < 1 or ch % fold:
        ctx.fail("channel fold %d does not divide %d channels" % (fold, ch))
    lead = x.shape[:-1]
    w = x.reshape(lead + (ch // fold, k2, fold))
    return np.moveaxis(w, -2, -3).reshape(lead + (k2, ch))


# ---------------------------------------------------------------- FINN compute layers
def _activate(ctx, acc, thr_index):
    """Thresholds of MVAU/VVAU: count(acc >= t) per output channel + ActVal, or 2*count - 1
    when outputDataType is BIPOLAR (FINN's out_scale 2 / out_bias -1)."""
    if int(ctx.attr("noActivation", 0)):
        return acc
    thr = ctx.inp(thr_index, required=False)
    if thr is None:
        ctx.fail("noActivation=0 needs a thresholds input")
    count = threshold_count(ctx, acc, thr)
    if ctx.attr("outputDataType", "") == "BIPOLAR":
        return (2 * count - 1).astype(np.float64)
    return (count + int(ctx.attr("ActVal", 0))).astype(np.float64)


def op_mvau(ctx):
    """MatrixVectorActivation: acc = x @ W (W is MW x MH); with binaryXnorMode x and W are {0,1}
    codes of bipolar values and acc = popcount(xnor(x, W)) = number of agreeing positions; with
    BIPOLAR input and weight datatypes FINN maps the +-1 values to {0,1} and takes the same
    popcount, i.e. (x @ W + MW) / 2. Thresholds then as _activate. PE/SIMD only fold the
    computation and do not change values."""
    x, w = ctx.inp(0), ctx.inp(1)
    if w.ndim != 2 or x.ndim < 1 or x.shape[-1] != w.shape[0]:
        ctx.fail("input %s does not fit weights %s (MW x MH)" % (x.shape, w.shape))
    mw, mh = int(ctx.attr("MW", w.shape[0])), int(ctx.attr("MH", w.shape[1]))
    if (mw, mh) != w.shape:
        ctx.fail("weights %s differ from MW=%d x MH=%d" % (w.shape, mw, mh))
    if int(ctx.attr("binaryXnorMode", 0)):
        acc = xnor_popcount(_binary01(ctx, x, "input"), _binary01(ctx, w, "weights"))
    elif ctx.attr("inputDataType", "") == "BIPOLAR" and ctx.attr("weightDataType", "") == "BIPOLAR":
        acc = xnor_popcount(_binary01(ctx, (x + 1) / 2, "bipolar input"),
                            _binary01(ctx, (w + 1) / 2, "bipolar weights"))
    else:
        acc = exact_matmul(x, w)
    return [_activate(ctx, acc, 2)]


def op_vvau(ctx):
    """VectorVectorActivation (depthwise): weights (C, 1, KH, KW) as FINN stores them; input
    (N, H, W, KH*KW*C) from a sliding-window generator. Its channel order follows the producer:
    im2col order after Im2Col / a generic ConvolutionInputGenerator, (C/s, K, s) after a
    specialised depthwise generator with SIMD s, and FINN's rule (fold = PE) when the producer is
    unknown. acc[c] = sum_k x[k, c] * W[c, k]; BIPOLAR x BIPOLAR gives (acc + K) / 2 as in FINN,
    binaryXnorMode the xnor popcount of {0,1} codes."""
    x, w = ctx.inp(0), ctx.inp(1)
    if w.ndim != 4 or w.shape[1] != 1:
        ctx.fail("weights must have shape (C, 1, KH, KW), got %s" % (w.shape,))
    ch = int(ctx.attr("Channels", w.shape[0]))
    kernel = ctx.attr_ints("Kernel", list(w.shape[2:]), 2)
    if w.shape != (ch, 1, kernel[0], kernel[1]):
        ctx.fail("weights %s differ from Channels=%d, Kernel=%s" % (w.shape, ch, kernel))
    k2 = kernel[0] * kernel[1]
    layout = ctx.in_layouts[0] or ("DWS", int(ctx.attr("PE", ch)))
    win = _windows(ctx, x, k2, ch, layout)                 # (..., K2, C)
    wm = w.reshape(ch, k2).T                               # (K2, C)
    if int(ctx.attr("binaryXnorMode", 0)):
        a, b = _binary01(ctx, win, "input"), _binary01(ctx, wm, "weights")
        acc = (np.sum(a * b + (1 - a) * (1 - b), axis=-2)).astype(np.float64)
    else:
        bound = integer_sum_bound(win, wm, k2)
        if bound is not None and bound >= 2.0 ** 53:    # beyond exact float64 integers
            acc = np.sum(win.astype(np.int64) * wm.astype(np.int64), axis=-2).astype(np.float64)
        else:
            acc = np.sum(win * wm, axis=-2)
    if ctx.attr("inputDataType", "") == "BIPOLAR" and ctx.attr("weightDataType", "") == "BIPOLAR":
        acc = (acc + k2) / 2
    return [_activate(ctx, acc, 2)]


def op_thresholding(ctx):
    """Thresholding (_Batch/_hls/_rtl): y = count(x >= t) + ActVal per channel (last axis);
    BIPOLAR output: 2*y - 1. numSteps must equal the number of threshold columns."""
    x, thr = ctx.inp(0), ctx.inp(1)
    if ctx.has_attr("NumChannels") and x.shape[-1] != int(ctx.attr("NumChannels")):
        ctx.fail("input has %d channels, NumChannels is %d" % (x.shape[-1], ctx.attr("NumChannels")))
    if ctx.has_attr("numSteps") and thr.ndim == 2 and thr.shape[1] != int(ctx.attr("numSteps")):
        ctx.fail("thresholds have %d steps, numSteps is %d" % (thr.shape[1], ctx.attr("numSteps")))
    y = threshold_count(ctx, x, thr) + int(ctx.attr("ActVal", 0))
    if ctx.attr("outputDataType", "") == "BIPOLAR":
        y = 2 * y - 1
    return [y.astype(np.float64)]


# ---------------------------------------------------------------- FINN data movement
def op_fmpadding(ctx):
    """FMPadding: zero padding of NHWC H/W. Padding = [top, left, bottom, right] (H_begin,
    W_begin, H_end, W_end); an int (older FMPadding_Batch) is the total per axis, split as
    finn-hlslib does: begin = P/2 (+1 for odd P when PaddingStyle == 2), end = the rest."""
    x = ctx.inp(0)
    if x.ndim != 4:
        ctx.fail("input must be NHWC, got shape %s" % (x.shape,))
    pad = ctx.attr("Padding")
    if pad is None:
        ctx.fail("attribute Padding is required")
    if isinstance(pad, (int, np.integer)):
        style = int(ctx.attr("PaddingStyle", 2))
        begin = pad // 2 + (pad % 2 if style == 2 else 0)
        pad = [begin, begin, pad - begin, pad - begin]
    pad = [int(p) for p in pad]
    if len(pad) != 4 or min(pad) < 0:
        ctx.fail("Padding must be 4 non-negative values [top, left, bottom, right], got %s" % pad)
    return [np.pad(x, [(0, 0), (pad[0], pad[2]), (pad[1], pad[3]), (0, 0)])]


def op_streaming_maxpool(ctx):
    """StreamingMaxPool: max pooling of NHWC with kernel = stride = PoolDim, CeilMode."""
    x = ctx.inp(0)
    if x.ndim != 4:
        ctx.fail("input must be NHWC, got shape %s" % (x.shape,))
    k = ctx.attr_ints("PoolDim", None, 2)
    if k is None:
        ctx.fail("attribute PoolDim is required")
    y = pool_nd(ctx, np.transpose(x, (0, 3, 1, 2)), "max", k, k, [0, 0], [0, 0], [1, 1],
                int(ctx.attr("CeilMode", 0)))
    return [np.transpose(y, (0, 2, 3, 1))]


def op_maxpool_nhwc(ctx):
    """QONNX MaxPoolNHWC: ONNX MaxPool (kernel_shape, strides, pads, ceil_mode) on NHWC."""
    x = ctx.inp(0)
    if x.ndim != 4:
        ctx.fail("input must be NHWC, got shape %s" % (x.shape,))
    k = ctx.attr_ints("kernel_shape", None, 2)
    if k is None:
        ctx.fail("attribute kernel_shape is required")
    s = ctx.attr_ints("strides", [1, 1], 2)
    p = ctx.attr_ints("pads", [0, 0, 0, 0], 4)
    y = pool_nd(ctx, np.transpose(x, (0, 3, 1, 2)), "max", k, s, p[:2], p[2:], [1, 1],
                int(ctx.attr("ceil_mode", 0)))
    return [np.transpose(y, (0, 2, 3, 1))]


def op_pool(ctx):
    """Pool (_Batch/_hls): input (N, OH, OW, K*C) windows from a depthwise sliding-window
    generator. Function MaxPool: max over the window; QuantAvgPool: integer sum shifted right
    by bitlen((2^ibits - 1) * K) - obits (FINN's Python execution); AccPool: sum; AvgPool: mean."""
    x = ctx.inp(0)
    kernel = ctx.attr_ints("KernelSize", None, 2)
    if kernel is None:
        ctx.fail("attribute KernelSize is required")
    k2 = kernel[0] * kernel[1]
    ch = int(ctx.attr("Channels", x.shape[-1] // max(k2, 1)))
    layout = ctx.in_layouts[0] if ctx.in_layouts and ctx.in_layouts[0] else IM2COL
    win = _windows(ctx, x, k2, ch, layout)
    fn = ctx.attr("Function", "MaxPool")
    if fn == "MaxPool":
        return [np.max(win, axis=-2)]
    if fn == "AccPool":
        return [np.sum(win, axis=-2)]
    if fn == "AvgPool":
        return [np.mean(win, axis=-2)]
    if fn == "QuantAvgPool":
        if not is_integral(win):
            ctx.fail("QuantAvgPool needs integer inputs")
        ibits = _dtype_bits(ctx, ctx.req_attr("InputDataType"))
        obits = _dtype_bits(ctx, ctx.req_attr("OutputDataType"))
        shift = max(int((2 ** ibits - 1) * k2).bit_length() - obits, 0)
        return [np.right_shift(np.sum(win.astype(np.int64), axis=-2), shift).astype(np.float64)]
    ctx.fail("unsupported Function %s (MaxPool, QuantAvgPool, AccPool, AvgPool)" % fn)


def op_global_acc_pool(ctx):
    """GlobalAccPool: sum over the spatial axes of NHWC, keeping them as size 1."""
    x = ctx.inp(0)
    if x.ndim < 3:
        ctx.fail("input must be N x spatial x C, got shape %s" % (x.shape,))
    return [np.sum(x, axis=tuple(range(1, x.ndim - 1)), keepdims=True)]


def op_add_streams(ctx):
    a, b = ctx.inp(0), ctx.inp(1)
    if a.shape != b.shape:
        ctx.fail("streams have different shapes %s and %s" % (a.shape, b.shape))
    return [a + b]


def op_duplicate_streams(ctx):
    n = int(ctx.attr("NumOutputStreams", ctx.noutputs))
    if n != ctx.noutputs:
        ctx.fail("NumOutputStreams=%d but the node has %d outputs" % (n, ctx.noutputs))
    for i in range(n):
        ctx.out_layouts[i] = ctx.in_layouts[0]
    return [ctx.inp(0).copy() for _ in range(n)]


def _channels_per_stream(ctx, count):
    cps = ctx.attr_ints("ChannelsPerStream")
    if cps is not None and len(cps) != count:
        ctx.fail("ChannelsPerStream %s does not list %d streams" % (cps, count))
    return cps


def op_streaming_concat(ctx):
    xs = [v for v in ctx.inputs if v is not None]
    cps = _channels_per_stream(ctx, len(xs))
    if cps is not None and [v.shape[-1] for v in xs] != cps:
        ctx.fail("stream widths %s differ from ChannelsPerStream %s"
                 % ([v.shape[-1] for v in xs], cps))
    if any(v.shape[:-1] != xs[0].shape[:-1] for v in xs):
        ctx.fail("streams %s differ outside the channel axis" % [v.shape for v in xs])
    return [np.concatenate(xs, axis=-1)]


def op_streaming_split(ctx):
    x = ctx.inp(0)
    cps = _channels_per_stream(ctx, ctx.noutputs)
    if cps is None or sum(cps) != x.shape[-1]:
        ctx.fail("ChannelsPerStream %s does not split %d channels" % (cps, x.shape[-1]))
    return np.split(x, np.cumsum(cps)[:-1], axis=-1)


def op_label_select(ctx):
    """LabelSelect: indices of the K largest values on the last axis, largest first; equal values
    keep the lower index first (FINN executes it as ONNX TopK). Indices are returned as float64,
    FINN's float container for the UINT output datatype."""
    x = ctx.inp(0)
    k = int(ctx.req_attr("K"))
    if ctx.has_attr("Labels") and int(ctx.attr("Labels")) != x.shape[-1]:
        ctx.fail("input has %d labels, Labels is %d" % (x.shape[-1], ctx.attr("Labels")))
    if not 1 <= k <= x.shape[-1]:
        ctx.fail("K=%d out of range for %d labels" % (k, x.shape[-1]))
    return [topk(x, k, x.ndim - 1, True)[1].astype(np.float64)]


def op_channelwise(ctx):
    """ChannelwiseOp: Func add / mul (x + p, x * p), cmp_le (1 where x <= p else 0) or cmp_ge
    (1 where x >= p else 0), p one parameter per channel (last axis) or one for all."""
    x, p = ctx.inp(0), np.asarray(ctx.inp(1))
    if p.size not in (1, x.shape[-1]):
        ctx.fail("parameter has %d values for %d channels" % (p.size, x.shape[-1]))
    p = p.reshape(-1)
    fn = ctx.attr("Func", "cmp_le")
    if fn == "add":
        return [x + p]
    if fn == "mul":
        return [x * p]
    if fn == "cmp_le":
        return [(x <= p).astype(np.float64)]
    if fn == "cmp_ge":
        return [(x >= p).astype(np.float64)]
    ctx.fail("unsupported Func %s (add, mul, cmp_le, cmp_ge)" % fn)


def op_passthrough(ctx):
    """StreamingDataWidthConverter, StreamingFIFO: values unchanged."""
    ctx.out_layouts[0] = ctx.in_layouts[0]
    return [ctx.inp(0)]


QONNX_OPS = {
    "Quant": op_quant,
    "BipolarQuant": op_bipolar_quant,
    "Trunc": op_trunc,
    "MultiThreshold": op_multithreshold,
    "Im2Col": op_im2col,
    "XnorPopcountMatMul": op_xnor_popcount,
    "MaxPoolNHWC": op_maxpool_nhwc,
}

FINN_OPS = {
    "MVAU": op_mvau,
    "VVAU": op_vvau,
    "Thresholding": op_thresholding,
    "ConvolutionInputGenerator": op_swg,
    "FMPadding": op_fmpadding,
    "StreamingMaxPool": op_streaming_maxpool,
    "Pool": op_pool,
    "GlobalAccPool": op_global_acc_pool,
    "AddStreams": op_add_streams,
    "DuplicateStreams": op_duplicate_streams,
    "StreamingConcat": op_streaming_concat,
    "StreamingSplit": op_streaming_split,
    "LabelSelect": op_label_select,
    "ChannelwiseOp": op_channelwise,
    "StreamingDataWidthConverter": op_passthrough,
    "StreamingFIFO": op_passthrough,
}

# Other spellings of the FINN HW ops: older names, and the alias that marks a hardware-only op
# whose output is in HW stream order (ConvolutionInputGenerator1D had no Python execution).
FINN_ALIASES = {
    "MatrixVectorActivation": ("MVAU", False),
    "StreamingFCLayer": ("MVAU", False),
    "VectorVectorActivation": ("VVAU", False),
    "Vector_Vector_Activate": ("VVAU", False),
    "ConvolutionInputGenerator1D": ("ConvolutionInputGenerator", True),
}
