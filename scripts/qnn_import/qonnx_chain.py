"""Per-channel element-wise functions of an integer accumulator, and how they become the
simulator's integer thresholds (FINN's streamlining: scales, biases, batch norm and the next
activation quantiser fold into a multi-threshold unit).

An op is a tuple:
  ("affine", m, a)        v -> m * v + a; m, a scalars or one value per channel
  ("relu",)  ("clip", lo, hi)  ("floor",)  ("round",)
  ("quant", scale, zeropt, bits, signed, narrow, mode)   the QONNX Quant operator
  ("bipolar", scale)      the QONNX BipolarQuant operator: +scale where v >= 0, else -scale
Everything is evaluated in float64 on arrays [N channels, K values].
"""
import math

import numpy as np

from ir import ImportError_

ROUNDING = {
    "ROUND": np.round,  # half to even, as numpy and QONNX
    "HALF_EVEN": np.round,
    "CEIL": np.ceil,
    "FLOOR": np.floor,
    "ROUND_TO_ZERO": np.fix,
    "HALF_UP": lambda v: np.floor(v + 0.5),
    "HALF_DOWN": lambda v: np.ceil(v - 0.5),
}
QUANTISERS = ("quant", "bipolar", "floor", "round", "trunc")


def quant_int_range(bits, signed, narrow):
    """(lowest, highest) integer of a QONNX Quant."""
    if signed:
        lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        return (lo + 1 if narrow else lo), hi
    return 0, (2 ** bits - 2 if narrow else 2 ** bits - 1)


def quant_codes(v, s, z, bits, signed, narrow, mode):
    """The integers q - zeropt of the QONNX Quant operator (its value is their product with the scale);
    s and z broadcast against v."""
    lo, hi = quant_int_range(bits, signed, narrow)
    return ROUNDING[mode](np.clip(v / s + z, lo, hi)) - z


def col(c, n):
    """A scalar or per-channel constant as a float64 column [N or 1, 1]."""
    c = np.asarray(c, dtype=np.float64).reshape(-1)
    if c.size not in (1, n):
        raise ImportError_(f"a per-channel constant with {c.size} values for {n} channels")
    return c.reshape(-1, 1)


def apply_op(op, v, n):
    k = op[0]
    if k == "affine":
        return v * col(op[1], n) + col(op[2], n)
    if k == "relu":
        return np.maximum(v, 0.0)
    if k == "clip":
        return np.clip(v, col(op[1], n), col(op[2], n))
    if k == "floor":
        return np.floor(v)
    if k == "round":
        return np.round(v)
    if k == "quant":
        s, z, bits, signed, narrow, mode = op[1:]
        return quant_codes(v, col(s, n), col(z, n), bits, signed, narrow, mode) * col(s, n)
    if k == "bipolar":
        return np.where(v >= 0, 1.0, -1.0) * col(op[1], n)
    if k == "trunc":  # QONNX Trunc (version 1): the integer x / scale + zeropt loses its low bits
        s, z, in_bits, out_bits, mode = op[1:]
        y = np.round(v / col(s, n) + col(z, n)) / 2.0 ** (in_bits - out_bits)
        return (ROUNDING[mode](y) - col(z, n)) * col(s, n)
    raise ImportError_(f"unknown element-wise op {k}")


def evaluate(chain, v, n):
    for op in chain:
        v = apply_op(op, v, n)
    return v


def last_quantiser(chain):
    idx = [i for i, op in enumerate(chain) if op[0] in QUANTISERS]
    return idx[-1] if idx else None


