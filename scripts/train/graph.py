"""Lowering of a quantised network, described as a list of operators, onto the simulator.

Both import paths produce the same operator list: qat.py from a trained PyTorch model, and
onnx_import.py from an ONNX file. `lower(ops)` turns it into a `Network`: the simulator's
layers (conv, fc, maxpool, global_maxpool) with integer weights and integer thresholds.

Operators (tensors in PyTorch's NCHW order; constants are float32 numpy arrays or scalars):
  ("input", (C, H, W))                  the raw 8-bit pixels (value = code, 0..255)
  ("mul"|"div"|"add"|"sub", c)          element-wise with a scalar or a per-channel constant
  ("flatten",)                          NCHW -> N x (C*H*W), channel slowest
  ("fc", W[N, K], bias[N] | None)       W's values must be {-a, +a} (binary) or {-a, 0, +a}
  ("conv", W[N, C/g, K, K], bias | None, stride, (top, left, bottom, right), groups)
  ("bn", mean, var, gamma, beta, eps)   inference batch norm (per channel)
  ("relu",) ("clip", lo, hi) ("floor",) ("round",)
  ("maxpool", kernel, stride, pads) ("gmp",) ("output",)

How a layer is lowered (FINN's multi-threshold folding):
  * The values entering a compute layer are codes c of the previous layer (or the pixels),
    value = a * decode(c) + b with scalars a, b. With integer weights w = W / alpha, the
    layer's float pre-activation of channel n is z_n = alpha*a * acc_n + alpha*b*sum(w_n) + bias_n,
    acc_n being the simulator's integer accumulator.
  * Everything after it up to the next compute/pooling layer (batch norm, clip, the
    quantiser) is a per-channel monotone function of acc_n. It must end in a uniform
    quantiser: Floor/Round, a Clip that bounds the integers, then scalar affine operators.
    The output codes are the quantiser's levels in ascending order (2 levels symmetric
    about 0: bipolar; otherwise unsigned with ceil(log2(levels)) bits).
  * Threshold t_nj = the smallest integer accumulator whose output code is >= j, found by
    bisection over [-M, M] (M = fan_in * max|w| * max|input value|), evaluating the
    float64 function itself; t = -M when every accumulator reaches it, M + 1 when none does.
    A channel whose function decreases has its weights negated first (acc -> -acc).
  * The last compute layer may leave raw accumulators (activation none) only when what
    follows it is a common positive scale, so that the arg max over classes is unchanged.
"""
import math
from dataclasses import dataclass, field

import numpy as np


class LowerError(ValueError):
    pass


@dataclass
class Layer:
    name: str
    type: str                      # conv, fc, maxpool, global_maxpool
    kernel: int = 1
    stride: int = 1
    pad: tuple = (0, 0)            # (before, after), the same for rows and columns
    groups: int = 1
    filters: int = 0
    quant: str = ""                # binary / ternary
    weights: np.ndarray = None     # int8 [N, fan_in] in the simulator's synapse order
    activation: str = ""           # thresholds / bipolar / none
    act_bits: int = 0
    thresholds: np.ndarray = None  # int64 [N, T]
    in_shape: tuple = ()           # (H, W, C)
    out_shape: tuple = ()
    in_encoding: str = "unsigned"
    in_bits: int = 8
    eta: float = None              # ternary quantisation threshold of the training (informational)

    @property
    def is_compute(self):
        return self.type in ("conv", "fc")

    def fan_in(self):
        return int(self.weights.shape[1])


@dataclass
class Network:
    input_shape: tuple             # (H, W, C)
    input_bits: int
    layers: list = field(default_factory=list)
    output_scale: float = 1.0      # float output = scale * accumulator (for information)


# ---------------------------------------------------------------------------------------
# Per-channel element-wise functions of the accumulator

def _bcast(c, n):
    """A scalar or per-channel constant as a float64 column [N or 1, 1]."""
    c = np.asarray(c, dtype=np.float64).reshape(-1)
    if c.size not in (1, n):
        raise LowerError(f"element-wise constant with {c.size} values for {n} channels")
    return c.reshape(-1, 1)


