"""Shared pieces of the NumPy reference executor (see onnx_exec.py): the error type, the per-node
context handed to every operator, number conventions, rounding modes and FINN datatypes.

Number conventions (the executor's, documented once here):
  * every floating-point tensor (feeds, initializers, Constant values, results) is held as
    float64; float32 inputs convert exactly, so a float op computes in double precision;
  * integer tensors (Shape, indices, Cast to an integer type, int64 initializers) are int64;
  * integer-valued operators (MultiThreshold counts, xnor-popcount, MVAU/VVAU accumulation on
    integral operands) are computed in int64 and only then stored as float64, so they are exact.
"""
import re

import numpy as np
from onnx import helper, numpy_helper


class ExecError(ValueError):
    """Raised for anything the executor cannot run: an unsupported op, a missing tensor, a shape
    or attribute error. The message is one line and names the node and its op type."""


def node_label(node, index):
    """`node 3 'conv1' (Conv)` or `node 3 (Conv)` when the node has no name."""
    if node.name:
        return "node %d '%s' (%s)" % (index, node.name, node.op_type)
    return "node %d (%s)" % (index, node.op_type)


def one_line(text):
    return " ".join(str(text).split())


def to_exec_array(value):
    """A tensor value in the executor's conventions: float -> float64, integer -> int64,
    bool stays bool."""
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        return arr.astype(np.float64)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "b":
        return arr.astype(bool)
    raise ExecError("unsupported tensor element type %s" % arr.dtype)