def output_levels(chain, n):
    """The values the chain can produce, per channel: float64 [N, L] ascending, from the last
    quantiser's integer levels carried through the ops after it. None without a quantiser."""
    i = last_quantiser(chain)
    if i is None:
        return None
    op = chain[i]
    if op[0] == "quant":
        s, z, bits, signed, narrow, _ = op[1:]
        lo, hi = quant_int_range(bits, signed, narrow)
        if hi - lo >= 2 ** 12:
            raise ImportError_(f"a {bits}-bit activation quantiser: the threshold unit makes codes of at most 8 bits")
        base = (np.arange(lo, hi + 1, dtype=np.float64)[None, :] - col(z, n)) * col(s, n)
    elif op[0] == "bipolar":
        base = np.array([[-1.0, 1.0]]) * col(op[1], n)
    elif op[0] == "trunc":  # out_bits-bit integers (signed: the lower half too)
        s, z, _, out_bits, _ = op[1:]
        if out_bits > 10:
            raise ImportError_(f"a Trunc to {out_bits} bits: the threshold unit makes codes of at most 8 bits")
        ints = np.arange(-(2 ** out_bits), 2 ** out_bits, dtype=np.float64)[None, :]
        base = (ints - col(z, n)) * col(s, n)
    else:
        # Floor / Round alone: integers, bounded by a later clip (else unbounded)
        lo, hi = -math.inf, math.inf
        for later in chain[i + 1:]:
            if later[0] == "clip":
                lo, hi = max(lo, float(np.max(later[1]))), min(hi, float(np.min(later[2])))
            elif later[0] == "relu":
                lo = max(lo, 0.0)
            else:
                break
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo > 2 ** 16:
            return "unbounded"
        base = np.arange(math.ceil(lo), math.floor(hi) + 1, dtype=np.float64)[None, :]
    base = np.broadcast_to(base, (n, base.shape[1])) if base.shape[0] == 1 else base
    vals = evaluate(chain[i + 1:], base.copy(), n)
    return vals


def uniform_levels(levels, what):
    """The levels of every channel as (lowest [N], step [N], count): equally spaced, the same count.
    Raises when they are not (a requantiser's output the codes cannot describe)."""
    rows = [np.unique(r) for r in levels]
    count = len(rows[0])
    if any(len(r) != count for r in rows):
        raise ImportError_(f"{what}: the quantiser gives a different number of levels per channel")
    lowest = np.array([r[0] for r in rows])
    if count == 1:
        return lowest, np.ones(len(rows)), 1
    step = np.array([r[1] - r[0] for r in rows])
    for r, s in zip(rows, step):
        if s <= 0 or np.max(np.abs(np.diff(r) - s)) > 1e-9 * max(1.0, abs(s)):
            raise ImportError_(f"{what}: the quantiser's levels are not equally spaced")
    return lowest, step, count


def fold_thresholds(chain, n, bound, what, can_negate=True):
    """Integer thresholds of a unit whose accumulators in [-bound, bound] go through `chain`.

    Returns dict(activation, bits, thresholds int64 [N, T], negate bool [N], lowest [N], step [N],
    count, bipolar): code = the number of thresholds t_j with acc >= t_j, where the channels
    marked `negate` must have their accumulator negated (their weights); the chain's value is
    lowest + step * code (for bipolar codes lowest = -step / 2)."""
    i = last_quantiser(chain)
    if i is not None and chain[i][0] == "trunc" and bound <= 2 ** 16:
        # A Trunc declares no bounds of its own: its levels are the values it reaches.
        return _fold(chain, n, bound, what, can_negate, *_reachable_levels(chain, n, bound, what))
    try:
        levels = output_levels(chain, n)
    except ImportError_ as e:
        raise ImportError_(f"{what}: {e}") from None
    if levels is None:
        raise ImportError_(f"{what}: not quantised before the next layer (no Quant, BipolarQuant, "
                           "Floor or Round): the simulator carries integer codes between layers")
    if isinstance(levels, str):
        raise ImportError_(f"{what}: its Floor/Round is not bounded by a Clip, so its codes have no width")
    return _fold(chain, n, bound, what, can_negate, *uniform_levels(levels, what))


def _reachable_levels(chain, n, bound, what):
    """(lowest [N], step [N], count) of the values the chain gives over every accumulator in
    [-bound, bound]; a channel with fewer levels than the widest uses the first of them."""
    acc = np.arange(-int(bound), int(bound) + 1, dtype=np.float64)
    v = evaluate(chain, np.broadcast_to(acc, (n, acc.size)).copy(), n)
    rows = [np.unique(r) for r in v]
    step = np.array([float(np.min(np.diff(r))) if len(r) > 1 else 1.0 for r in rows])
    lowest = np.array([r[0] for r in rows])
    count = max(int(round((r[-1] - r[0]) / st)) + 1 for r, st in zip(rows, step))
    return lowest, step, count


