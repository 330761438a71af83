"""QONNX test models built with onnx.helper, as Brevitas lays them out: float weights through Quant /
BipolarQuant nodes, batch norm, ReLU and activation quantisers, residual and depthwise blocks."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QDOM = "qonnx.custom_op.general"


class G:
    """A small graph builder: every helper returns the output tensor's name."""

    def __init__(self, seed=0):
        self.nodes, self.inits, self.count = [], [], {}
        self.rng = np.random.default_rng(seed)

    def name(self, kind):
        self.count[kind] = self.count.get(kind, -1) + 1
        return f"{kind}_{self.count[kind]}"

    def const(self, value, kind="c", dtype=np.float32):
        n = self.name(kind)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), n))
        return n

    def node(self, op, inputs, domain="", outputs=1, **attrs):
        n = self.name(op)
        outs = [f"{n}_out{i}" if i else f"{n}_out" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=n, domain=domain, **attrs))
        return outs[0] if outputs == 1 else outs

    # -- quantisers -------------------------------------------------------------------
    def quant(self, x, scale, bits, signed, narrow=0, zeropt=0.0, mode="ROUND"):
        return self.node("Quant", [x, self.const(scale, "scale"), self.const(zeropt, "zeropt"), self.const(bits, "bits")],
                         domain=QDOM, signed=signed, narrow=narrow, rounding_mode=mode)

    def bipolar(self, x, scale):
        return self.node("BipolarQuant", [x, self.const(scale, "scale")], domain=QDOM)

    def weight(self, shape, kind, bits=4, per_channel=False):
        """A float weight through its quantiser: binary, ternary or uniform (signed, narrow)."""
        w = self.const(self.rng.normal(0, 0.5, size=shape), "W")
        n = shape[0]
        s = (self.rng.uniform(0.05, 0.2, size=(n,) + (1,) * (len(shape) - 1)) if per_channel else 0.125)
        if kind == "binary":
            return self.bipolar(w, s)
        if kind == "ternary":
            return self.quant(w, s if per_channel else 0.4, 2, 1, narrow=1)
        return self.quant(w, s, bits, 1, narrow=1)

    def bn(self, x, c):
        r = self.rng
        return self.node("BatchNormalization", [x, self.const(r.uniform(0.5, 1.5, c)), self.const(r.normal(0, 0.3, c)),
                                                self.const(r.normal(0, 0.3, c)), self.const(r.uniform(0.5, 2.0, c))])

    def act(self, x, c, bits=2, scale=0.25):
        """BatchNorm, ReLU and an unsigned quantiser (QuantReLU)."""
        return self.quant(self.node("Relu", [self.bn(x, c)]), scale, bits, 0)

    def conv(self, x, cin, cout, k, kind, stride=1, pad=0, group=1, bias=False, bits=4, one_d=False):
        shape = (cout, cin // group, k) if one_d else (cout, cin // group, k, k)
        ins = [x, self.weight(shape, kind, bits)]
        if bias:
            ins.append(self.const(self.rng.normal(0, 0.5, cout)))
        pads = [pad, pad] if one_d else [pad] * 4
        ks = [k] if one_d else [k, k]
        st = [stride] if one_d else [stride, stride]
        return self.node("Conv", ins, kernel_shape=ks, strides=st, pads=pads, group=group)

    def model(self, x_name, x_shape, out, out_shape, input_type=None, out_type=TensorProto.FLOAT):
        g = helper.make_graph(self.nodes, "g", [helper.make_tensor_value_info(x_name, TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info(out, out_type, out_shape)], self.inits)
        if input_type:
            qa = onnx.TensorAnnotation()
            qa.tensor_name = x_name
            kv = qa.quant_parameter_tensor_names.add()
            kv.key, kv.value = "finn_datatype", input_type
            g.quantization_annotation.append(qa)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QDOM, 1)])
        m.ir_version = 7
        return m


def mlp():
    """UINT8 input, flatten, binary fc + BN/ReLU/2-bit, ternary fc, 4-bit fc with bias and a scale (logits)."""
    g = G(1)
    x = g.node("Flatten", ["x"], axis=1)
    h = g.act(g.node("MatMul", [x, g.node("Transpose", [g.weight((32, 64), "binary")], perm=[1, 0])]), 32)
    h = g.act(g.node("MatMul", [h, g.node("Transpose", [g.weight((16, 32), "ternary")], perm=[1, 0])]), 16, bits=3, scale=0.5)
    y = g.node("Gemm", [h, g.weight((10, 16), "uniform", bits=4, per_channel=True), g.const(g.rng.normal(0, 1, 10))], transB=1)
    y = g.node("Mul", [y, g.const(0.5)])
    return g.model("x", [1, 1, 8, 8], y, [1, 10], input_type="UINT8")