def _apply(op, v, n):
    """Applies one element-wise operator to v [N, K] (row = channel)."""
    k = op[0]
    if k == "mul":
        return v * _bcast(op[1], n)
    if k == "div":
        return v / _bcast(op[1], n)
    if k == "add":
        return v + _bcast(op[1], n)
    if k == "sub":
        return v - _bcast(op[1], n)
    if k == "bn":
        mean, var, gamma, beta, eps = op[1:]
        return (v - _bcast(mean, n)) / np.sqrt(_bcast(var, n) + np.float64(eps)) * _bcast(gamma, n) + _bcast(beta, n)
    if k == "relu":
        return np.maximum(v, 0.0)
    if k == "clip":
        return np.clip(v, np.float64(op[1]), np.float64(op[2]))
    if k == "floor":
        return np.floor(v)
    if k == "round":
        return np.round(v)  # half to even, as ONNX Round and torch.round
    raise LowerError(f"operator '{k}' cannot follow a compute layer")


ELEMENTWISE = ("mul", "div", "add", "sub", "bn", "relu", "clip", "floor", "round")


def _scalar(c):
    c = np.asarray(c, dtype=np.float64).reshape(-1)
    return float(c[0]) if c.size == 1 else None


def _quantiser_levels(chain):
    """The output levels of the chain's uniform quantiser: (lowest value, step, count).
    None when the chain has no Floor/Round (no quantiser)."""
    idx = [i for i, op in enumerate(chain) if op[0] in ("floor", "round")]
    if not idx:
        return None
    a, b, lo, hi = 1.0, 0.0, -math.inf, math.inf  # value = a * i + b, integer i in [lo, hi]
    for op in chain[idx[0] + 1:]:
        k = op[0]
        c = _scalar(op[1]) if k in ("mul", "div", "add", "sub") else None
        if k in ("mul", "div", "add", "sub") and c is None:
            raise LowerError(f"per-channel '{k}' after the quantiser's Floor/Round: the levels "
                             "must be the same for every channel")
        if k == "mul":
            a, b = a * c, b * c
        elif k == "div":
            a, b = a / c, b / c
        elif k == "add":
            b += c
        elif k == "sub":
            b -= c
        elif k in ("clip", "relu"):
            vlo, vhi = (0.0, math.inf) if k == "relu" else (float(op[1]), float(op[2]))
            if a == 0:
                continue
            i1, i2 = (vlo - b) / a, (vhi - b) / a
            if a < 0:
                i1, i2 = i2, i1
            lo, hi = max(lo, math.ceil(i1 - 1e-9)), min(hi, math.floor(i2 + 1e-9))
        elif k in ("floor", "round"):
            if a != round(a) or b != round(b):
                raise LowerError("a second Floor/Round on non-integer levels")
        else:
            raise LowerError(f"'{k}' after the quantiser's Floor/Round is not supported")
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or a == 0:
        raise LowerError("the activation quantiser does not bound its integers: put a Clip "
                         "between its Floor/Round and the next layer")
    count = int(hi - lo + 1)
    lowest = min(a * lo + b, a * hi + b)
    return lowest, abs(a), count


def _affine_only(chain, n):
    """(scale[N], offset[N]) when the chain is affine per channel, else None."""
    s, o = np.ones(n), np.zeros(n)
    for op in chain:
        k = op[0]
        c = _bcast(op[1], n).reshape(-1) if k in ("mul", "div", "add", "sub") else None
        if k == "mul":
            s, o = s * c, o * c
        elif k == "div":
            s, o = s / c, o / c
        elif k == "add":
            o = o + c
        elif k == "sub":
            o = o - c
        elif k == "bn":
            mean, var, gamma, beta = (_bcast(x, n).reshape(-1) for x in op[1:5])
            g = gamma / np.sqrt(var + np.float64(op[5]))
            s, o = s * g, (o - mean) * g + beta
        else:
            return None
    return s, o