def _fold(chain, n, bound, what, can_negate, lowest, step, count):
    if count > 256:
        raise ImportError_(f"{what}: {count} output levels; the threshold unit makes at most 8-bit codes")
    if bound >= 2 ** 31 - 1:
        raise ImportError_(f"{what}: accumulator bound {bound} does not fit 32 bits")

    def code(acc, sign):
        v = evaluate(chain, (acc * sign).astype(np.float64), n)
        c = np.rint((v - lowest[:, None]) / step[:, None])
        if np.max(np.abs((v - lowest[:, None]) / step[:, None] - c)) > 1e-6:
            raise ImportError_(f"{what}: values off the quantiser's levels")
        return c.astype(np.int64)

    M = int(bound)
    ones = np.ones((n, 1), dtype=np.int64)
    ends = code(np.array([[-M, M]] * n, dtype=np.int64), ones)
    if ends.min() < 0 or ends.max() > count - 1:  # monotone: the ends bound every code
        raise ImportError_(f"{what}: the quantiser's output leaves its {count} levels for some accumulator "
                           "(a Trunc whose input exceeds its input_bit_width?)")
    negate = ends[:, 0] > ends[:, 1]
    if np.any(negate) and not can_negate:
        raise ImportError_(f"{what}: the activation decreases with the sum (a negative scale) on "
                           f"channel {int(np.argmax(negate))}; an adder's thresholds cannot flip it")
    sign = np.where(negate, -1, 1).reshape(-1, 1)
    bipolar = count == 2 and abs(lowest + (lowest + step)).max() <= 1e-9 * step.max()
    bits = 1 if bipolar else max(1, math.ceil(math.log2(count)))
    T = 1 if bipolar else 2 ** bits - 1
    j = np.arange(1, T + 1, dtype=np.int64).reshape(1, -1)
    lo = np.full((n, T), -M, dtype=np.int64)
    hi = np.full((n, T), M + 1, dtype=np.int64)  # M + 1: never reached
    reached = code(lo, sign) >= j
    hi = np.where(reached, lo, hi)
    while np.any(hi - lo > 1):
        mid = (lo + hi) // 2
        ok = code(mid, sign) >= j
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
    t = np.sort(np.where(reached, lo, hi), axis=1)
    # The bisection assumed a monotone function: check it on a grid of accumulators.
    grid = np.unique(np.concatenate([np.linspace(-M, M, num=min(2 * M + 1, 4097)).round(), [-M, M]]))
    grid = grid.astype(np.int64)
    expect = code(np.broadcast_to(grid, (n, grid.size)), sign)
    for ch in range(n):
        if not np.array_equal(expect[ch], np.searchsorted(t[ch], grid, side="right")):
            raise ImportError_(f"{what}: the activation of channel {ch} is not monotone in the accumulator")
    return {"activation": "bipolar" if bipolar else "thresholds", "bits": bits, "thresholds": t,
            "negate": negate, "lowest": lowest, "step": step, "count": count, "bipolar": bipolar}


def affine_of(chain, n):
    """(scale [N], offset [N]) when the chain is affine per channel, else None."""
    s, o = np.ones(n), np.zeros(n)
    for op in chain:
        if op[0] != "affine":
            return None
        m, a = col(op[1], n).reshape(-1), col(op[2], n).reshape(-1)
        s, o = s * m, o * m + a
    return s, o


def remap_levels(op, lo, hi, scale, offset, n):
    """An element-wise op on a stream whose values are scale * d + offset for integers d in
    [lo, hi]: the new (scale, offset) when the op keeps every value affine in d, else None."""
    if op[0] == "affine":
        m, a = col(op[1], n).reshape(-1), col(op[2], n).reshape(-1)
        return scale * m, offset * m + a
    if hi - lo > 2 ** 16:
        return None
    d = np.arange(lo, hi + 1, dtype=np.float64)[None, :]
    v = d * col(scale, n) + col(offset, n)
    w = apply_op(op, v, n)
    if hi == lo:
        return np.zeros(n) if np.ndim(scale) else 0.0, w[:, 0]
    s2 = (w[:, 1] - w[:, 0]) / 1.0
    o2 = w[:, 0] - s2 * lo
    if np.max(np.abs(d * s2[:, None] + o2[:, None] - w)) > 1e-9 * max(1.0, float(np.max(np.abs(w)))):
        return None
    return s2, o2