def cnn():
    """Signed 8-bit input quantiser, padded 4-bit conv with bias, max pool, bipolar activations into an
    XNOR conv, global average pooling, a classifier and ArgMax."""
    g = G(2)
    x = g.quant("x", 1.0 / 64, 8, 1)
    h = g.act(g.conv(x, 3, 8, 3, "uniform", pad=1, bias=True), 8, bits=4, scale=0.1)
    h = g.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
    h = g.bipolar(g.bn(g.conv(h, 8, 16, 3, "binary"), 16), 1.0)
    h = g.quant(g.node("Relu", [g.bn(g.conv(h, 16, 16, 3, "binary", stride=1), 16)]), 0.5, 2, 0)
    h = g.node("GlobalAveragePool", [h])
    h = g.node("Flatten", [h], axis=1)
    y = g.node("Gemm", [h, g.weight((10, 16), "ternary")], transB=1)
    y = g.node("ArgMax", [y], axis=1, keepdims=1)
    return g.model("x", [1, 3, 12, 12], y, [1, 1], out_type=TensorProto.INT64)


def residual():
    """A residual block: stem, two 3x3 convs, the skip added (one scale), requantised by a Quant; concat
    and average pooling after it, a raw-accumulator 1x1 conv output map."""
    g = G(3)
    s = g.act(g.conv("x", 4, 8, 3, "ternary", pad=1), 8, bits=2, scale=0.5)
    b = g.act(g.conv(s, 8, 8, 3, "binary", pad=1), 8, bits=2, scale=0.5)
    b = g.quant(g.bn(g.conv(b, 8, 8, 3, "uniform", pad=1, bits=3), 8), 0.5, 3, 1)
    r = g.quant(g.node("Relu", [g.node("Add", [b, s])]), 0.5, 3, 0)
    c = g.node("Concat", [r, s], axis=1)
    c = g.node("AveragePool", [c], kernel_shape=[2, 2], strides=[2, 2])
    y = g.conv(c, 16, 6, 1, "uniform", bits=5)
    return g.model("x", [1, 4, 8, 8], y, [1, 6, 4, 4], input_type="UINT4")


def depthwise():
    """MobileNet-style: a strided 3x3 conv, a depthwise 3x3 (group = channels), a pointwise conv, global
    max pooling and TopK over a per-channel-scaled classifier."""
    g = G(4)
    h = g.act(g.conv("x", 3, 8, 3, "uniform", stride=2, pad=1, bits=4), 8, bits=4, scale=0.2)
    h = g.act(g.conv(h, 8, 8, 3, "uniform", pad=1, group=8, bits=4), 8, bits=4, scale=0.2)
    h = g.act(g.conv(h, 8, 12, 1, "ternary"), 12, bits=2, scale=1.0)
    h = g.node("GlobalMaxPool", [h])
    h = g.node("Reshape", [h, g.const(np.array([1, -1]), dtype=np.int64)])
    y = g.node("MatMul", [h, g.node("Transpose", [g.weight((10, 12), "uniform", bits=6)], perm=[1, 0])])
    vals, idx = g.node("TopK", [y, g.const(np.array([3]), dtype=np.int64)], outputs=2, axis=-1)
    m = g.model("x", [1, 3, 9, 9], idx, [1, 3], input_type="INT6", out_type=TensorProto.INT64)
    return m


def conv1d():
    """A 1-D network on [N, C, L]: strided 1-D convs with padding, a 1-D max pool, flatten, fc."""
    g = G(5)
    h = g.act(g.conv("x", 4, 8, 5, "uniform", pad=2, bits=4, one_d=True), 8, bits=3, scale=0.3)
    h = g.node("MaxPool", [h], kernel_shape=[2], strides=[2])
    h = g.act(g.conv(h, 8, 8, 3, "ternary", stride=2, pad=1, one_d=True), 8, bits=2, scale=0.5)
    h = g.node("Flatten", [h], axis=1)
    y = g.node("MatMul", [h, g.node("Transpose", [g.weight((5, 8 * 5), "binary")], perm=[1, 0])])
    return g.model("x", [1, 4, 20], y, [1, 5], input_type="UINT8")


def tfc():
    """FINN's TFC layout: binary inputs mapped to +-1 (Mul 2, Add -1, BipolarQuant), XNOR fc layers with
    bipolar activations (batch norm into BipolarQuant), a last fc layer with a scale."""
    g = G(6)
    # x.view(x.shape[0], -1) as torch exports it: Shape, Gather, Unsqueeze, Concat, Reshape
    batch = g.node("Unsqueeze", [g.node("Gather", [g.node("Shape", ["x"]), g.const(0, dtype=np.int64)], axis=0),
                                 g.const(np.array([0]), dtype=np.int64)])
    x = g.node("Reshape", ["x", g.node("Concat", [batch, g.const(np.array([-1]), dtype=np.int64)], axis=0)])
    x = g.bipolar(g.node("Add", [g.node("Mul", [x, g.const(2.0)]), g.const(-1.0)]), 1.0)
    h = g.bipolar(g.bn(g.node("MatMul", [x, g.node("Transpose", [g.weight((24, 49), "binary")], perm=[1, 0])]), 24), 1.0)
    h = g.bipolar(g.bn(g.node("MatMul", [h, g.node("Transpose", [g.weight((24, 24), "binary")], perm=[1, 0])]), 24), 1.0)
    y = g.node("MatMul", [h, g.node("Transpose", [g.weight((10, 24), "binary")], perm=[1, 0])])
    y = g.node("Mul", [y, g.const(0.125)])
    return g.model("x", [1, 1, 7, 7], y, [1, 10], input_type="BINARY")