# ---------------------------------------------------------------------------------------
# Lowering

class _State:
    def __init__(self, shape):
        self.shape = shape              # NCHW without N: (C, H, W), or (K,) after flatten
        self.flat_from = None           # (C, H, W) before a flatten
        self.encoding, self.bits = "unsigned", 8
        self.a, self.b = 1.0, 0.0       # value = a * decode(code) + b
        self.layer = None               # compute layer waiting for its activation
        self.chain = []


def _decode_max(encoding, bits):
    return {"unsigned": 2 ** bits - 1, "bipolar": 1}[encoding]


def _int_weights(W, what):
    W = np.asarray(W, dtype=np.float64)
    alpha = float(np.max(np.abs(W)))
    if alpha == 0:
        raise LowerError(f"{what}: all weights are zero")
    q = W / alpha
    r = np.rint(q)
    if np.max(np.abs(q - r)) > 1e-6 or np.max(np.abs(r)) > 1:
        raise LowerError(f"{what}: weights are not binary {{-a, +a}} or ternary {{-a, 0, +a}}; "
                         "export the quantised weights")
    return alpha, r.astype(np.int8)


def _out_size(size, k, stride, before, after):
    return (size + before + after - k) // stride + 1


def _pads(pads, what):
    top, left, bottom, right = pads
    if top != left or bottom != right:
        raise LowerError(f"{what}: padding {pads} differs between rows and columns; the simulator "
                         "pads both axes alike")
    return (int(top), int(bottom))


