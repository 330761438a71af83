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

Files: this one holds import_finn, the graph walk (topological order, readers of each tensor,
the network input, dispatch of each node to its op_* handler) and the result;
finn_stream_ops.py and finn_compute_ops.py the handlers (mixins of the importer), finn_values.py
the data types and the Tensor a stream carries.
"""

import numpy as np
from onnx import numpy_helper

from finn_compute_ops import ComputeOps
from finn_stream_ops import StreamOps
from finn_values import Tensor, base_op, node_attrs, pair, parse_dtype
from ir import ImportError_, Network, node_error, unique_layer_name

PASS_THROUGH = ("StreamingFIFO", "StreamingDataWidthConverter", "Reshape", "Flatten", "IODMA", "TLastMarker",
                "CheckSum")


# ------------------------------------------------------------------------------------------
# The importer

class _Importer(StreamOps, ComputeOps):
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
        return unique_layer_name(node, f"{base_op(node.op_type)}_{len(self.layers)}", self.names)

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
