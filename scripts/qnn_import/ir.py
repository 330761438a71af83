"""The simulator's view of an imported network.

Both front ends (qonnx_front.py for QONNX models, finn_front.py for FINN hardware-layer graphs)
produce a `Network`: the layers as a configuration file lists them (docs/config.md), each with
its integer parameters in the simulator's order, and writer.py writes it as NAME.yaml and
NAME.qnnw. Shapes are (H, W, C) as the simulator streams them; weights are [N, fan_in] in the
synapse order of docs/weights-format.md: conv (ky, kx, c) with c fastest over the channels of
the filter's group, fc (y, x, c) of the flattened input.
"""
import re
from dataclasses import dataclass, field

import numpy as np

COMPUTE = ("conv", "fc")
POOLING = ("maxpool", "global_maxpool", "avgpool", "global_avgpool")
LAYER_TYPES = COMPUTE + POOLING + ("add", "concat", "topk")


class ImportError_(ValueError):
    """A model the simulator cannot represent exactly. The message names the ONNX node."""


def node_error(node, why):
    """ImportError_ for one ONNX node: 'node NAME (OpType): why'."""
    name = getattr(node, "name", "") or "<unnamed>"
    return ImportError_(f"node {name} ({node.op_type}): {why}")


def unique_layer_name(node, fallback, used):
    """A layer name from an ONNX node's (the characters a config allows), unique among `used`,
    which it joins; `fallback` when the node has no name."""
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", getattr(node, "name", "") or "") or fallback
    name, k = base, 1
    while name in used:
        k += 1
        name = f"{base}_{k}"
    used.add(name)
    return name


@dataclass
class Stream:
    """How the codes on a stream map to the values of the model: value = scale * decode(code) + offset,
    decode per encoding: unsigned / signed (the integer), bipolar (2c - 1), accumulator (the
    integer). scale and offset are scalars, or per channel (numpy arrays of C) for accumulators."""
    encoding: str = "unsigned"
    bits: int = 8
    scale: object = 1.0
    offset: object = 0.0

    def value_range(self):
        """(lowest, highest) integer value the decode gives."""
        if self.encoding == "unsigned":
            return 0, 2 ** self.bits - 1
        if self.encoding == "signed":
            return -(2 ** (self.bits - 1)), 2 ** (self.bits - 1) - 1
        if self.encoding == "bipolar":
            return -1, 1
        return -(2 ** 31), 2 ** 31 - 1


@dataclass
class Layer:
    name: str
    type: str
    inputs: list = field(default_factory=list)  # producer layer names; [] = the network input
    kernel: int = 0
    kernel_width: int = 0          # 0: square windows; 1: K x 1 windows on an H x 1 map
    stride: int = 1
    pad: tuple = (0, 0)            # (before, after), the same for rows and columns
    groups: int = 1
    filters: int = 0
    k: int = 0                     # topk
    quant: str = ""                # binary, ternary, uniform
    weight_bits: int = 0
    weights: np.ndarray = None     # int [N, fan_in]
    activation: str = ""           # thresholds, bipolar, none; add: "" = the full sum
    act_bits: int = 0
    thresholds: np.ndarray = None  # int64 [N, T], ascending per channel
    folding: dict = None           # {"pe", "simd", "mmv"}; None: chosen by the importer
    in_shape: tuple = ()           # (H, W, C) of the (first) input
    out_shape: tuple = ()
    out: Stream = None             # the output stream's encoding and value mapping
    source: str = ""               # the ONNX node(s) the layer came from

    @property
    def is_compute(self):
        return self.type in COMPUTE

    @property
    def has_record(self):
        """Layers with a record in the weight file: compute layers, and adders that requantise."""
        return self.is_compute or (self.type == "add" and self.activation in ("thresholds", "bipolar"))

    def fan_in(self):
        return int(self.weights.shape[1])


@dataclass
class Network:
    name: str
    input_shape: tuple              # (H, W, C)
    input_bits: int = 8
    input_signed: bool = False
    layers: list = field(default_factory=list)
    # The host's dequantisation of the final outputs (config `output`): value_c = scale_c * out_c
    # + offset_c; None when the outputs are the model's values as they are (codes of a
    # quantiser are described by the last layer's Stream).
    output_scale: object = None
    output_offset: object = None
    comments: list = field(default_factory=list)
    input_value: tuple = None       # (scale, offset, lowest code, highest code): model input = scale * code + offset
    input_rank: int = 4             # the ONNX input's rank: 4 (NCHW), 3 (N, C, L), 2 (N, K)
    input_layout: str = "NCHW"      # "NHWC": the model's input is [N, H, W, C] (input_model_shape)
    input_model_shape: list = None
    output_layout: str = "NCHW"     # "NHWC": the model's output map is [N, H, W, C]
    node_layer: dict = field(default_factory=dict)  # ONNX node name -> layer name (folding_config.json)
    source_format: str = ""         # "qonnx" or "finn"
    # What the model's output tensor is in the simulator's terms (set by the front end):
    output_stream: Stream = None    # the last layer's codes as the model's values
    output_shape: tuple = ()        # the output tensor without the batch: (C, H, W) or (K,)
    output_flat_from: tuple = None  # (C, H, W) when the output tensor is a flattened map
    output_is_labels: bool = False  # a topk / ArgMax output: class indices

    def layer(self, name):
        for L in self.layers:
            if L.name == name:
                return L
        raise KeyError(name)

    def readers(self, name):
        """Layers that read layer `name` (its fork when more than one)."""
        return [L for i, L in enumerate(self.layers) if name in self.inputs_of(i)]

    def inputs_of(self, i):
        L = self.layers[i]
        if L.inputs:
            return list(L.inputs)
        return [self.layers[i - 1].name] if i > 0 else []

    def is_graph(self):
        return any(len(self.readers(L.name)) > 1 for L in self.layers) or any(
            len(L.inputs) > 1 for L in self.layers)