def lower(ops, quant_hints=None, ternary_threshold=None):
    """Lowers an operator list to a Network. quant_hints: {layer name: 'binary'|'ternary'}
    overrides the quantisation read from the weight values (ternary when a zero occurs)."""
    quant_hints = quant_hints or {}
    if not ops or ops[0][0] != "input":
        raise LowerError("the operator list must start with the input")
    C, H, W = ops[0][1]
    st = _State((C, H, W))
    net = Network(input_shape=(H, W, C), input_bits=8)
    counts = {}

    def name(kind):
        counts[kind] = counts.get(kind, 0) + 1
        return f"{kind}{counts[kind]}" if kind != "gmp" else ("gmp" if counts[kind] == 1 else f"gmp{counts[kind]}")

    def hwc(shape):
        c, h, w = shape
        return (h, w, c)

    def close(final):
        L, chain = st.layer, st.chain
        n = L.weights.shape[0]
        levels = _quantiser_levels(chain)
        if levels is None:
            if not final:
                raise LowerError(f"{L.name}: its output is not quantised (no Floor/Round before the "
                                 "next layer); the simulator carries integer codes between layers")
            aff = _affine_only(chain, n)
            if aff is None or np.any(aff[1] != 0) or np.any(aff[0] != aff[0][0]) or aff[0][0] <= 0:
                raise LowerError(f"{L.name}: the output layer leaves raw accumulators, so only a "
                                 "common positive scale may follow it (no bias, batch norm or "
                                 "nonlinearity: they would change the arg max)")
            L.activation, L.act_bits = "none", 32
            net.output_scale = float(aff[0][0])
            st.encoding, st.bits, st.a, st.b = "accumulator", 32, float(aff[0][0]), 0.0
        else:
            lowest, step, count = levels
            bipolar = count == 2 and abs(lowest + (lowest + step)) <= 1e-9 * step
            _fold_thresholds(L, chain, lowest, step, count, bipolar)
            if bipolar:
                st.encoding, st.bits, st.a, st.b = "bipolar", 1, step / 2.0, 0.0
            else:
                st.encoding, st.bits, st.a, st.b = "unsigned", L.act_bits, step, lowest
        L.out_shape = hwc(st.shape)
        net.layers.append(L)
        st.layer, st.chain = None, []

    def start(L, Wint, alpha, bias, n):
        if st.encoding == "accumulator":
            raise LowerError(f"{L.name}: its input is a raw accumulator; only pooling may follow "
                             "the output layer")
        L.in_encoding, L.in_bits = st.encoding, st.bits
        if L.name in quant_hints:
            L.quant = quant_hints[L.name]
        else:
            L.quant = "ternary" if np.any(Wint == 0) else "binary"
        if L.quant == "binary" and np.any(Wint == 0):
            raise LowerError(f"{L.name}: zero weights cannot be binary")
        L.weights = Wint
        L.filters = n
        L.eta = ternary_threshold if L.quant == "ternary" else None
        s = np.sum(Wint.astype(np.int64), axis=1).astype(np.float64)
        offset = alpha * st.b * s
        if bias is not None:
            offset = offset + np.asarray(bias, dtype=np.float64)
        st.chain = [("mul", np.float64(alpha * st.a)), ("add", offset)]
        st.layer = L

    for op in ops[1:]:
        k = op[0]
        if k in ELEMENTWISE:
            if st.layer is not None:
                st.chain.append(op)
                continue
            c = _scalar(op[1]) if k in ("mul", "div", "add", "sub") else None
            if c is None:
                raise LowerError(f"'{k}' on the input or on pooled codes is not supported "
                                 "(only scalar Mul/Div/Add/Sub)")
            if k == "mul":
                st.a, st.b = st.a * c, st.b * c
            elif k == "div":
                st.a, st.b = st.a / c, st.b / c
            elif k == "add":
                st.b += c
            else:
                st.b -= c
        elif k == "flatten":
            if st.layer is not None and len(st.shape) == 3 and st.shape[1:] != (1, 1):
                raise LowerError("flatten of a conv output before its activation")
            if len(st.shape) == 3:
                st.flat_from = st.shape
                st.shape = (int(np.prod(st.shape)),)
        elif k == "fc":
            if st.layer is not None:
                close(final=False)
            Wf, bias = op[1], op[2]
            n, fan_in = Wf.shape
            src = st.flat_from if len(st.shape) == 1 and st.flat_from else (
                st.shape if len(st.shape) == 3 else None)
            if src is None or int(np.prod(src)) != fan_in:
                raise LowerError(f"fc layer with {fan_in} inputs after a {st.shape} tensor")
            L = Layer(name=name("fc"), type="fc", in_shape=hwc(src))
            alpha, Wint = _int_weights(Wf, L.name)
            c, h, w = src  # PyTorch flattens (c, y, x); the simulator's fc reads (y, x, c)
            Wint = Wint.reshape(n, c, h, w).transpose(0, 2, 3, 1).reshape(n, fan_in)
            st.shape, st.flat_from = (n, 1, 1), None
            start(L, Wint, alpha, bias, n)
        elif k == "conv":
            if st.layer is not None:
                close(final=False)
            Wc, bias, stride, pads, groups = op[1:]
            n, cg, kh, kw = Wc.shape
            if len(st.shape) != 3 or kh != kw or st.shape[0] != cg * groups:
                raise LowerError(f"conv with weights {Wc.shape}, groups {groups} on a {st.shape} tensor")
            L = Layer(name=name("conv"), type="conv", kernel=int(kh), stride=int(stride),
                      pad=_pads(pads, f"conv{counts.get('conv', 0) + 1}"), groups=int(groups),
                      in_shape=hwc(st.shape))
            if L.pad != (0, 0) and (st.b != 0 or st.encoding == "bipolar"):
                raise LowerError(f"{L.name}: zero padding of values that code 0 does not represent")
            alpha, Wint = _int_weights(Wc, L.name)
            Wint = Wint.transpose(0, 2, 3, 1).reshape(n, -1)  # (ky, kx, c) synapse order
            _, h, w = st.shape
            st.shape = (n, _out_size(h, kh, stride, *L.pad), _out_size(w, kw, stride, *L.pad))
            start(L, Wint, alpha, bias, n)
        elif k in ("maxpool", "gmp"):
            if st.layer is not None:
                close(final=True)
            if len(st.shape) != 3:
                raise LowerError(f"{k} on a flattened tensor")
            c, h, w = st.shape
            if k == "maxpool" and op[1] == h == w and tuple(op[3]) == (0, 0, 0, 0):
                k = "gmp"  # a window over the whole map (how ONNX exports adaptive_max_pool2d(x, 1))
            if k == "maxpool":
                kk, stride, pads = op[1:]
                L = Layer(name=name("pool"), type="maxpool", kernel=int(kk), stride=int(stride),
                          pad=_pads(pads, "maxpool"), in_shape=(h, w, c))
                st.shape = (c, _out_size(h, kk, stride, *L.pad), _out_size(w, kk, stride, *L.pad))
            else:
                L = Layer(name=name("gmp"), type="global_maxpool", in_shape=(h, w, c))
                st.shape = (c, 1, 1)
            if st.a <= 0:
                raise LowerError(f"{L.name}: pooling needs values that grow with their codes")
            L.in_encoding, L.in_bits = st.encoding, st.bits
            L.out_shape = hwc(st.shape)
            net.layers.append(L)
        elif k == "output":
            if st.layer is not None:
                close(final=True)
            break
        else:
            raise LowerError(f"unsupported operator '{k}'")
    if not any(l.is_compute for l in net.layers):
        raise LowerError("the network has no compute layer")
    last = [l for l in net.layers if l.is_compute][-1]
    if last.activation != "none":
        raise LowerError(f"{last.name}: the last compute layer must leave raw accumulators")
    return net


