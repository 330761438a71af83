"""The FINN front end of qnn-import: a FINN hardware-layer graph (after to_hw / specialize_layers)
becomes the simulator's layers, node for node.

    FMPadding + ConvolutionInputGenerator + MVAU (+ Thresholding)  -> conv
    FMPadding + ConvolutionInputGenerator + VVAU (+ Thresholding)  -> conv, groups = channels
    MVAU on a feature map without a sliding window                 -> conv, kernel 1
    MVAU with numInputVectors [1]                                  -> fc
    Thresholding after an MVAU / VVAU with noActivation            -> that layer's thresholds
    Thresholding after AddStreams                                  -> the add's thresholds
    Thresholding anywhere else                                     -> a 1 x 1 depthwise conv of
                                                                      +1 weights (exact; FINN's cycles)
    StreamingMaxPool                                               -> maxpool (stride = kernel)
    ConvolutionInputGenerator + Pool (MaxPool; AccPool, QuantAvgPool without a shift) -> maxpool / avgpool
    GlobalAccPool                                                  -> global_avgpool
    AddStreams                                                     -> add
    DuplicateStreams                                               -> a fork (several readers)
    StreamingConcat                                                -> concat
    LabelSelect                                                    -> topk
    ChannelwiseOp (Func add)                                       -> an offset on the stream
    StreamingFIFO, StreamingDataWidthConverter, IODMA, TLastMarker, CheckSum,
    Reshape / Flatten (NHWC order kept), an NCHW -> NHWC Transpose of the input -> pass through

Values. Every tensor of the graph is a stream of the simulator's codes u (decoded: unsigned or
signed integer, bipolar 2c - 1, or a raw accumulator) with the model's value v = alpha * u +
beta[c]: alpha a positive power of two, beta per channel. ActVal and signed output types give
beta (the thresholds' counts leave the simulator unsigned), FINN's BINARY {0, 1} tensors ride on
the simulator's bipolar codes (alpha 1/2, beta 1/2, so that an xnor-mode MVAU gets the
XNOR-popcount datapath), and an xnor-mode MVAU's popcount P is the simulator's signed dot
product S of +-1 values: P = S / 2 + MW / 2. A compute layer's accumulator therefore relates to
the simulator's as acc_model = A * S + B[n]; a threshold t of the model becomes the integer
threshold ceil((t - B[n]) / A) of the simulator, exactly. Where a relation cannot be kept exact
(zero padding of a stream with an offset, a maximum over padding of signed values, a topk
over per-channel offsets) the import is refused.

Folding: PE / SIMD (and MMV where present) of the node that carries a layer's arithmetic are
copied exactly; folding.py overrides them from a FINN folding_config.json.

Besides ir.Network's fields the result carries: `node_to_layer` (also as `node_layer`, the name
cli.py passes to folding.apply_folding) {ONNX node name: (layer name, role, op_type)} with role
main, window, padding, thresholds, fifo, dwc, fork, offset or reshape; `fifo_depths` {layer: rows}
for writer.config_yaml: a StreamingFIFO's depth in stream words becomes rows of the producing
layer's output (words per row from its folded_shape), rounded up, and a layer read by several
layers gets a FIFO of its whole output frame, so that no skip path can stall or deadlock the join
(the residual test graph: 2,592 cycles a frame, against 3,768 with the default 2 rows);
`fifo_words_per_row` {FIFO node: words}; and for expect.py `input_value` (scale, offset, lowest
and highest code), `input_layout` (NHWC, NC, or NCHW behind a leading Transpose),
`input_model_shape`, `input_rank`, `output_stream`, `output_shape`, `output_layout`,
`output_flat_from`, `output_is_labels`; `notes` (what differs from FINN without changing a value).
"""
import math
import re

import numpy as np
from onnx import helper, numpy_helper

from ir import ImportError_, Layer, Network, Stream, node_error

PASS_THROUGH = ("StreamingFIFO", "StreamingDataWidthConverter", "Reshape", "Flatten", "IODMA", "TLastMarker",
                "CheckSum")
INT32_MAX = 2 ** 31 - 1


# ------------------------------------------------------------------------------------------
# Op types, attributes, data types

def base_op(op_type):
    """FINN's op type without its backend (_hls, _rtl) and _Batch suffixes, old names mapped to new."""
    t = op_type
    for suffix in ("_hls", "_rtl"):
        if t.endswith(suffix):
            t = t[: -len(suffix)]
    if t.endswith("_Batch"):
        t = t[: -len("_Batch")]
    return {
        "MatrixVectorActivation": "MVAU",
        "VectorVectorActivation": "VVAU",
        "ConvolutionInputGenerator1D": "ConvolutionInputGenerator",
        "StreamingDataWidthConverter": "StreamingDataWidthConverter",
        "Thresholding_Binary_Search": "Thresholding",
        "ThresholdingBinarySearch": "Thresholding",
    }.get(t, t)


def node_attrs(node):
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        if isinstance(v, bytes):
            v = v.decode()
        elif isinstance(v, list):
            v = [x.decode() if isinstance(x, bytes) else x for x in v]
        out[a.name] = v
    return out


