"""QONNX front end: a quantised ONNX graph (QONNX's Quant, BipolarQuant and Trunc with standard
operators, as Brevitas exports it) lowered onto the simulator's layers, streamlined as FINN does:
every scale, bias, batch norm and the next activation quantiser between two layers fold into
that layer's integer thresholds; weights become the integer codes the datapaths use.

The walk keeps, for every tensor, what it is in the simulator's terms:
  const    a constant (initializers, and what is computed from them only)
  stream   codes a layer (or the network input) streams: value = scale * decode(code) + offset
  pending  a layer's integer accumulator (or an adder's sum) followed by element-wise ops
           that are not applied yet (qonnx_chain); closed into thresholds by the first
           consumer that is not element-wise.
Anything that has no exact integer form is refused naming the node and why.
"""

import numpy as np
import onnx
from onnx import numpy_helper

import qonnx_chain as qc
import qonnx_layers
import qonnx_nodes
from qonnx_nodes import attrs
from ir import ImportError_, Network, Stream, node_error, unique_layer_name

ELEMENTWISE = ("Quant", "BipolarQuant", "Trunc", "Relu", "Clip", "Floor", "Round", "Mul", "Div", "Add",
               "Sub", "BatchNormalization")
SHAPE_OPS = ("Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Identity", "Dropout", "Pad")
LAYER_OPS = ("Conv", "MatMul", "Gemm", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
             "Concat", "ArgMax", "TopK")
SUPPORTED = ELEMENTWISE + SHAPE_OPS + LAYER_OPS + ("Constant",)


class T:
    """The importer's view of one tensor (see the module doc)."""

    def __init__(self, kind, shape=None, value=None, stream=None, producer=None, layer=None, chain=None,
                 bound=0, flat_from=None, sum_range=None, rank=4, pre_pad=None, nhwc=False):
        self.kind = kind
        self.shape = shape          # without the batch: (C, H, W), or (K,) after a flatten
        self.value = value          # const
        self.stream = stream        # stream: ir.Stream
        self.producer = producer    # stream: the layer name, None for the network input
        self.layer = layer          # pending: the ir.Layer
        self.chain = chain or []    # pending: element-wise ops after the accumulator
        self.bound = bound          # pending: |accumulator| <= bound
        self.flat_from = flat_from  # (C, H, W) before a flatten
        self.sum_range = sum_range  # pending adder: (lowest, highest) sum of the decoded inputs
        self.rank = rank            # the ONNX tensor's rank with the batch: 4 (maps), 3 (1-D maps), 2 (vectors)
        self.pre_pad = pre_pad      # (top, left, bottom, right) zeros of a Pad node the next Conv takes
        self.nhwc = nhwc            # the output transposed to NHWC (the simulator's own order)

    @property
    def channels(self):
        return int(self.shape[0])


def topological(graph):
    known = {i.name for i in graph.initializer} | {i.name for i in graph.input} | {""}
    pending, order = list(graph.node), []
    while pending:
        ready = [n for n in pending if all(i in known for i in n.input)]
        if not ready:
            produced = {o for p in pending for o in p.output}
            n = pending[0]
            missing = [i for i in n.input if i not in known]
            if missing[0] in produced:
                raise node_error(n, f"input {missing[0]} depends on this node's own output: the graph has a cycle")
            raise node_error(n, f"input {missing[0]} is produced by no node, initializer or graph input")
        for n in ready:
            order.append(n)
            known.update(n.output)
        pending = [n for n in pending if n not in ready]
    return order