def _acc_bound(L):
    return int(L.fan_in() * 1 * _decode_max(L.in_encoding, L.in_bits))


def _fold_thresholds(L, chain, lowest, step, count, bipolar):
    """Integer thresholds of a layer whose accumulators go through `chain` (see module doc)."""
    n = L.weights.shape[0]
    M = _acc_bound(L)
    if M >= 2 ** 31 - 1:
        raise LowerError(f"{L.name}: accumulator bound {M} does not fit 32 bits")

    def code(acc):  # acc int64 [N, K] -> codes [N, K]
        v = acc.astype(np.float64)
        for op in chain:
            v = _apply(op, v, n)
        c = np.rint((v - lowest) / step)
        if np.max(np.abs((v - lowest) / step - c)) > 1e-6:
            raise LowerError(f"{L.name}: activation values are not on the quantiser's levels")
        return c.astype(np.int64)

    ends = code(np.array([[-M, M]] * n, dtype=np.int64))
    flip = ends[:, 0] > ends[:, 1]
    sign = np.where(flip, -1, 1).reshape(-1, 1)
    L.weights = (L.weights.astype(np.int64) * sign).astype(np.int8)

    def code_flipped(acc):
        return code(acc * sign)

    bits = 1 if bipolar else max(1, math.ceil(math.log2(count)))
    T = 1 if bipolar else 2 ** bits - 1
    j = np.arange(1, T + 1, dtype=np.int64).reshape(1, -1)
    lo = np.full((n, T), -M, dtype=np.int64)        # invariant: answer in [lo, hi]
    hi = np.full((n, T), M + 1, dtype=np.int64)     # M + 1: never reached
    reached_lo = code_flipped(lo) >= j
    hi = np.where(reached_lo, lo, hi)
    while np.any(hi - lo > 1):
        mid = (lo + hi) // 2
        ok = code_flipped(mid) >= j
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    t = np.where(reached_lo, lo, hi)
    # The bisection assumed a monotone function: check it on a grid of accumulators.
    t = np.sort(t, axis=1)
    grid = np.unique(np.concatenate([np.linspace(-M, M, num=min(2 * M + 1, 4097)).round(),
                                     [-M, M]]).astype(np.int64))
    expect = code_flipped(np.broadcast_to(grid, (n, grid.size)))
    for ch in range(n):
        if not np.array_equal(expect[ch], np.searchsorted(t[ch], grid, side="right")):
            raise LowerError(f"{L.name}: the activation of channel {ch} is not monotone in the accumulator")
    L.thresholds = t
    L.activation, L.act_bits = ("bipolar", 1) if bipolar else ("thresholds", bits)