def is_integral(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind in "iub":
        return True
    return bool(np.all(np.isfinite(arr)) and np.all(arr == np.floor(arr)))


def integer_sum_bound(a, b, terms):
    """Largest magnitude a sum of `terms` products of elements of a and b can reach, or None
    when a or b holds non-integers."""
    if not (is_integral(a) and is_integral(b)):
        return None
    if np.size(a) == 0 or np.size(b) == 0:
        return 0.0
    return float(np.max(np.abs(a))) * float(np.max(np.abs(b))) * max(int(terms), 1)


def exact_matmul(a, b):
    """a @ b, exact for integer operands: float64 (BLAS) while every partial sum stays below
    2^53, where integers are exactly representable, int64 beyond that (up to 2^62); plain
    float64 for non-integer operands."""
    a = np.asarray(a)
    b = np.asarray(b)
    bound = integer_sum_bound(a, b, a.shape[-1] if a.ndim else 1)
    if bound is not None and 2.0 ** 53 <= bound < 2.0 ** 62:
        return np.matmul(a.astype(np.int64), b.astype(np.int64)).astype(np.float64)
    return np.matmul(a.astype(np.float64), b.astype(np.float64))


# ---------------------------------------------------------------- rounding (QONNX Quant/Trunc)
def _half_up(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _half_down(x):
    return np.sign(x) * np.ceil(np.abs(x) - 0.5)


def _up(x):
    return np.sign(x) * np.ceil(np.abs(x))


# Names as the QONNX Quant spec lists them (case-insensitive); ROUND is half-to-even;
# ROUND_TO_ZERO is Brevitas' name for truncation toward zero, the same as DOWN.
ROUNDING_MODES = {
    "ROUND": np.round, "HALF_EVEN": np.round, "CEIL": np.ceil, "FLOOR": np.floor,
    "UP": _up, "DOWN": np.trunc, "ROUND_TO_ZERO": np.trunc,
    "HALF_UP": _half_up, "HALF_DOWN": _half_down,
}


def rounding_function(name):
    fn = ROUNDING_MODES.get(str(name).upper())
    if fn is None:
        raise ExecError("unknown rounding_mode '%s' (known: %s)"
                        % (name, ", ".join(sorted(ROUNDING_MODES))))
    return fn


def min_int(signed, narrow, bits):
    """Smallest integer of the QONNX Quant clamp range."""
    if signed:
        return -(2 ** (bits - 1)) + (1 if narrow else 0)
    return 0


def max_int(signed, narrow, bits):
    """Largest integer of the QONNX Quant clamp range (unsigned narrow drops the top code)."""
    if signed:
        return 2 ** (bits - 1) - 1
    return 2 ** bits - 1 - (1 if narrow else 0)


# ---------------------------------------------------------------- FINN datatypes
_FLOAT_MAX = {"FLOAT32": float(np.finfo(np.float32).max), "FLOAT16": 65504.0,
              "BFLOAT16": 3.3895313892515355e38, "FLOAT64": float(np.finfo(np.float64).max),
              "DOUBLE": float(np.finfo(np.float64).max)}


def datatype_range(name):
    """(min, max, is_integer) of a FINN/QONNX datatype name: BINARY, BIPOLAR, TERNARY, INTn, UINTn,
    FIXED<w,i> (signed, w bits of which i integer bits, step 2^-(w-i)), FLOAT32/FLOAT16/BFLOAT16.
    SCALEDINT<n> and arbitrary FLOAT<e,m,b> have no range QONNX defines: (-inf, inf, False).
    Integer bounds are Python ints. An unknown name raises ValueError."""
    n = str(name).strip().upper().replace(" ", "")
    if n == "BINARY":
        return 0, 1, True
    if n in ("BIPOLAR", "TERNARY"):
        return -1, 1, True
    m = re.fullmatch(r"(U?)INT(\d+)", n)
    if m:
        bits = int(m.group(2))
        if bits < 1:
            raise ValueError("datatype %s has no bits" % name)
        if m.group(1):
            return 0, 2 ** bits - 1, True
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1, True
    m = re.fullmatch(r"FIXED<(\d+),(-?\d+)>", n)
    if m:
        width, ibits = int(m.group(1)), int(m.group(2))
        if width < 1 or ibits >= width:
            raise ValueError("datatype %s needs integer bits < width" % name)
        step = 2.0 ** -(width - ibits)
        return -(2 ** (width - 1)) * step, (2 ** (width - 1) - 1) * step, False
    if n in _FLOAT_MAX:
        return -_FLOAT_MAX[n], _FLOAT_MAX[n], False
    if re.fullmatch(r"SCALEDINT<\d+>", n) or re.fullmatch(r"FLOAT<\d+,\d+(,-?\d+)?>", n):
        return float("-inf"), float("inf"), False
    raise ValueError("unknown FINN datatype '%s'" % name)


def datatype_violation(name, values):
    """None when every value is representable in the datatype, else a short description of
    the first offending value. Float datatypes accept everything finite."""
    lo, hi, is_int = datatype_range(name)
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        return None
    n = str(name).strip().upper().replace(" ", "")
    if is_int:
        allowed = (arr >= lo) & (arr <= hi) & (arr == np.floor(arr))
        if n == "BIPOLAR":
            allowed &= arr != 0
    elif n.startswith("FIXED<"):
        width, ibits = (int(v) for v in n[6:-1].split(","))
        scaled = arr * 2.0 ** (width - ibits)
        allowed = (arr >= lo) & (arr <= hi) & (scaled == np.floor(scaled))
    else:
        allowed = ~np.isnan(arr)
    if allowed.all():
        return None
    bad = arr[~allowed][0]
    return "value %r is not a %s (range [%r, %r])" % (float(bad), name, lo, hi)


def tensor_datatypes(model):
    """{tensor name: FINN datatype name} from graph.quantization_annotation entries whose key is
    'finn_datatype' (how FINN and QONNX store tensor datatypes in the ONNX file)."""
    out = {}
    graph = model.graph if hasattr(model, "graph") else model
    for ann in graph.quantization_annotation:
        for entry in ann.quant_parameter_tensor_names:
            if entry.key == "finn_datatype":
                out[ann.tensor_name] = entry.value
    return out


# ---------------------------------------------------------------- per-node context
# Layout tags for the last axis of sliding-window tensors: IM2COL = (kernel position outer,
# channel inner), as Im2Col produces; ("DWS", s) = (channel fold outer, kernel position, s
# channels inner), as FINN's depthwise HW sliding-window generators stream it.
IM2COL = ("IM2COL",)


class NodeCtx:
    """What an operator implementation sees: its input values, attributes and helpers that raise
    ExecError naming the node."""

    def __init__(self, node, index, op, inputs, opset, in_layouts, specialized):
        self.node = node
        self.index = index
        self.op = op                      # canonical op type (suffixes/aliases removed)
        self.inputs = inputs              # list of arrays, None for an empty input name
        self.opset = opset                # default-domain opset of the model
        self.in_layouts = in_layouts      # layout tag per input (None if untagged)
        self.specialized = specialized    # FINN _hls/_rtl node (hardware stream order)
        self.out_layouts = {}             # output index -> layout tag, set by the op
        self._attrs = {a.name: a for a in node.attribute}

    @property
    def label(self):
        return node_label(self.node, self.index)

    def fail(self, msg):
        raise ExecError("%s: %s" % (self.label, one_line(msg)))

    @property
    def noutputs(self):
        return len(self.node.output)

    def wants(self, i):
        return i < len(self.node.output) and self.node.output[i] != ""

    def inp(self, i, required=True):
        if i < len(self.inputs) and self.inputs[i] is not None:
            return self.inputs[i]
        if required:
            self.fail("input %d is required" % i)
        return None

    def has_attr(self, name):
        return name in self._attrs

    def attr(self, name, default=None):
        a = self._attrs.get(name)
        if a is None:
            return default
        value = helper.get_attribute_value(a)
        if isinstance(value, bytes):
            return value.decode("utf-8")
        if isinstance(value, list) and value and isinstance(value[0], bytes):
            return [v.decode("utf-8") for v in value]
        if hasattr(value, "dims") and hasattr(value, "data_type"):
            return to_exec_array(numpy_helper.to_array(value))
        return value

    def attr_ints(self, name, default=None, length=None):
        """An ints attribute, also accepting a single int (older FINN files) which is repeated
        `length` times when given."""
        value = self.attr(name, default)
        if value is None:
            return None
        if isinstance(value, (int, np.integer)):
            return [int(value)] * (length or 1)
        value = [int(v) for v in value]
        if length is not None and len(value) == 1 and length > 1:
            value = value * length
        if length is not None and len(value) != length:
            self.fail("attribute %s must have %d values, got %s" % (name, length, value))
        return value

    def req_attr(self, name):
        if name not in self._attrs:
            self.fail("attribute %s is required" % name)
        return self.attr(name)