def nhwc():
    """An NHWC model as tf2onnx writes QKeras's: the input transposed to NCHW, IntQuant on it, explicit
    Pad nodes before the convs, and the output map transposed back to NHWC."""
    g = G(11)
    x = g.node("Transpose", ["x"], perm=[0, 3, 1, 2])
    x = g.node("IntQuant", [x, g.const(0.25, "scale"), g.const(0.0, "zeropt"), g.const(6.0, "bits")], domain=QDOM,
               signed=1, narrow=0, rounding_mode="ROUND")
    x = g.node("Pad", [x, g.const(np.array([0, 0, 1, 1, 0, 0, 1, 1]), dtype=np.int64)], mode="constant")
    h = g.act(g.conv(x, 3, 8, 3, "uniform", bits=4), 8, bits=3, scale=0.25)
    h = g.node("Pad", [h, g.const(np.array([0, 0, 1, 1, 0, 0, 1, 1]), dtype=np.int64), g.const(0.0)], mode="constant")
    y = g.conv(h, 8, 4, 3, "ternary", stride=2)
    y = g.node("Transpose", [y], perm=[0, 2, 3, 1])
    return g.model("x", [1, 6, 6, 3], y, [1, 3, 3, 4])


def misc():
    """The remaining operators: a grouped conv (2 groups), Sub / Div / Floor / Clip as the quantiser,
    a Trunc after a scale, GlobalMaxPool, Gemm with transB = 0 and beta."""
    g = G(14)
    h = g.bn(g.conv("x", 4, 8, 3, "ternary", pad=1, group=2), 8)
    h = g.node("Clip", [g.node("Floor", [g.node("Div", [g.node("Sub", [h, g.const(0.1)]), g.const(0.5)])]),
                        g.const(0.0), g.const(3.0)])
    h = g.node("Mul", [g.conv(h, 8, 6, 3, "uniform", bits=3), g.const(1.0)])
    h = g.node("Clip", [h, g.const(-128.0), g.const(127.0)])
    h = g.node("Trunc", [h, g.const(1.0), g.const(0.0), g.const(8.0), g.const(4.0)], domain=QDOM, rounding_mode="FLOOR")
    h = g.node("Flatten", [g.node("GlobalMaxPool", [h])], axis=1)
    y = g.node("Gemm", [h, g.node("Transpose", [g.weight((5, 6), "uniform", bits=4)], perm=[1, 0]),
                        g.const(g.rng.normal(0, 1, 5))], beta=0.5)
    return g.model("x", [1, 4, 7, 7], y, [1, 5], input_type="UINT3")


def requant():
    """Quantisers where no layer's thresholds can take them: the input's own (after the model's
    preprocessing, as in FINN's TFC / CNV: 2x - 1 and an 8-bit signed Quant) and a Quant after
    global average pooling (Brevitas's TruncAvgPool); each becomes a threshold unit of its own."""
    g = G(15)
    x = g.node("Sub", [g.node("Mul", ["x", g.const(2.0 / 255)]), g.const(1.0)])
    x = g.quant(x, 1.0 / 127, 8, 1, narrow=1)
    h = g.act(g.conv(x, 2, 6, 3, "ternary"), 6, bits=3, scale=0.5)
    h = g.quant(g.node("GlobalAveragePool", [h]), 0.25, 3, 0)
    h = g.act(g.node("Conv", [h, g.weight((6, 6, 1, 1), "ternary")], kernel_shape=[1, 1]), 6, bits=3, scale=0.5)
    # TruncAvgPool as Brevitas exports it: the sum of the window, then a Trunc of its low bits
    h = g.node("Mul", [g.node("GlobalAveragePool", [h]), g.const(1.0)])
    h = g.node("Trunc", [h, g.const(0.5), g.const(0.0), g.const(5.0), g.const(3.0)], domain=QDOM, rounding_mode="FLOOR")
    h = g.node("Flatten", [h], axis=1)
    y = g.node("MatMul", [h, g.node("Transpose", [g.weight((4, 6), "binary")], perm=[1, 0])])
    return g.model("x", [1, 2, 6, 6], y, [1, 4], input_type="UINT8")


MODELS = {"mlp": mlp, "cnn": cnn, "residual": residual, "depthwise": depthwise, "conv1d": conv1d, "tfc": tfc, "nhwc": nhwc, "misc": misc, "requant": requant}