def pair(v, node, what):
    """[H, W] from an ints attribute (or one int for both)."""
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return int(v[0]), int(v[0])
        if len(v) != 2:
            raise node_error(node, f"{what} must have 2 values [H, W], has {list(v)}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


class DType:
    """A FINN integer data type: kind bipolar, binary, ternary, uint, int."""

    def __init__(self, name, kind, bits, lo, hi):
        self.name, self.kind, self.bits, self.lo, self.hi = name, kind, bits, lo, hi

    @property
    def signed(self):
        return self.lo < 0


def parse_dtype(name):
    """DType of a FINN data type name, None when it is not an integer type the simulator knows."""
    if name == "BIPOLAR":
        return DType(name, "bipolar", 1, -1, 1)
    if name == "BINARY":
        return DType(name, "binary", 1, 0, 1)
    if name == "TERNARY":
        return DType(name, "ternary", 2, -1, 1)
    m = re.fullmatch(r"(U?)INT([0-9]+)", name or "")
    if m and int(m.group(2)) >= 1:
        b = int(m.group(2))
        if m.group(1):
            return DType(name, "uint", b, 0, 2 ** b - 1)
        return DType(name, "int", b, -(2 ** (b - 1)), 2 ** (b - 1) - 1)
    return None


def attr_dtype(node, a, key, required=True):
    name = a.get(key)
    if name is None or name == "":
        if required:
            raise node_error(node, f"has no {key} attribute")
        return None
    dt = parse_dtype(name)
    if dt is None:
        raise node_error(node, f"{key} '{name}' is not an integer data type "
                               "(BIPOLAR, BINARY, TERNARY, UINTn, INTn)")
    return dt


def range_bits(lo, hi):
    bits = 1
    if lo >= 0:
        while (1 << bits) - 1 < hi:
            bits += 1
    else:
        while -(1 << (bits - 1)) > lo or (1 << (bits - 1)) - 1 < hi:
            bits += 1
    return bits


def is_pow2(x):
    m, _ = math.frexp(float(x))
    return x > 0 and m == 0.5


# ------------------------------------------------------------------------------------------
# Streams between the layers

class Tensor:
    """A tensor of the FINN graph as the simulator carries it."""

    def __init__(self, layer, shape, enc, bits, alpha=1.0, beta=None, lo=None, hi=None):
        self.layer = layer          # producing layer, None: the network input
        self.shape = tuple(shape)   # (H, W, C)
        self.enc, self.bits = enc, bits
        self.alpha = float(alpha)
        c = shape[2]
        self.beta = np.zeros(c) if beta is None else np.broadcast_to(np.asarray(beta, float), (c,)).copy()
        if lo is None:
            lo, hi = {"unsigned": (0, 2 ** bits - 1), "signed": (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1),
                      "bipolar": (-1, 1)}[enc]
        self.lo, self.hi = int(lo), int(hi)   # range of the decoded values u
        self.pad = None             # pending FMPadding: {"before", "after", "nodes", "in"}
        self.win = None             # pending sliding window (op_ConvolutionInputGenerator)

    def clone(self):
        t = Tensor(self.layer, self.shape, self.enc, self.bits, self.alpha, self.beta, self.lo, self.hi)
        t.pad, t.win = self.pad, self.win
        return t

    @property
    def maxabs(self):
        return max(abs(self.lo), abs(self.hi))

    def stream(self):
        beta = self.beta
        off = float(beta[0]) if np.all(beta == beta[0]) else beta.copy()
        return Stream(encoding={"accumulator": "accumulator"}.get(self.enc, self.enc), bits=self.bits,
                      scale=self.alpha, offset=off)

    def identity(self):
        return self.alpha == 1.0 and not np.any(self.beta)


# ------------------------------------------------------------------------------------------
# The importer

class _Importer:
    def __init__(self, model, name):
        self.model = model
        self.graph = model.graph
        self.name = name
        self.inits = {t.name: t for t in self.graph.initializer}
        self.dtypes = {}
        for qa in self.graph.quantization_annotation:
            for e in qa.quant_parameter_tensor_names:
                if e.key == "finn_datatype":
                    self.dtypes[qa.tensor_name] = e.value
        self.shapes = {}
        for vi in list(self.graph.input) + list(self.graph.value_info) + list(self.graph.output):
            dims = [d.dim_value if d.HasField("dim_value") else 0 for d in vi.type.tensor_type.shape.dim]
            self.shapes[vi.name] = dims
        self.t = {}                   # tensor name -> Tensor
        self.layers = []
        self.names = set()
        self.node_to_layer = {}
        self.fifo_depths = {}
        self.fifo_words_per_row = {}   # StreamingFIFO node -> stream words per row of its tensor
        self.comments = []
        self.notes = []
        self.swap_hw = False          # 1 x W maps carried as W x 1 (the simulator's 1-D layers)
        self.readers = {}             # tensor -> number of reading nodes, through pass-throughs

    # -- helpers -------------------------------------------------------------------------
    def init(self, node, idx, what):
        if len(node.input) <= idx or not node.input[idx]:
            raise node_error(node, f"has no input {idx} ({what})")
        name = node.input[idx]
        if name not in self.inits:
            raise node_error(node, f"missing initializer '{name}' for input {idx} ({what})")
        return numpy_helper.to_array(self.inits[name]).astype(np.float64)

    def tensor(self, node, idx=0):
        name = node.input[idx] if len(node.input) > idx else ""
        if name not in self.t:
            raise node_error(node, f"input '{name}' comes from no node the importer has seen "
                                   "(graph not topologically sorted, or an unsupported producer)")
        return self.t[name]

    def hw(self, v, node, what):
        h, w = pair(v, node, what)
        return (w, h) if self.swap_hw else (h, w)

    def layer_name(self, node):
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", node.name or "") or f"{base_op(node.op_type)}_{len(self.layers)}"
        name, k = base, 1
        while name in self.names:
            k += 1
            name = f"{base}_{k}"
        self.names.add(name)
        return name

    def add_layer(self, L, nodes):
        self.layers.append(L)
        L.source = " + ".join(f"{n.name} ({n.op_type})" for n, _ in nodes)
        for n, role in nodes:
            self.node_to_layer[n.name] = (L.name, role, n.op_type)

    def layer(self, name):
        for L in self.layers:
            if L.name == name:
                return L
        raise KeyError(name)

    def inputs_for(self, node, *ts):
        names = []
        for t in ts:
            if t.layer is None:
                if self.layers:
                    raise node_error(node, "reads the network input, which the simulator feeds to "
                                           "its first layer only")
                names.append(None)
            else:
                names.append(t.layer)
        return [n for n in names if n is not None]

    def check_plain(self, node, t, what="input"):
        if t.pad is not None or t.win is not None:
            raise node_error(node, f"its {what} is a padded map or a sliding window "
                                   "(FMPadding / ConvolutionInputGenerator) that no MVAU, VVAU or Pool consumes")

    def check_fold(self, node, n, d, pe_or_simd, what):
        if n < 1 or d % n:
            raise node_error(node, f"{pe_or_simd} = {n} does not divide {what} = {d}")

    def dtype_of_tensor(self, name):
        dt = self.dtypes.get(name)
        return parse_dtype(dt) if dt else None

    # -- the graph -----------------------------------------------------------------------
    def run(self):
        nodes = self.sorted_nodes()
        for n in nodes:
            if n.op_type == "StreamingDataflowPartition":
                a = node_attrs(n)
                raise node_error(n, "is a StreamingDataflowPartition: import the partition's inner model "
                                    f"instead (attribute model = '{a.get('model', '?')}')")
        self.count_readers(nodes)
        self.network_input(nodes)
        for n in nodes:
            self.dispatch(n)
        return self.finish()

    def sorted_nodes(self):
        nodes = list(self.graph.node)
        produced = {o for n in nodes for o in n.output}
        have = {i.name for i in self.graph.input} | set(self.inits)
        out, left = [], nodes
        while left:
            rest = []
            for n in left:
                if all((not i) or i in have or i not in produced for i in n.input):
                    out.append(n)
                    have.update(n.output)
                else:
                    rest.append(n)
            if len(rest) == len(left):
                raise node_error(rest[0], "is part of a cycle")
            left = rest
        return out

    def count_readers(self, nodes):
        """How many non-pass-through nodes read each tensor (a DuplicateStreams' outputs and
        pass-through nodes count towards the tensor they copy)."""
        root = {}
        for n in nodes:
            b = base_op(n.op_type)
            if (b in PASS_THROUGH or b in ("DuplicateStreams", "ChannelwiseOp")) and n.input:
                r = root.get(n.input[0], n.input[0])
                for o in n.output:
                    root[o] = r
        self.root = root
        for n in nodes:
            b = base_op(n.op_type)
            if b in PASS_THROUGH or b in ("DuplicateStreams", "ChannelwiseOp"):
                continue
            for i in n.input:
                if i and i not in self.inits:
                    r = root.get(i, i)
                    self.readers[r] = self.readers.get(r, 0) + 1
        for o in self.graph.output:
            r = root.get(o.name, o.name)
            self.readers[r] = self.readers.get(r, 0) + 1

    def sole_reader(self, tensor_name):
        return self.readers.get(self.root.get(tensor_name, tensor_name), 0) == 1

    def network_input(self, nodes):
        inputs = [i for i in self.graph.input if i.name not in self.inits]
        if len(inputs) != 1:
            raise ImportError_(f"the graph has {len(inputs)} inputs; the simulator streams one")
        inp = inputs[0]
        dims = self.shapes.get(inp.name, [])
        readers = [n for n in nodes if inp.name in n.input]
        if not readers:
            raise ImportError_(f"no node reads the graph input '{inp.name}'")
        first = readers[0]
        self.transpose_in = None
        if len(readers) == 1 and first.op_type == "Transpose":
            perm = list(node_attrs(first).get("perm", []))
            if perm != [0, 2, 3, 1] or len(dims) != 4:
                raise node_error(first, f"a Transpose of the input with perm {perm}: only NCHW -> NHWC "
                                        "(perm [0, 2, 3, 1]) is understood")
            dims = [dims[0], dims[2], dims[3], dims[1]]
            self.transpose_in = first.name
            self.comments.append(f"the model's input is NCHW; {first.name} (Transpose) makes it the "
                                 "simulator's NHWC stream")
        if len(dims) == 4:
            h, w, c = dims[1:]
        elif len(dims) == 2:
            h, w, c = 1, 1, dims[1]
        elif len(dims) == 3:
            h, w, c = dims[1], 1, dims[2]
        else:
            raise ImportError_(f"graph input '{inp.name}' has shape {dims}; expected (1, H, W, C) or (1, C)")
        if dims and dims[0] not in (0, 1):
            raise ImportError_(f"graph input '{inp.name}' has batch {dims[0]}; expected 1")
        if min(h, w, c) < 1:
            raise ImportError_(f"graph input '{inp.name}' has no static shape ({dims})")
        if h == 1 and w > 1:
            self.swap_hw = True
            h, w = w, 1
            self.comments.append("1 x W maps are carried as W x 1 (the simulator's 1-D layers); the "
                                 "pixel order is the same")
        dt = self.dtype_of_tensor(inp.name)
        if dt is None:
            a = node_attrs(first if first.op_type != "Transpose" else
                           next((n for n in nodes if first.output[0] in n.input), first))
            for key in ("inputDataType", "dataType", "InputDataType"):
                if a.get(key):
                    dt = parse_dtype(a[key])
                    if dt is None:
                        raise ImportError_(f"graph input '{inp.name}': {key} '{a[key]}' is not an integer "
                                           "data type (BIPOLAR, BINARY, TERNARY, UINTn, INTn)")
                    break
        if dt is None:
            raise ImportError_(f"graph input '{inp.name}' has no FINN data type (quantization_annotation "
                               "finn_datatype, or its reader's inputDataType)")
        alpha, beta, lo, hi = 1.0, 0.0, dt.lo, dt.hi
        if dt.kind == "bipolar":      # codes 0 / 1 for -1 / +1 (value = 2 code - 1)
            enc, bits, alpha, beta, lo, hi = "unsigned", 1, 2.0, -1.0, 0, 1
        elif dt.kind == "ternary":
            enc, bits = "signed", 2
        elif dt.kind in ("uint", "binary"):
            enc, bits = "unsigned", dt.bits
        else:
            enc, bits = "signed", dt.bits
        if bits > 16:
            raise ImportError_(f"graph input '{inp.name}' is {dt.name}; the simulator's input takes at most 16 bits")
        self.input_shape = (h, w, c)
        self.input_bits, self.input_signed = bits, enc == "signed"
        # for expect.py: model value = scale * code + offset, codes lo..hi; the model's own input layout
        self.input_value = (alpha, beta, lo, hi)
        self.input_model_shape = [1] + [int(d) for d in self.shapes.get(inp.name, [])[1:]]
        self.input_layout = "NCHW" if self.transpose_in else "NHWC" if len(self.input_model_shape) == 4 else "NC"
        t = Tensor(None, (h, w, c), enc, bits, alpha, beta, lo=lo, hi=hi)
        self.t[inp.name] = t
        if self.transpose_in:
            self.t[first.output[0]] = t
            self.node_to_layer[first.name] = ("", "reshape", first.op_type)
        self.input_name = inp.name

    def dispatch(self, n):
        if n.name == getattr(self, "transpose_in", None):
            return
        b = base_op(n.op_type)
        handler = getattr(self, "op_" + b, None)
        if handler is None:
            raise node_error(n, f"unknown op type '{n.op_type}' (not a FINN hardware layer the importer maps)")
        handler(n, node_attrs(n))

    # -- pass-through ----------------------------------------------------------------------
    def op_StreamingFIFO(self, n, a):
        t = self.tensor(n)
        self.t[n.output[0]] = t
        depth = int(a.get("depth", 0) or 0)
        if t.layer is None or t.pad is not None or t.win is not None:
            self.node_to_layer[n.name] = (t.layer or "", "fifo", n.op_type)
            if depth:
                self.notes.append(f"{n.name}: a FIFO of depth {depth} before the first layer or inside a "
                                  "sliding window's input is not modelled (the input FIFO is the writer's)")
            return
        self.node_to_layer[n.name] = (t.layer, "fifo", n.op_type)
        if depth > 0:
            h, w, c = t.shape
            fs = a.get("folded_shape") or []
            words_per_frame = int(np.prod(fs[:-1])) if len(fs) >= 2 else w * c
            words_per_row = max(1, words_per_frame // max(1, h))
            self.fifo_words_per_row[n.name] = words_per_row
            rows = max(1, -(-depth // words_per_row))
            self.fifo_depths[t.layer] = max(self.fifo_depths.get(t.layer, 1), rows)

    def op_StreamingDataWidthConverter(self, n, a):
        t = self.tensor(n)
        self.t[n.output[0]] = t
        self.node_to_layer[n.name] = (t.layer or "", "dwc", n.op_type)

    def _stream_only(self, n):
        """Nodes that move the stream without changing a value: DMA engines, TLAST markers, checksums."""
        t = self.tensor(n)
        self.t[n.output[0]] = t
        self.node_to_layer[n.name] = (t.layer or "", "dwc", n.op_type)

    def op_IODMA(self, n, a):
        self._stream_only(n)

    def op_TLastMarker(self, n, a):
        self._stream_only(n)

    def op_CheckSum(self, n, a):
        self._stream_only(n)

    def _reshape(self, n):
        t = self.tensor(n)
        self.check_plain(n, t)
        dims = self.shapes.get(n.output[0])
        h, w, c = t.shape
        if dims and int(np.prod([d for d in dims if d])) != h * w * c:
            raise node_error(n, f"reshapes {h}x{w}x{c} values into {dims}")
        # A flatten of an NHWC map keeps the (y, x, c) order the simulator's fc reads.
        self.t[n.output[0]] = t
        self.node_to_layer[n.name] = (t.layer or "", "reshape", n.op_type)

    def op_Reshape(self, n, a):
        self._reshape(n)

    def op_Flatten(self, n, a):
        self._reshape(n)

    def op_DuplicateStreams(self, n, a):
        t = self.tensor(n)
        self.check_plain(n, t)
        for o in n.output:
            self.t[o] = t
        self.node_to_layer[n.name] = (t.layer or "", "fork", n.op_type)
        if t.layer is None and self.layers == []:
            pass

    def op_ChannelwiseOp(self, n, a):
        t = self.tensor(n)
        self.check_plain(n, t)
        func = a.get("Func", "")
        p = self.init(n, 1, "parameters").reshape(-1)
        c = t.shape[2]
        if p.size not in (1, c):
            raise node_error(n, f"has {p.size} parameters for {c} channels")
        if func != "add":
            raise node_error(n, f"Func '{func}' has no exact equivalent in the simulator (only 'add' "
                                "becomes an offset on the stream)")
        if np.any(p != np.round(p)):
            raise node_error(n, "adds non-integer parameters")
        u = t.clone()
        u.beta = u.beta + np.broadcast_to(p, (c,))
        self.t[n.output[0]] = u
        self.node_to_layer[n.name] = (t.layer or "", "offset", n.op_type)

    # -- windows ---------------------------------------------------------------------------
    def op_FMPadding(self, n, a):
        t = self.tensor(n)
        self.check_plain(n, t)
        if t.enc == "accumulator":
            raise node_error(n, "pads raw accumulators")
        h, w, c = t.shape
        ih, iw = self.hw(a.get("ImgDim", [h, w]), n, "ImgDim")
        if (ih, iw) != (h, w) or int(a.get("NumChannels", c)) != c:
            raise node_error(n, f"ImgDim {[ih, iw]} x NumChannels {a.get('NumChannels')} does not match its "
                                f"input {h}x{w}x{c}")
        p = a.get("Padding", [1, 1, 1, 1])
        if isinstance(p, int):
            p = [p // 2, p // 2, p - p // 2, p - p // 2]
        if len(p) != 4:
            raise node_error(n, f"Padding {p}: expected [H_begin, W_begin, H_end, W_end]")
        hb, wb, he, we = (p[1], p[0], p[3], p[2]) if self.swap_hw else tuple(p)
        if w == 1:
            if wb or we:
                raise node_error(n, f"pads the single column of a {h}x1 map ({p})")
        elif (hb, he) != (wb, we):
            raise node_error(n, f"Padding {list(p)} differs between rows and columns; the simulator pads both "
                                "axes alike")
        u = t.clone()
        u.pad = {"before": int(hb), "after": int(he), "nodes": [n], "in": t}
        u.shape = (h + hb + he, w if w == 1 else w + wb + we, c)
        self.t[n.output[0]] = u

    def op_ConvolutionInputGenerator(self, n, a):
        t = self.tensor(n)
        if t.win is not None:
            raise node_error(n, "reads another sliding window's output")
        src = t.pad["in"] if t.pad else t
        pad = (t.pad["before"], t.pad["after"]) if t.pad else (0, 0)
        h, w, c = t.shape
        kh, kw = self.hw(a.get("ConvKernelDim"), n, "ConvKernelDim")
        ih, iw = self.hw(a.get("IFMDim"), n, "IFMDim")
        oh, ow = self.hw(a.get("OFMDim"), n, "OFMDim")
        sh, sw = self.hw(a.get("Stride", [1, 1]), n, "Stride")
        dh, dw = self.hw(a.get("Dilation", [1, 1]), n, "Dilation")
        ch = int(a.get("IFMChannels", 0))
        simd = int(a.get("SIMD", 1))
        if (ih, iw, ch) != (h, w, c):
            raise node_error(n, f"IFMDim {[ih, iw]} x IFMChannels {ch} does not match its input {h}x{w}x{c}")
        if dh != 1 or dw != 1:
            raise node_error(n, f"dilation {[dh, dw]} is not supported by the simulator's sliding-window unit")
        one_d = w == 1
        if one_d:
            if kw != 1 or sw not in (1, sh):
                raise node_error(n, f"a {h}x1 map needs a K x 1 window, got kernel {[kh, kw]} stride {[sh, sw]}")
        elif kh != kw or sh != sw:
            raise node_error(n, f"kernel {[kh, kw]} / stride {[sh, sw]}: the simulator's windows are square "
                                "with one stride")
        exp_h, exp_w = (h - kh) // sh + 1, (w - kw) // (sw if not one_d else 1) + 1
        if (oh, ow) != (exp_h, exp_w):
            raise node_error(n, f"OFMDim {[oh, ow]} is not (IFMDim - kernel) / stride + 1 = {[exp_h, exp_w]}")
        self.check_fold(n, simd, c, "SIMD", "IFMChannels")
        u = t.clone()
        u.pad = None
        u.win = {"kernel": kh, "kernel_width": 1 if one_d else 0, "stride": sh, "pad": pad,
                 "src": src, "out": (oh, ow), "simd": simd, "depthwise": int(a.get("depthwise", 0)),
                 "nodes": (t.pad["nodes"] if t.pad else []) + [n], "mmv": int(a.get("M", 1) or 1)}
        u.shape = (oh, ow, kh * kw * c)
        self.t[n.output[0]] = u

    def window_layer_fields(self, node, t):
        """kernel, stride, padding and input of the layer that consumes a pending window."""
        wdw = t.win
        src = wdw["src"]
        if src.layer is None and self.layers:
            raise node_error(node, "reads the network input, which the simulator feeds to its first layer only")
        return wdw, src

    def check_zero_padding(self, node, src, wdw, for_max=False):
        if wdw["pad"] == (0, 0):
            return
        u0 = -1 if src.enc == "bipolar" else 0
        padded = src.alpha * u0 + src.beta
        if for_max:
            if src.enc == "bipolar" or src.alpha * src.lo + np.min(src.beta) < 0:
                raise node_error(node, "pools over zero padding of values that can be negative: the simulator "
                                       "skips padded positions, FINN compares them as 0")
            return
        if np.any(padded != 0):
            raise node_error(node, "reads a zero-padded map whose stream carries an offset "
                                   f"(value of a padded code: {padded.tolist()[:4]}...); the simulator pads "
                                   "code 0, which stands for another value than FINN's 0")

    # -- compute layers ----------------------------------------------------------------------
    def weights_quant(self, node, wdt, W, xnor):
        """(quant, bits, integer weights for the simulator) of a weight matrix of the model."""
        if np.any(W != np.round(W)):
            raise node_error(node, f"has non-integer weights although weightDataType is {wdt.name}")
        if W.min() < wdt.lo or W.max() > wdt.hi:
            raise node_error(node, f"has weights in [{W.min():g}, {W.max():g}] outside {wdt.name}")
        W = W.astype(np.int64)
        if xnor:
            if wdt.kind == "binary":
                return "binary", 1, 2 * W - 1
            if wdt.kind == "bipolar":
                return "binary", 1, W
            raise node_error(node, f"XNOR-popcount mode needs BINARY or BIPOLAR weights, has {wdt.name}")
        if wdt.kind == "bipolar":
            if np.any(W == 0):
                raise node_error(node, "has a weight 0 although weightDataType is BIPOLAR")
            return "binary", 1, W
        if wdt.kind == "ternary":
            return "ternary", 2, W
        bits = wdt.bits + (1 if wdt.kind in ("uint", "binary") else 0)
        if wdt.kind == "int" and W.min() == -(2 ** (wdt.bits - 1)):
            bits = wdt.bits + 1
            self.notes.append(f"{node.name}: a weight at {W.min()} needs {wdt.bits + 1} bits in the "
                              "simulator's symmetric uniform range")
        if wdt.kind in ("uint", "binary"):
            need = range_bits(-int(np.abs(W).max()) - 1, int(np.abs(W).max()))
            bits = max(2, min(bits, need))
        bits = max(2, bits)
        if bits > 8:
            raise node_error(node, f"{wdt.name} weights need {bits} bits; the simulator's uniform weights "
                                   "hold at most 8 (symmetric range)")
        return "uniform", bits, W

    def acc_relation(self, node, src, Wsim, xnor, fan_channels, mw, idt):
        """(A, B[n], bound): acc_model = A * acc_sim + B[n]; |acc_sim| <= bound.
        fan_channels: the input channel of each synapse (conv: (ky, kx, c) -> c; fc: (y, x, c) -> c;
        depthwise: None, every synapse of output n reads channel n)."""
        if src.enc == "accumulator":
            raise node_error(node, "reads raw accumulators: the layer before needs an activation")
        if fan_channels is None:
            b_syn = src.beta[:, None] * np.ones_like(Wsim, dtype=float)
        else:
            b_syn = np.broadcast_to(src.beta[fan_channels][None, :], Wsim.shape)
        a = src.alpha
        if xnor:
            # the model's binary x in {0, 1}: BINARY values directly, BIPOLAR values as (v + 1) / 2;
            # popcount = sum (x_pm w_pm + 1) / 2 with x_pm = 2 x - 1.
            if idt.kind == "bipolar":
                a_pm, b_pm = a, b_syn
            else:
                a_pm, b_pm = 2 * a, 2 * b_syn - 1
            A = 0.5 * a_pm
            B = 0.5 * np.sum(Wsim * b_pm, axis=1) + 0.5 * mw
        else:
            A = a
            B = np.sum(Wsim * b_syn, axis=1)
        bound = int(np.max(np.sum(np.abs(Wsim), axis=1))) * src.maxabs
        if not is_pow2(A):
            raise node_error(node, f"the stream's scale {A} is not a power of two")
        return float(A), np.asarray(B, float), bound

    def op_MVAU(self, n, a):
        t = self.tensor(n)
        MW, MH, PE, SIMD = (int(a.get(k, 0)) for k in ("MW", "MH", "PE", "SIMD"))
        W = self.init(n, 1, "weights")
        if W.shape != (MW, MH):
            raise node_error(n, f"weights of shape {list(W.shape)}, expected [MW, MH] = [{MW}, {MH}]")
        self.check_fold(n, SIMD, MW, "SIMD", "MW")
        self.check_fold(n, PE, MH, "PE", "MH")
        idt = attr_dtype(n, a, "inputDataType")
        wdt = attr_dtype(n, a, "weightDataType")
        odt = attr_dtype(n, a, "outputDataType", required=False)
        xnor = int(a.get("binaryXnorMode", 0)) == 1 or (idt.kind == "bipolar" and wdt.kind == "bipolar")
        if xnor and idt.kind not in ("binary", "bipolar"):
            raise node_error(n, f"XNOR-popcount mode needs a BINARY or BIPOLAR input, has {idt.name}")
        noact = int(a.get("noActivation", 0)) == 1
        nvec = [int(v) for v in a.get("numInputVectors", [1])]
        quant, wbits, Wsim = self.weights_quant(n, wdt, W.T, xnor)
        mmv = int(a.get("MMV", a.get("mmv", 0)) or 0)
        if t.win is not None:
            wdw, src = self.window_layer_fields(n, t)
            if wdw["depthwise"]:
                raise node_error(n, "reads a depthwise sliding window (a VVAU's); an MVAU needs the "
                                    "ConvolutionInputGenerator with depthwise = 0")
            h, w, c = src.shape
            k, kw1 = wdw["kernel"], wdw["kernel_width"]
            area = k * (1 if kw1 else k)
            oh, ow = wdw["out"]
            if MW != area * c:
                raise node_error(n, f"MW = {MW} but its sliding window gives {area} x {c} = {area * c}")
            if int(np.prod(nvec)) != oh * ow:
                raise node_error(n, f"numInputVectors {nvec} do not cover the window's {oh}x{ow} outputs")
            self.check_zero_padding(n, src, wdw)
            if c % SIMD:
                raise node_error(n, f"SIMD = {SIMD} does not divide IFMChannels = {c}: the simulator's "
                                    "sliding-window unit feeds SIMD channels of one pixel at a time")
            if wdw["simd"] != SIMD:
                self.notes.append(f"{n.name}: SIMD {SIMD} differs from its ConvolutionInputGenerator's "
                                  f"SIMD {wdw['simd']}; the simulator's SWU uses the MVAU's")
            mmv = mmv or wdw["mmv"]  # the MVAU's, else the sliding window's M (the RTL MMV variant)
            self.check_fold(n, mmv, ow, "MMV", "OFMDim width")
            ch_of = np.tile(np.arange(c), area)
            L = Layer(name=self.layer_name(n), type="conv", kernel=k, kernel_width=kw1, stride=wdw["stride"],
                      pad=wdw["pad"], filters=MH, in_shape=src.shape, out_shape=(oh, ow, MH),
                      folding={"pe": PE, "simd": SIMD, "mmv": mmv})
            nodes = [(x, "padding" if base_op(x.op_type) == "FMPadding" else "window") for x in wdw["nodes"]]
        else:
            src = t
            self.check_plain(n, src)
            h, w, c = src.shape
            if int(np.prod(nvec)) == 1:
                if MW != h * w * c:
                    raise node_error(n, f"MW = {MW} but its input holds {h}x{w}x{c} = {h * w * c} values")
                if mmv > 1:
                    raise node_error(n, f"MMV = {mmv} on a fully connected layer")
                ch_of = np.tile(np.arange(c), h * w)
                L = Layer(name=self.layer_name(n), type="fc", filters=MH, in_shape=src.shape,
                          out_shape=(1, 1, MH), folding={"pe": PE, "simd": SIMD, "mmv": 1})
            else:
                if MW != c or int(np.prod(nvec)) != h * w:
                    raise node_error(n, f"MW = {MW} x numInputVectors {nvec} do not match its input "
                                        f"{h}x{w}x{c} (a pointwise convolution needs MW = C)")
                mmv = mmv or 1
                self.check_fold(n, mmv, w, "MMV", "width")
                ch_of = np.arange(c)
                L = Layer(name=self.layer_name(n), type="conv", kernel=1, stride=1, filters=MH,
                          in_shape=src.shape, out_shape=(h, w, MH), folding={"pe": PE, "simd": SIMD, "mmv": mmv})
            nodes = []
        self.check_input_dtype(n, src, idt)
        L.inputs = self.inputs_for(n, src)
        L.quant, L.weight_bits, L.weights = quant, wbits, Wsim
        A, B, bound = self.acc_relation(n, src, Wsim, xnor, ch_of, MW, idt)
        nodes.append((n, "main"))
        self.compute_activation(n, a, L, A, B, bound, noact, odt, thr_index=2)
        self.add_layer(L, nodes)
        self.t[n.output[0]] = self.out_tensor

    def op_VVAU(self, n, a):
        t = self.tensor(n)
        if t.win is None:
            raise node_error(n, "reads no sliding window (a VVAU needs a depthwise ConvolutionInputGenerator)")
        wdw, src = self.window_layer_fields(n, t)
        h, w, c = src.shape
        C, PE, SIMD = int(a.get("Channels", 0)), int(a.get("PE", 1)), int(a.get("SIMD", 1) or 1)
        kh, kw = self.hw(a.get("Kernel"), n, "Kernel")
        k, kw1 = wdw["kernel"], wdw["kernel_width"]
        if C != c or (kh, kw) != (k, 1 if kw1 else k):
            raise node_error(n, f"Channels {C} / Kernel {[kh, kw]} do not match its window over {h}x{w}x{c} "
                                f"with kernel {k}")
        area = kh * kw
        W = self.init(n, 1, "weights")
        if W.size != C * area or W.shape[0] != C:
            raise node_error(n, f"weights of shape {list(W.shape)}, expected [Channels, 1, k_h, k_w] = "
                                f"[{C}, 1, {kh}, {kw}]")
        self.check_fold(n, PE, C, "PE", "Channels")
        self.check_fold(n, SIMD, area, "SIMD", "k_h x k_w")
        oh, ow = wdw["out"]
        dim = self.hw(a.get("Dim", [oh, ow]), n, "Dim")
        if tuple(dim) != (oh, ow):
            raise node_error(n, f"Dim {list(dim)} is not its window's output {oh}x{ow}")
        if not wdw["depthwise"]:
            self.notes.append(f"{n.name}: its ConvolutionInputGenerator is not in depthwise mode; the "
                              "simulator's depthwise SWU is")
        mmv = int(a.get("MMV", a.get("mmv", 1)) or 1)
        self.check_fold(n, mmv, ow, "MMV", "Dim width")
        idt = attr_dtype(n, a, "inputDataType")
        wdt = attr_dtype(n, a, "weightDataType")
        odt = attr_dtype(n, a, "outputDataType", required=False)
        if int(a.get("binaryXnorMode", 0)) == 1:
            raise node_error(n, "binaryXnorMode on a VVAU: FINN's own execution of it is a plain product, "
                                "not the hardware's XNOR-popcount; refused as ambiguous")
        xnor = idt.kind == "bipolar" and wdt.kind == "bipolar"
        noact = int(a.get("noActivation", 0)) == 1
        self.check_zero_padding(n, src, wdw)
        quant, wbits, Wsim = self.weights_quant(n, wdt, W.reshape(C, area), xnor)
        L = Layer(name=self.layer_name(n), type="conv", kernel=k, kernel_width=kw1, stride=wdw["stride"],
                  pad=wdw["pad"], groups=C, filters=C, in_shape=src.shape, out_shape=(oh, ow, C),
                  folding={"pe": PE, "simd": SIMD, "mmv": mmv})
        if wdw["simd"] != PE:
            self.notes.append(f"{n.name}: PE {PE} differs from its depthwise ConvolutionInputGenerator's SIMD "
                              f"{wdw['simd']}; the simulator's depthwise SWU moves PE channels a clock")
        self.check_input_dtype(n, src, idt)
        L.inputs = self.inputs_for(n, src)
        L.quant, L.weight_bits, L.weights = quant, wbits, Wsim
        A, B, bound = self.acc_relation(n, src, Wsim, xnor, None, area, idt)
        nodes = [(x, "padding" if base_op(x.op_type) == "FMPadding" else "window") for x in wdw["nodes"]]
        nodes.append((n, "main"))
        self.compute_activation(n, a, L, A, B, bound, noact, odt, thr_index=2)
        self.add_layer(L, nodes)
        self.t[n.output[0]] = self.out_tensor

    def check_input_dtype(self, n, src, idt):
        """The model's input data type against what the stream can carry."""
        lo = src.alpha * src.lo + float(np.min(src.beta))
        hi = src.alpha * src.hi + float(np.max(src.beta))
        if idt.kind == "bipolar" and (lo < -1 or hi > 1 or (src.enc == "bipolar" and src.alpha != 1.0)):
            raise node_error(n, f"inputDataType BIPOLAR but its input carries values in [{lo:g}, {hi:g}]")
        if idt.kind != "bipolar" and (lo < idt.lo or hi > idt.hi):
            self.notes.append(f"{n.name}: its input's values [{lo:g}, {hi:g}] exceed inputDataType {idt.name}")

    def compute_activation(self, n, a, L, A, B, bound, noact, odt, thr_index):
        """Sets L's activation from the node's own thresholds, or leaves the accumulator for a
        following Thresholding; sets self.out_tensor."""
        L._acc = (A, B, bound)
        oh, ow, N = L.out_shape
        if noact:
            L.activation, L.act_bits, L.thresholds = "none", 0, None
            t = Tensor(L.name, L.out_shape, "accumulator", 32, A, B, lo=-bound, hi=bound)
        else:
            T = self.init(n, thr_index, "thresholds")
            t = self.apply_thresholds(n, a, L, T, A, B, bound, odt)
        L.out = t.stream()
        self.out_tensor = t

    def apply_thresholds(self, n, a, L, T, A, B, bound, odt):
        N = L.out_shape[2]
        if T.ndim != 2:
            raise node_error(n, f"thresholds of shape {list(T.shape)}, expected [channels, steps]")
        if T.shape[0] == 1 and N > 1:
            T = np.tile(T, (N, 1))
        if T.shape[0] != N:
            raise node_error(n, f"thresholds for {T.shape[0]} channels, the layer has {N}")
        if not np.all(np.isfinite(T)):
            raise node_error(n, "has a threshold that is not finite")
        steps = T.shape[1]
        if odt is None:
            raise node_error(n, "has no outputDataType attribute")
        actval = int(a.get("ActVal", 0) or 0)
        sim = np.ceil((T - B[:, None]) / A)
        top = min(bound + 1, INT32_MAX)
        sim = np.clip(sim, -top, top).astype(np.int64)
        sim.sort(axis=1)  # a count of thresholds reached does not depend on their order
        oh, ow, _ = L.out_shape
        if odt.kind in ("bipolar", "binary") and steps == 1:
            if odt.kind == "bipolar" and actval != 0 and base_op(n.op_type) == "Thresholding":
                raise node_error(n, f"BIPOLAR output with ActVal {actval}")
            L.activation, L.act_bits, L.thresholds = "bipolar", 1, sim
            if odt.kind == "bipolar":
                return Tensor(L.name, L.out_shape, "bipolar", 1)
            return Tensor(L.name, L.out_shape, "bipolar", 1, 0.5, 0.5 + actval)
        if odt.kind == "bipolar":
            raise node_error(n, f"BIPOLAR output from {steps} thresholds; needs exactly 1")
        bits = odt.bits if odt.bits <= 8 else range_bits(0, steps)
        if odt.kind == "binary":
            bits = 1
        if steps > 2 ** bits - 1:
            need = range_bits(0, steps)
            if need > 8:
                raise node_error(n, f"{steps} thresholds need {need} output bits; the simulator's threshold "
                                    "unit gives at most 8")
            bits = need
        if bits > 8:
            raise node_error(n, f"output {odt.name} from {steps} thresholds: more than 8 bits")
        pad = np.full((N, 2 ** bits - 1 - steps), top, dtype=np.int64)
        L.activation, L.act_bits, L.thresholds = "thresholds", bits, np.concatenate([sim, pad], axis=1)
        return Tensor(L.name, L.out_shape, "unsigned", bits, 1.0, float(actval))

    # -- thresholds as a node of their own -------------------------------------------------
    def op_Thresholding(self, n, a):
        t = self.tensor(n)
        self.check_plain(n, t)
        h, w, c = t.shape
        C = int(a.get("NumChannels", c))
        PE = int(a.get("PE", 1))
        if C != c:
            raise node_error(n, f"NumChannels {C} but its input has {c} channels")
        self.check_fold(n, PE, C, "PE", "NumChannels")
        odt = attr_dtype(n, a, "outputDataType")
        T = self.init(n, 1, "thresholds")
        if int(a.get("numSteps", T.shape[-1] if T.ndim == 2 else 1)) != (T.shape[1] if T.ndim == 2 else -1):
            raise node_error(n, f"numSteps {a.get('numSteps')} but thresholds of shape {list(T.shape)}")
        prod = self.layer(t.layer) if t.layer else None
        if prod is not None and t.enc == "accumulator" or (
                prod is not None and prod.type == "add" and not prod.activation):
            if not self.sole_reader(n.input[0]):
                raise node_error(n, f"thresholds the output of {prod.name}, which other nodes read too: the "
                                    "simulator's raw accumulators / sums cannot be shared with them")
            A, B, bound = t.alpha, t.beta.copy(), prod._acc[2]
            prod._acc = (A, B, bound)
            nt = self.apply_thresholds(n, a, prod, T, A, B, bound, odt)
            prod.out = nt.stream()
            prod.source += f" + {n.name} ({n.op_type})"
            self.node_to_layer[n.name] = (prod.name, "thresholds", n.op_type)
            if prod.folding and prod.type != "add" and prod.folding.get("pe") != PE:
                self.notes.append(f"{n.name}: PE {PE} differs from {prod.name}'s PE {prod.folding.get('pe')}; "
                                  "the simulator thresholds inside the MVTU's PEs")
            self.t[n.output[0]] = nt
            return
        if t.enc == "accumulator":
            raise node_error(n, "thresholds raw accumulators that other nodes read too")
        # anywhere else: a depthwise 1 x 1 convolution of +1 weights computes the same
        L = Layer(name=self.layer_name(n), type="conv", kernel=1, stride=1, groups=c, filters=c,
                  in_shape=t.shape, out_shape=t.shape, quant="binary", weight_bits=1,
                  weights=np.ones((c, 1), dtype=np.int64), folding={"pe": PE, "simd": 1, "mmv": 1})
        L.inputs = self.inputs_for(n, t)
        A, B, bound = t.alpha, t.beta.copy(), t.maxabs
        L._acc = (A, B, bound)
        nt = self.apply_thresholds(n, a, L, T, A, B, bound, odt)
        L.out = nt.stream()
        self.add_layer(L, [(n, "main")])
        self.comments.append(f"{L.name}: FINN's Thresholding {n.name} as a 1 x 1 depthwise convolution of "
                             "+1 weights (same values, same cycles: H x W x C / PE)")
        self.t[n.output[0]] = nt

    # -- pooling ---------------------------------------------------------------------------
    def op_StreamingMaxPool(self, n, a):
        t = self.tensor(n)
        self.check_plain(n, t)
        if t.enc == "accumulator":
            raise node_error(n, "pools raw accumulators (give the layer before an activation)")
        h, w, c = t.shape
        ih, iw = self.hw(a.get("ImgDim"), n, "ImgDim")
        kh, kw = self.hw(a.get("PoolDim"), n, "PoolDim")
        if (ih, iw) != (h, w) or int(a.get("NumChannels", c)) != c:
            raise node_error(n, f"ImgDim {[ih, iw]} x NumChannels {a.get('NumChannels')} does not match its "
                                f"input {h}x{w}x{c}")
        one_d = w == 1
        if one_d and kw != 1 or not one_d and kh != kw:
            raise node_error(n, f"PoolDim {[kh, kw]}: the simulator's windows are square or K x 1")
        if int(a.get("CeilMode", 0)) and h % kh:
            raise node_error(n, "CeilMode with a partial last window")
        if h % kh or (not one_d and w % kw):
            self.notes.append(f"{n.name}: the map is not a multiple of the pool size; the last rows/columns "
                              "are dropped as FINN drops them")
        pe = int(a.get("PE", 0) or 0)
        simd = pe if (one_d and pe) else c
        self.check_fold(n, simd, c, "PE", "NumChannels")
        L = Layer(name=self.layer_name(n), type="maxpool", kernel=kh, kernel_width=1 if one_d else 0,
                  stride=kh, in_shape=t.shape, out_shape=(h // kh, 1 if one_d else w // kw, c),
                  folding={"pe": 1, "simd": simd, "mmv": 1})
        L.inputs = self.inputs_for(n, t)
        nt = t.clone()
        nt.layer, nt.shape = L.name, L.out_shape
        L.out = nt.stream()
        self.add_layer(L, [(n, "main")])
        self.t[n.output[0]] = nt

    def op_Pool(self, n, a):
        t = self.tensor(n)
        if t.win is None:
            raise node_error(n, "reads no sliding window (Pool needs a ConvolutionInputGenerator)")
        wdw, src = self.window_layer_fields(n, t)
        if src.enc == "accumulator":
            raise node_error(n, "pools raw accumulators")
        h, w, c = src.shape
        C, PE = int(a.get("Channels", c)), int(a.get("PE", 1))
        k = wdw["kernel"]
        ks = a.get("KernelSize", [k, k])
        ks = list(ks) if isinstance(ks, (list, tuple)) else [ks, ks]
        if C != c or int(np.prod(ks)) != k * (1 if wdw["kernel_width"] else k):
            raise node_error(n, f"Channels {C} / KernelSize {ks} do not match its window over {h}x{w}x{c}")
        self.check_fold(n, PE, C, "PE", "Channels")
        fn = a.get("Function", "")
        oh, ow = wdw["out"]
        if fn == "MaxPool":
            kind = "maxpool"
            self.check_zero_padding(n, src, wdw, for_max=True)
        elif fn in ("QuantAvgPool", "AccPool"):
            if fn == "QuantAvgPool":
                idt = attr_dtype(n, a, "InputDataType")
                odt = attr_dtype(n, a, "OutputDataType")
                area = int(np.prod(ks))
                shift = max(0, int((2 ** idt.bits - 1) * area).bit_length() - odt.bits)
                if shift:
                    raise node_error(n, f"QuantAvgPool shifts the window sum right by {shift} bits; the "
                                        "simulator's avgpool gives the sum (a truncation it cannot represent)")
            if wdw["pad"] != (0, 0):
                raise node_error(n, "an average over zero padding (the simulator's avgpool takes no padding)")
            kind = "avgpool"
        else:
            raise node_error(n, f"Function '{fn}' is not MaxPool, AccPool or QuantAvgPool (a sum)")
        L = Layer(name=self.layer_name(n), type=kind, kernel=k, kernel_width=wdw["kernel_width"],
                  stride=wdw["stride"], pad=wdw["pad"], in_shape=src.shape, out_shape=(oh, ow, c),
                  folding={"pe": 1, "simd": PE, "mmv": 1})
        L.inputs = self.inputs_for(n, src)
        if kind == "maxpool":
            nt = src.clone()
            nt.pad = nt.win = None
        else:
            area = int(np.prod(ks))
            lo, hi = src.lo * area, src.hi * area
            nt = Tensor(None, (oh, ow, c), "unsigned" if lo >= 0 else "signed", range_bits(lo, hi),
                        src.alpha, src.beta * area, lo=lo, hi=hi)
        nt.layer, nt.shape = L.name, L.out_shape
        L.out = nt.stream()
        nodes = [(x, "padding" if base_op(x.op_type) == "FMPadding" else "window") for x in wdw["nodes"]]
        self.add_layer(L, nodes + [(n, "main")])
        self.t[n.output[0]] = nt

    def op_GlobalAccPool(self, n, a):
        t = self.tensor(n)
        self.check_plain(n, t)
        if t.enc == "accumulator":
            raise node_error(n, "sums raw accumulators (give the layer before an activation)")
        h, w, c = t.shape
        C, PE = int(a.get("NumChannels", c)), int(a.get("PE", 1))
        if C != c:
            raise node_error(n, f"NumChannels {C} but its input has {c} channels")
        self.check_fold(n, PE, C, "PE", "NumChannels")
        area = h * w
        lo, hi = t.lo * area, t.hi * area
        L = Layer(name=self.layer_name(n), type="global_avgpool", in_shape=t.shape, out_shape=(1, 1, c),
                  folding={"pe": 1, "simd": PE, "mmv": 1})
        L.inputs = self.inputs_for(n, t)
        nt = Tensor(L.name, (1, 1, c), "unsigned" if lo >= 0 else "signed", range_bits(lo, hi),
                    t.alpha, t.beta * area, lo=lo, hi=hi)
        L.out = nt.stream()
        self.add_layer(L, [(n, "main")])
        self.t[n.output[0]] = nt

    # -- joins and the end ----------------------------------------------------------------------
    def op_AddStreams(self, n, a):
        x, y = self.tensor(n, 0), self.tensor(n, 1)
        for t in (x, y):
            self.check_plain(n, t)
            if t.enc == "accumulator":
                raise node_error(n, "adds raw accumulators (both inputs need an activation)")
            if t.layer is None:
                raise node_error(n, "adds the network input: the simulator's join reads layers only")
        if x.shape != y.shape:
            raise node_error(n, f"adds {x.shape} and {y.shape}")
        h, w, c = x.shape
        C, PE = int(a.get("NumChannels", c)), int(a.get("PE", 1))
        if C != c:
            raise node_error(n, f"NumChannels {C} but its inputs have {c} channels")
        self.check_fold(n, PE, C, "PE", "NumChannels")
        if x.alpha != y.alpha:
            raise node_error(n, f"adds streams of scales {x.alpha} and {y.alpha} (e.g. a BINARY and a "
                                "BIPOLAR stream); the simulator adds decoded values")
        lo, hi = x.lo + y.lo, x.hi + y.hi
        enc = "unsigned" if x.enc == "unsigned" and y.enc == "unsigned" else "signed"
        L = Layer(name=self.layer_name(n), type="add", in_shape=x.shape, out_shape=x.shape,
                  folding={"pe": 1, "simd": PE, "mmv": 1})
        L.inputs = [x.layer, y.layer]
        L.activation = ""
        L._acc = (x.alpha, x.beta + y.beta, max(abs(lo), abs(hi)))
        nt = Tensor(L.name, x.shape, enc, range_bits(lo, hi), x.alpha, x.beta + y.beta, lo=lo, hi=hi)
        L.out = nt.stream()
        self.add_layer(L, [(n, "main")])
        self.t[n.output[0]] = nt

    def op_StreamingConcat(self, n, a):
        ins = [self.tensor(n, i) for i in range(len(n.input))]
        if len(ins) < 2:
            raise node_error(n, "concatenates fewer than two streams")
        for t in ins:
            self.check_plain(n, t)
            if t.enc == "accumulator":
                raise node_error(n, "concatenates raw accumulators")
            if t.layer is None:
                raise node_error(n, "concatenates the network input: the simulator's join reads layers only")
        hw = {t.shape[:2] for t in ins}
        if len(hw) != 1:
            raise node_error(n, f"concatenates maps of different sizes {sorted(hw)}")
        per = a.get("ChannelsPerStream", a.get("ElemsPerStream"))
        chans = [t.shape[2] for t in ins]
        if per is not None and list(per) != chans:
            raise node_error(n, f"ChannelsPerStream {list(per)} but its inputs have {chans} channels")
        if len({t.alpha for t in ins}) != 1:
            raise node_error(n, "concatenates streams of different scales")
        encs = {t.enc for t in ins}
        lo, hi = min(t.lo for t in ins), max(t.hi for t in ins)
        if len(encs) == 1:
            enc, bits = ins[0].enc, max(t.bits for t in ins)
        else:
            enc, bits = "signed", range_bits(min(lo, -1), hi)
        C = sum(chans)
        simd = int(a.get("SIMD", 0) or 0) or C
        self.check_fold(n, simd, C, "SIMD", "the output channels")
        h, w = ins[0].shape[:2]
        L = Layer(name=self.layer_name(n), type="concat", in_shape=ins[0].shape, out_shape=(h, w, C),
                  folding={"pe": 1, "simd": simd, "mmv": 1})
        L.inputs = [t.layer for t in ins]
        nt = Tensor(L.name, (h, w, C), enc, bits, ins[0].alpha, np.concatenate([t.beta for t in ins]),
                    lo=lo, hi=hi)
        L.out = nt.stream()
        self.add_layer(L, [(n, "main")])
        self.t[n.output[0]] = nt

    def op_LabelSelect(self, n, a):
        t = self.tensor(n)
        self.check_plain(n, t)
        h, w, c = t.shape
        labels, PE, K = int(a.get("Labels", c)), int(a.get("PE", 1)), int(a.get("K", 1))
        if (h, w) != (1, 1) or labels != c:
            raise node_error(n, f"Labels {labels} but its input is {h}x{w}x{c} (a 1 x 1 x C vector is needed)")
        if not 1 <= K <= c:
            raise node_error(n, f"K = {K} outside 1 .. {c}")
        self.check_fold(n, PE, labels, "PE", "Labels")
        if np.any(t.beta != t.beta[0]):
            raise node_error(n, "selects over per-channel offsets: the simulator ranks the codes")
        L = Layer(name=self.layer_name(n), type="topk", k=K, in_shape=t.shape, out_shape=(1, 1, K),
                  folding={"pe": 1, "simd": PE, "mmv": 1})
        L.inputs = self.inputs_for(n, t)
        nt = Tensor(L.name, (1, 1, K), "unsigned", range_bits(0, c - 1))
        L.out = nt.stream()
        self.add_layer(L, [(n, "main")])
        self.t[n.output[0]] = nt

    # -- the result -------------------------------------------------------------------------
    def finish(self):
        if not self.layers:
            raise ImportError_("the graph has no layer the simulator computes")
        outs = list(self.graph.output)
        if len(outs) != 1:
            raise ImportError_(f"the graph has {len(outs)} outputs; the simulator's network has one")
        t = self.t.get(outs[0].name)
        if t is None:
            raise ImportError_(f"graph output '{outs[0].name}' is produced by no imported node")
        if t.pad is not None or t.win is not None:
            raise ImportError_(f"graph output '{outs[0].name}' is a padded map or a sliding window")
        if t.layer != self.layers[-1].name:
            raise ImportError_(f"graph output '{outs[0].name}' comes from {t.layer}, not from the last layer "
                               f"{self.layers[-1].name}")
        used = {i for L in self.layers for i in L.inputs}
        for L in self.layers[:-1]:
            if L.name not in used:
                raise ImportError_(f"layer {L.name} ({L.source}) has no reader and is not the output")
        net = Network(name=self.name, input_shape=self.input_shape, input_bits=self.input_bits,
                      input_signed=self.input_signed, layers=self.layers, source_format="finn")
        if not t.identity():
            net.output_scale = t.alpha
            net.output_offset = t.beta.copy()
        # forks: a FIFO of a whole frame after the fork's producer keeps every skip path deadlock-free
        for L in self.layers:
            if len(net.readers(L.name)) > 1:
                h = L.out_shape[0]
                if self.fifo_depths.get(L.name, 0) < h:
                    self.fifo_depths[L.name] = h
                    self.comments.append(f"{L.name} forks: its FIFOs hold a whole frame ({h} rows) so that "
                                         "no branch can deadlock the join (sim fifo-size sizes them)")
        for L in self.layers:
            if L.folding:
                L.folding = {k: int(v) for k, v in L.folding.items()}
        net.input_value, net.input_layout = self.input_value, self.input_layout
        net.input_model_shape, net.input_rank = self.input_model_shape, len(self.input_model_shape)
        net.output_stream, net.output_shape = t.stream(), tuple(self.layers[-1].out_shape)
        net.output_layout, net.output_flat_from = "NHWC", None
        net.output_is_labels = self.layers[-1].type == "topk"
        net.comments = [f"imported from the FINN graph '{self.graph.name or self.name}' by qnn-import"] + \
            self.comments + [f"note: {x}" for x in self.notes]
        net.node_to_layer = dict(self.node_to_layer)
        net.node_layer = net.node_to_layer       # the name cli.py passes to folding.apply_folding
        net.fifo_depths = dict(self.fifo_depths)
        net.fifo_words_per_row = dict(self.fifo_words_per_row)
        net.notes = list(self.notes)
        return net


def import_finn(model, name):
    """ir.Network of a FINN hardware-layer graph (onnx.ModelProto). Raises ir.ImportError_ (one line
    naming the node) for anything the simulator cannot represent exactly."""
    return _Importer(model, name).run()