class QonnxLowering:
    def __init__(self, model, name, input_type=None, input_scale=1.0):
        self.model = model
        self.g = model.graph
        self.net = Network(name=name, input_shape=(1, 1, 1), source_format="qonnx")
        self.t = {}
        self.wq = {}            # weight tensor -> (integer codes, scale, kind) of a constant quantiser
        self.node_layer = {}    # ONNX node name -> layer name (folding_config.json)
        self.names = set()
        self.closed = {}        # layer name -> the stream its pending accumulator closed into
        self.input_type = input_type
        self.input_scale = float(input_scale)  # --input-scale: model input = scale x the type's integer
        self.input_quant = None  # (scale, zeropt) when a Quant node reads the graph input
        self.skip = set()        # nodes the walk passes over (a leading NHWC -> NCHW transpose)

    # -- names -------------------------------------------------------------------------
    def layer_name(self, node, kind):
        name = unique_layer_name(node, f"{kind}{len(self.names)}", self.names)
        self.node_layer[node.name or name] = name
        return name

    # -- constants and weights -----------------------------------------------------------
    def const(self, name, node):
        t = self.t.get(name)
        if t is None or t.kind != "const":
            raise node_error(node, f"input {name} must be a constant (an initializer)")
        return t.value

    def is_const(self, name):
        return name == "" or (name in self.t and self.t[name].kind == "const")

    # -- the walk --------------------------------------------------------------------------
    def run(self):
        for init in self.g.initializer:
            self.t[init.name] = T("const", value=numpy_helper.to_array(init))
        inputs = [i for i in self.g.input if i.name not in self.t]
        if not self.g.node and not inputs:
            raise ImportError_("the model has no graph (an empty file, or not an ONNX model)")
        if len(inputs) != 1:
            raise ImportError_(f"the model has {len(inputs)} non-constant inputs; the simulator takes one")
        if len(self.g.output) != 1:
            raise ImportError_(f"the model has {len(self.g.output)} outputs; the simulator delivers one")
        self.setup_input(inputs[0])
        for node in topological(self.g):
            self.visit(node)
        self.finish(self.g.output[0].name)
        return self.net

    def setup_input(self, vi):
        dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        self.annotated_input = vi.name
        readers = [n for n in self.g.node if vi.name in n.input]
        if (len(dims) == 4 and len(readers) == 1 and readers[0].op_type == "Transpose"
                and list(attrs(readers[0]).get("perm", [])) == [0, 3, 1, 2]):
            # An NHWC model (tf2onnx, QKeras): the simulator streams NHWC, so the transpose to
            # NCHW only names the axes; the walk starts at its output.
            self.skip.add(id(readers[0]))
            self.net.input_layout, self.net.input_model_shape = "NHWC", list(dims)
            dims = [dims[0], dims[3], dims[1], dims[2]]
            vi = onnx.helper.make_tensor_value_info(readers[0].output[0], onnx.TensorProto.FLOAT, dims)
        if len(dims) not in (2, 3, 4) or any(d <= 0 for d in dims[1:]):
            raise ImportError_(f"input {vi.name}: shape {dims}; expected [N, C, H, W], [N, C, L] or [N, K]")
        shape = tuple(dims[1:]) + (1,) * (4 - len(dims))  # (C, H, W); [N, K] is 1 x 1 x K
        c, h, w = shape
        self.net.input_shape = (h, w, c)
        self.input_name = vi.name
        self.input_rank = self.net.input_rank = len(dims)
        self.t[vi.name] = T("input", shape=shape if len(dims) != 2 else (c,), rank=len(dims))

    def resolve_input(self, consumer):
        """The network input's integer type: from a Quant reading it, an annotation or --input-type."""
        if consumer is not None and consumer.op_type == "Quant":
            a = attrs(consumer)
            s = self.const(consumer.input[1], consumer)
            z = self.const(consumer.input[2], consumer)
            bits = self.const(consumer.input[3], consumer)
            if np.size(s) != 1 or np.size(z) != 1 or float(bits) != int(bits):
                raise node_error(consumer, "the input quantiser needs a scalar scale, zero point and integer bit width")
            signed, narrow = int(a.get("signed", 1)), int(a.get("narrow", 0))
            lo, hi = qc.quant_int_range(int(bits), signed, narrow)
            self.input_quant = (float(s), float(z), lo, hi)
            enc_bits = max(1, int(hi - lo).bit_length()) if not signed else int(bits)
            self.net.input_bits, self.net.input_signed = enc_bits, bool(signed)
            self.net.input_value = (float(s), -float(z) * float(s), lo, hi)
            return Stream("signed" if signed else "unsigned", enc_bits, float(s), -float(z) * float(s))
        dt = self.input_type or qonnx_nodes.annotation(self.g, self.annotated_input)
        if not dt:
            raise ImportError_(f"input {self.input_name}: its integer type is unknown: no Quant reads it and no "
                               "finn_datatype annotation gives it; pass --input-type (e.g. UINT8, INT4)")
        enc, bits, scale, offset = qonnx_nodes.datatype_stream(dt, f"input {self.input_name}")
        scale, offset = scale * self.input_scale, offset * self.input_scale
        self.net.input_bits, self.net.input_signed = bits, enc == "signed"
        lo, hi = Stream(enc, bits).value_range()
        self.net.input_value = (scale, offset, lo, hi)
        return Stream(enc, bits, scale, offset)

    def stream_of(self, name, node):
        """The tensor as a stream (closing a pending accumulator into thresholds)."""
        t = self.t[name]
        if t.kind == "input":
            s = self.resolve_input(None)
            self.t[name] = t = T("stream", shape=t.shape, stream=s, producer=None, rank=t.rank)
        if t.kind == "pending":
            return self.close(t, node, final=False)
        if t.kind == "const":
            raise node_error(node, f"input {name} is a constant where the simulator needs a stream")
        return t

    def visit(self, node):
        if id(node) in self.skip:
            return
        if node.op_type == "IntQuant":  # QONNX's newer name of Quant
            renamed = onnx.NodeProto()
            renamed.CopyFrom(node)
            renamed.op_type = "Quant"
            node = renamed
        op = node.op_type
        if op == "Shape" and node.input[0] in self.t and not self.is_const(node.input[0]):
            self.t[node.output[0]] = T("const", value=np.asarray(qonnx_layers.onnx_shape(self.t[node.input[0]]), np.int64))
            return
        padded = [i for i in node.input if i in self.t and self.t[i].pre_pad is not None]
        if padded and op != "Conv":
            raise node_error(node, "reads the output of a Pad: only a Conv can take a Pad's zeros as its padding")
        if op == "Constant":
            a = attrs(node)
            for key in ("value", "value_float", "value_floats", "value_int", "value_ints"):
                if key in a:
                    v = a[key]
                    v = numpy_helper.to_array(v) if key == "value" else np.asarray(v)
                    self.t[node.output[0]] = T("const", value=v)
                    return
            raise node_error(node, "a Constant without a value")
        if all(self.is_const(i) for i in node.input):
            self.t[node.output[0]] = T("const", value=qonnx_nodes.fold_constant(self, node))
            return
        if op not in SUPPORTED:
            raise node_error(node, f"operator {op} is not supported by the QONNX front end "
                             "(docs/import.md lists the operators)")
        if self.input_name in node.input and self.t[self.input_name].kind == "input":
            s = self.resolve_input(node)
            t0 = self.t[self.input_name]
            if self.input_quant is not None:  # the Quant node itself is the input's codes
                self.t[node.output[0]] = T("stream", shape=t0.shape, stream=s, producer=None, rank=t0.rank)
                return
            self.t[self.input_name] = T("stream", shape=t0.shape, stream=s, producer=None, rank=t0.rank)
        try:
            qonnx_layers.visit(self, node)
        except ImportError_:
            raise
        except Exception as e:  # a model this walk did not foresee: still one line naming the node
            raise node_error(node, f"cannot be lowered ({type(e).__name__}: {e})")

    # -- pending accumulators -------------------------------------------------------------
    def close(self, t, node, final):
        L = t.layer
        if L.name in self.closed:
            done = self.closed[L.name]
            if done[0] is not t.chain:  # another chain of element-wise ops off the same accumulator
                raise node_error(node, f"the accumulator of layer {L.name} feeds two different activations")
            return done[1]
        n = L.out_shape[2]
        what = f"node {L.source}"
        if qc.last_quantiser(t.chain) is not None:
            r = qc.fold_thresholds(t.chain, n, t.bound, what, can_negate=L.is_compute)
            if np.any(r["negate"]):
                L.weights = (L.weights.astype(np.int64) * np.where(r["negate"], -1, 1)[:, None]).astype(np.int16)
            L.activation, L.act_bits, L.thresholds = r["activation"], r["bits"], r["thresholds"]
            if r["bipolar"]:
                s = Stream("bipolar", 1, squeeze(r["step"] / 2), squeeze(r["lowest"] + r["step"] / 2))
            else:
                s = Stream("unsigned", r["bits"], squeeze(r["step"]), squeeze(r["lowest"]))
        else:
            aff = qc.affine_of(t.chain, n)
            if aff is None:
                raise ImportError_(f"{what}: a nonlinear function of the accumulator without a quantiser")
            if L.type == "add":
                L.activation = ""
                lo, hi = t.sum_range
                s = Stream(*sum_encoding(lo, hi), squeeze(aff[0]), squeeze(aff[1]))
            elif final:
                L.activation, L.act_bits = "none", 32
                s = Stream("accumulator", 32, squeeze(aff[0]), squeeze(aff[1]))
            else:
                raise ImportError_(f"{what}: its output is not quantised (no Quant/BipolarQuant/Trunc before "
                                   f"node {node.name or node.op_type}); the simulator carries integer codes "
                                   "between layers, raw accumulators only out of the last layer")
        L.out = s
        self.net.layers.append(L)
        out = T("stream", shape=t.shape, stream=s, producer=L.name, flat_from=t.flat_from, rank=t.rank)
        self.closed[L.name] = (t.chain, out)
        return out

    def finish(self, name):
        t = self.t.get(name)
        if t is None or t.kind in ("const", "input"):
            raise ImportError_(f"output {name}: not computed from the input by any supported layer")
        nhwc = t.nhwc
        if t.kind == "pending":
            t = self.close(t, onnx.helper.make_node("Identity", [name], [name], name="output"), final=True)
        if not self.net.layers:
            raise ImportError_("the model has no layer the simulator can run")
        last = self.net.layers[-1]
        if t.producer != last.name:
            raise ImportError_(f"output {name}: layer {last.name} is computed after the output's layer "
                               f"{t.producer} and reaches no output")
        for L in self.net.layers:
            if L.name != last.name and not self.net.readers(L.name):
                raise ImportError_(f"layer {L.name} (node {L.source}) reaches no output")
        s = t.stream
        self.net.output_stream, self.net.output_shape, self.net.output_flat_from = s, t.shape, t.flat_from
        if nhwc:
            self.net.output_layout = "NHWC"
        self.net.output_is_labels = last.type == "topk"
        if last.type != "topk" and s.encoding == "accumulator":
            scale, offset = np.asarray(s.scale, float), np.asarray(s.offset, float)
            if not (np.all(scale == 1) and np.all(offset == 0)):
                self.net.output_scale, self.net.output_offset = scale, offset


def squeeze(v):
    """A per-channel array whose values are all equal as a scalar."""
    v = np.asarray(v, dtype=np.float64).reshape(-1)
    return float(v[0]) if v.size == 1 or np.all(v == v[0]) else v


def sum_encoding(lo, hi):
    """(encoding, bits) of integers in [lo, hi] in the fewest bits, as the simulator sizes sums."""
    if lo >= 0:
        return "unsigned", max(1, int(hi).bit_length())
    bits = 1
    while not (-(2 ** (bits - 1)) <= lo and hi <= 2 ** (bits - 1) - 1):
        bits += 1
    return "signed", bits


def import_qonnx(model, name, input_type=None, input_scale=1.0):
    """ir.Network of a QONNX model (onnx.ModelProto)."""
    return QonnxLowering(model, name, input_type, input_scale).run()
