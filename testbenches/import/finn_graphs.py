"""FINN-style hardware-layer graphs for the FINN front end's tests, built with onnx.helper, and two
plain-numpy evaluations: `finn_execute` (the graph as FINN's Python execution of its nodes defines
it: im2col windows in (ky, kx, c) order, XNOR-popcount as the count of matches, MultiThreshold
counts >= plus ActVal) and `ir_execute` (the imported network as the simulator computes it, on
integer codes: zero padding by code 0, thresholds on the simulator's accumulator)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DOMAIN = "finn.custom_op.fpgadataflow"


class Graph:
    def __init__(self, name, in_shape, in_dtype, seed=0):
        self.name = name
        self.nodes, self.inits, self.vinfo, self.dtypes = [], [], [], {}
        self.rng = np.random.default_rng(seed)
        self.count = {}
        self.input = "global_in"
        self.in_shape = list(in_shape)
        self.shapes = {self.input: list(in_shape)}
        self.dtypes[self.input] = in_dtype

    def uid(self, prefix):
        k = self.count.get(prefix, 0)
        self.count[prefix] = k + 1
        return f"{prefix}_{k}"

    def init(self, name, arr, dtype=None):
        self.inits.append(numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name))
        if dtype:
            self.dtypes[name] = dtype
        return name

    def node(self, op, inputs, out_shape, out_dtype=None, n_out=1, name=None, **attrs):
        name = name or self.uid(op)
        outs = [self.uid(name + "_out") for _ in range(n_out)]
        domain = DOMAIN + (".hls" if op.endswith("_hls") else ".rtl" if op.endswith("_rtl") else "")
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, domain=domain,
                                           backend="fpgadataflow", **attrs))
        for o in outs:
            self.shapes[o] = list(out_shape)
            if out_dtype:
                self.dtypes[o] = out_dtype
        return outs[0] if n_out == 1 else outs

    def std(self, op, inputs, out_shape, out_dtype=None, **attrs):
        """A standard ONNX node (Flatten, Reshape, ...)."""
        name = self.uid(op)
        out = self.uid(name + "_out")
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        self.shapes[out] = list(out_shape)
        if out_dtype:
            self.dtypes[out] = out_dtype
        return out

    def model(self, out):
        vi = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT, self.shapes[n])
        inner = [vi(n) for n in self.shapes if n not in (self.input, out)]
        graph = helper.make_graph(self.nodes, self.name, [vi(self.input)], [vi(out)], self.inits, value_info=inner)
        for t, dt in self.dtypes.items():
            qa = onnx.TensorAnnotation()
            qa.tensor_name = t
            e = qa.quant_parameter_tensor_names.add()
            e.key, e.value = "finn_datatype", dt
            graph.quantization_annotation.append(qa)
        m = helper.make_model(graph, producer_name="qnn-sim tests", opset_imports=[helper.make_opsetid("", 11)])
        return m

    # -- layers ------------------------------------------------------------------------------
    def weights(self, shape, dtype):
        lo, hi = dtype_range(dtype)
        w = self.rng.integers(lo, hi + 1, size=shape).astype(np.float64)
        return np.where(w >= 0, 1.0, -1.0) if dtype == "BIPOLAR" else w

    def thresholds(self, n, steps, center, spread):
        t = center[:, None] + self.rng.integers(-spread, spread + 1, size=(n, steps))
        return np.sort(t, axis=1).astype(np.float64)

    def mvau(self, x, mw, mh, nvec, pe, simd, idt, wdt, odt=None, steps=0, actval=0, xnor=0, op="MVAU_hls",
             out_shape=None, name=None, W=None):
        W = self.weights((mw, mh), wdt) if W is None else W
        ins = [x, self.init(self.uid("W"), W, wdt)]
        noact = 1 if steps == 0 else 0
        if not noact:
            w_eff = 2 * W - 1 if xnor or (idt == wdt == "BIPOLAR") else W
            lo, hi = dtype_range(idt if not xnor else "BIPOLAR")
            spread = max(1, int(np.sqrt(mw) * max(abs(lo), abs(hi)) * np.abs(w_eff).mean()))
            center = np.zeros(mh) if not (xnor or idt == wdt == "BIPOLAR") else np.full(mh, mw // 2)
            if lo >= 0 and not xnor:
                center = w_eff.sum(axis=0) * (hi / 2.0)
                center = np.round(center)
            ins.append(self.init(self.uid("T"), self.thresholds(mh, steps, center, spread)))
        out_shape = out_shape or list(nvec) + [mh]
        return self.node(op, ins, out_shape, odt or "INT32", name=name, MW=mw, MH=mh, PE=pe, SIMD=simd,
                         inputDataType=idt, weightDataType=wdt, outputDataType=odt or "INT32",
                         ActVal=actval, binaryXnorMode=xnor, noActivation=noact, numInputVectors=list(nvec),
                         mem_mode="internal_decoupled", ram_style="auto", resType="auto")

    def thresholding(self, x, shape, steps, idt, odt, pe, center, spread, actval=0, op="Thresholding_hls"):
        c = shape[-1]
        T = self.thresholds(c, steps, np.full(c, center), spread)
        return self.node(op, [x, self.init(self.uid("T"), T)], shape, odt, NumChannels=c, PE=pe,
                         numSteps=steps, inputDataType=idt, weightDataType="INT32", outputDataType=odt,
                         ActVal=actval, numInputVectors=list(shape[:-1]))

    def pad(self, x, hwc, p, dt, simd=1):
        h, w, c = hwc
        out = [1, h + p[0] + p[2], w + p[1] + p[3], c]
        return self.node("FMPadding_hls", [x], out, dt, ImgDim=[h, w], Padding=list(p), NumChannels=c,
                         SIMD=simd, inputDataType=dt, numInputVectors=1), out[1:]

    def swg(self, x, hwc, k, s, dt, simd, depthwise=0, op="ConvolutionInputGenerator_rtl"):
        h, w, c = hwc
        kh, kw = (k, k) if isinstance(k, int) else k
        sh, sw = (s, s) if isinstance(s, int) else s
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        out = self.node(op, [x], [1, oh, ow, kh * kw * c], dt, ConvKernelDim=[kh, kw], IFMChannels=c,
                        IFMDim=[h, w], OFMDim=[oh, ow], SIMD=simd, Stride=[sh, sw], Dilation=[1, 1],
                        inputDataType=dt, outputDataType=dt, depthwise=depthwise, is1D=int(h == 1 or w == 1))
        return out, (oh, ow)

    def fifo(self, x, shape, dt, depth, folded):
        return self.node("StreamingFIFO_rtl", [x], shape, dt, depth=depth, folded_shape=list(folded),
                         dataType=dt, impl_style="rtl", ram_style="auto")


def dtype_range(dt):
    if dt == "BIPOLAR":
        return -1, 1
    if dt == "BINARY":
        return 0, 1
    if dt == "TERNARY":
        return -1, 1
    b = int(dt.lstrip("UINT"))
    return (0, 2 ** b - 1) if dt.startswith("U") else (-(2 ** (b - 1)), 2 ** (b - 1) - 1)


def random_input(model, n, seed=1):
    g = model.graph
    dt = {qa.tensor_name: qa.quant_parameter_tensor_names[0].value for qa in g.quantization_annotation}
    name = g.input[0].name
    shape = [d.dim_value for d in g.input[0].type.tensor_type.shape.dim]
    lo, hi = dtype_range(dt[name])
    rng = np.random.default_rng(seed)
    x = rng.integers(lo, hi + 1, size=[n] + shape[1:]).astype(np.float64)
    if dt[name] == "BIPOLAR":
        x = np.where(x >= 0, 1.0, -1.0)
    return x


# ------------------------------------------------------------------------------------------
# The test networks

def tfc(pe=(4, 4, 2), simd=(8, 4, 4), seed=11):
    """TFC-like MLP: UINT8 64-vector, thresholds to BINARY, two XNOR layers with thresholds, an XNOR
    layer without activation, FIFOs and a data-width converter between, LabelSelect top 3."""
    g = Graph("tfc", [1, 64], "UINT8", seed=seed)
    x = g.thresholding(g.input, [1, 64], 1, "UINT8", "BINARY", pe=8, center=128, spread=60)
    x = g.fifo(x, [1, 64], "BINARY", depth=32, folded=[1, 8, 8])
    x = g.mvau(x, 64, 32, [1], pe[0], simd[0], "BINARY", "BINARY", "BINARY", steps=1, xnor=1,
               op="MatrixVectorActivation")
    x = g.node("StreamingDataWidthConverter_Batch", [x], [1, 32], "BINARY", inWidth=4, outWidth=8,
               shape=[1, 32], dataType="BINARY")
    x = g.mvau(x, 32, 32, [1], pe[1], simd[1], "BINARY", "BINARY", "BINARY", steps=1, xnor=1)
    x = g.mvau(x, 32, 12, [1], pe[2], simd[2], "BINARY", "BINARY", "UINT8", xnor=1)
    x = g.node("LabelSelect_hls", [x], [1, 3], "UINT8", Labels=12, PE=2, K=3, inputDataType="UINT8",
               outputDataType="UINT8", numInputVectors=[1])
    return g.model(x)


def bipolar_mlp(seed=12):
    """BIPOLAR x BIPOLAR MVAUs without binaryXnorMode (FINN computes their popcount too), a BIPOLAR
    input, TERNARY weights on BIPOLAR activations, a final INT4 layer without activation."""
    g = Graph("bipolar_mlp", [1, 32], "BIPOLAR", seed=seed)
    x = g.mvau(g.input, 32, 16, [1], 4, 8, "BIPOLAR", "BIPOLAR", "BIPOLAR", steps=1)
    x = g.mvau(x, 16, 16, [1], 2, 4, "BIPOLAR", "TERNARY", "UINT2", steps=3)
    x = g.mvau(x, 16, 8, [1], 2, 2, "UINT2", "INT4", "INT16")
    return g.model(x)


def cnv(pe=(4, 4, 2, 5), simd=(3, 4, 4, 8), seed=13):
    """Conv network: INT4 8x8x3 input, FMPadding + SWG + MVAU (INT4 weights, -8 included) without
    activation + Thresholding (UINT2), StreamingMaxPool, SWG + MVAU (TERNARY weights, INT2 output,
    ActVal -2), a stride-2 SWG + MVAU (UINT2 weights), GlobalAccPool, fc (INT2 weights, accumulators)."""
    g = Graph("cnv", [1, 8, 8, 3], "INT4", seed=seed)
    x, hwc = g.pad(g.input, (8, 8, 3), (1, 1, 1, 1), "INT4")
    x, (oh, ow) = g.swg(x, hwc, 3, 1, "INT4", simd[0])
    W = g.weights((27, 16), "INT4")
    W[0, 0] = -8
    x = g.mvau(x, 27, 16, [1, oh, ow], pe[0], simd[0], "INT4", "INT4", W=W)
    x = g.fifo(x, [1, 8, 8, 16], "INT32", depth=40, folded=[1, 8, 8, 16 // pe[0], pe[0]])
    x = g.thresholding(x, [1, 8, 8, 16], 3, "INT32", "UINT2", pe=8, center=0, spread=60)
    x = g.node("StreamingMaxPool_hls", [x], [1, 4, 4, 16], "UINT2", ImgDim=[8, 8], PoolDim=[2, 2],
               NumChannels=16, PE=16, CeilMode=0, dataType="UINT2")
    x, (oh, ow) = g.swg(x, (4, 4, 16), 3, 1, "UINT2", simd[1])
    x = g.mvau(x, 144, 16, [1, oh, ow], pe[1], simd[1], "UINT2", "TERNARY", "INT2", steps=3, actval=-2)
    x, (oh2, ow2) = g.swg(x, (2, 2, 16), 1, 2, "INT2", simd[2])
    x = g.mvau(x, 16, 8, [1, oh2, ow2], pe[2], simd[2], "INT2", "UINT2", "UINT3", steps=7)
    x = g.node("GlobalAccPool_hls", [x], [1, 1, 1, 8], "UINT3", NumChannels=8, PE=2, inputDataType="UINT3",
               numInputVectors=[1, 1, 1])
    x = g.mvau(x, 8, 10, [1, 1, 1], pe[3], simd[3], "UINT3", "INT2", op="MVAU_rtl")
    return g.model(x)


def residual(seed=14):
    """A residual block: a pointwise stem (MVAU without a window), DuplicateStreams, two 3x3 convs
    on one branch, the identity on the other, AddStreams + Thresholding, then GlobalAccPool, an fc
    and LabelSelect."""
    g = Graph("residual", [1, 6, 6, 4], "UINT2", seed=seed)
    x = g.mvau(g.input, 4, 8, [1, 6, 6], 4, 2, "UINT2", "INT2", "UINT2", steps=3)
    a, b = g.node("DuplicateStreams_hls", [x], [1, 6, 6, 8], "UINT2", n_out=2, NumChannels=8, PE=4,
                  NumOutputStreams=2, inputDataType="UINT2", numInputVectors=[1, 6, 6])
    y, hwc = g.pad(a, (6, 6, 8), (1, 1, 1, 1), "UINT2")
    y, _ = g.swg(y, hwc, 3, 1, "UINT2", 4)
    y = g.mvau(y, 72, 8, [1, 6, 6], 2, 4, "UINT2", "INT3", "UINT2", steps=3)
    y, hwc = g.pad(y, (6, 6, 8), (1, 1, 1, 1), "UINT2")
    y, _ = g.swg(y, hwc, 3, 1, "UINT2", 8)
    y = g.mvau(y, 72, 8, [1, 6, 6], 4, 8, "UINT2", "BIPOLAR", "UINT2", steps=3)
    b = g.fifo(b, [1, 6, 6, 8], "UINT2", depth=64, folded=[1, 6, 6, 1, 8])
    s = g.node("AddStreams_hls", [y, b], [1, 6, 6, 8], "UINT3", NumChannels=8, PE=4, inputDataType="UINT2",
               numInputVectors=[1, 6, 6])
    s = g.thresholding(s, [1, 6, 6, 8], 3, "UINT3", "UINT2", pe=2, center=3, spread=2)
    s = g.node("GlobalAccPool_hls", [s], [1, 1, 1, 8], "UINT8", NumChannels=8, PE=8, inputDataType="UINT2",
               numInputVectors=[1, 6, 6])
    # zero-sum weight columns, so that no class wins on the sums' mean alone
    W = np.stack([g.rng.permutation([-3, -2, -1, 0, 0, 1, 2, 3]) for _ in range(6)], axis=1)
    s = g.mvau(s, 8, 6, [1, 1, 1], 3, 4, "UINT8", "INT3", W=W.astype(np.float64))
    s = g.node("LabelSelect_hls", [s], [1, 1, 1, 3], "UINT8", Labels=6, PE=3, K=3, inputDataType="INT32",
               outputDataType="UINT8", numInputVectors=[1, 1, 1])
    return g.model(s)


def depthwise(seed=15):
    """A MobileNet-style block: FMPadding + depthwise SWG + VVAU (INT3 weights, PE 4, SIMD 3) with
    thresholds to UINT4, a pointwise MVAU of BIPOLAR weights with a BIPOLAR output, StreamingMaxPool."""
    g = Graph("depthwise", [1, 6, 6, 8], "UINT4", seed=seed)
    x, hwc = g.pad(g.input, (6, 6, 8), (1, 1, 1, 1), "UINT4")
    x, (oh, ow) = g.swg(x, hwc, 3, 1, "UINT4", 4, depthwise=1)
    W = g.weights((8, 1, 3, 3), "INT3")
    c = 8
    T = g.thresholds(c, 15, np.round(W.reshape(8, 9).sum(axis=1) * 7.5), 40)
    x = g.node("VVAU_hls", [x, g.init(g.uid("W"), W, "INT3"), g.init(g.uid("T"), T)], [1, oh, ow, c], "UINT4",
               PE=4, SIMD=3, Dim=[oh, ow], Channels=c, Kernel=[3, 3], inputDataType="UINT4",
               weightDataType="INT3", outputDataType="UINT4", ActVal=0, noActivation=0,
               mem_mode="internal_embedded")
    x = g.mvau(x, 8, 16, [1, oh, ow], 8, 4, "UINT4", "BIPOLAR", "BIPOLAR", steps=1)
    x = g.node("StreamingMaxPool_hls", [x], [1, 3, 3, 16], "BIPOLAR", ImgDim=[6, 6], PoolDim=[2, 2],
               NumChannels=16, PE=16, dataType="BIPOLAR")
    return g.model(x)


def conv1d(seed=16):
    """1-D: a 1 x 24 x 4 INT8 sequence (carried as 24 x 1), FMPadding + 1-D SWG (kernel [1, 3]) +
    MVAU with a noActivation output thresholded by a standalone node, a 1-D StreamingMaxPool."""
    g = Graph("conv1d", [1, 1, 24, 4], "INT8", seed=seed)
    x, hwc = g.pad(g.input, (1, 24, 4), (0, 1, 0, 1), "INT8")
    x, (oh, ow) = g.swg(x, hwc, (1, 3), (1, 1), "INT8", 2, op="ConvolutionInputGenerator_hls")
    x = g.mvau(x, 12, 6, [1, oh, ow], 3, 2, "INT8", "INT2")
    x = g.thresholding(x, [1, 1, 24, 6], 15, "INT32", "UINT4", pe=6, center=0, spread=300)
    x = g.node("StreamingMaxPool_hls", [x], [1, 1, 12, 6], "UINT4", ImgDim=[1, 24], PoolDim=[1, 2],
               NumChannels=6, PE=3, dataType="UINT4")
    return g.model(x)


def folded_cnv(seed=17):
    """The cycle test: a 12x12x4 UINT2 input, FMPadding + SWG (3x3, stride 1) + MVAU, a stride-2 3x3
    SWG + MVAU, StreamingMaxPool, fc. Node names are fixed for folding_config.json."""
    g = Graph("folded_cnv", [1, 12, 12, 4], "UINT2", seed=seed)
    x, hwc = g.pad(g.input, (12, 12, 4), (1, 1, 1, 1), "UINT2")
    x, (oh, ow) = g.swg(x, hwc, 3, 1, "UINT2", 1)
    x = g.mvau(x, 36, 8, [1, oh, ow], 1, 1, "UINT2", "INT2", "UINT2", steps=3, name="MVAU_conv0")
    x, (oh, ow) = g.swg(x, (12, 12, 8), 3, 2, "UINT2", 1)
    x = g.mvau(x, 72, 16, [1, oh, ow], 1, 1, "UINT2", "TERNARY", "UINT2", steps=3, name="MVAU_conv1")
    x = g.node("StreamingMaxPool_hls", [x], [1, 2, 2, 16], "UINT2", ImgDim=[5, 5], PoolDim=[2, 2],
               NumChannels=16, PE=16, dataType="UINT2", name="MaxPool_0")
    x = g.std("Flatten", [x], [1, 64], "UINT2", axis=1)
    x = g.mvau(x, 64, 10, [1], 1, 1, "UINT2", "INT4", name="MVAU_fc")
    return g.model(x)


def branches(seed=18):
    """An Inception-style block on an NCHW input (a leading Transpose): a pointwise stem,
    DuplicateStreams into three branches (a depthwise 2x2 SWG + Pool MaxPool, a 2x2 stride-2 conv,
    a depthwise SWG + Pool QuantAvgPool whose sum needs no shift), StreamingConcat, a ChannelwiseOp
    adding a per-channel offset, GlobalAccPool and a final fc whose accumulators carry the offsets
    (the config's output section)."""
    g = Graph("branches", [1, 4, 8, 8], "UINT4", seed=seed)
    x = g.std("Transpose", [g.input], [1, 8, 8, 4], "UINT4", perm=[0, 2, 3, 1])
    x = g.mvau(x, 4, 8, [1, 8, 8], 2, 4, "UINT4", "INT3", "UINT4", steps=15)
    a, b, c = g.node("DuplicateStreams_hls", [x], [1, 8, 8, 8], "UINT4", n_out=3, NumChannels=8, PE=8,
                     NumOutputStreams=3, inputDataType="UINT4", numInputVectors=[1, 8, 8])
    a, _ = g.swg(a, (8, 8, 8), 2, 2, "UINT4", 4, depthwise=1)
    a = g.node("Pool_hls", [a], [1, 4, 4, 8], "UINT4", Channels=8, PE=4, KernelSize=[2, 2], Function="MaxPool",
               OutImgDims=[4, 4], InputDataType="UINT4", OutputDataType="UINT4", BatchSize=1)
    b, _ = g.swg(b, (8, 8, 8), 2, 2, "UINT4", 8)
    b = g.mvau(b, 32, 6, [1, 4, 4], 3, 8, "UINT4", "INT2", "UINT4", steps=15)
    c, _ = g.swg(c, (8, 8, 8), 2, 2, "UINT4", 8, depthwise=1)
    c = g.node("Pool_hls", [c], [1, 4, 4, 8], "UINT6", Channels=8, PE=8, KernelSize=[2, 2],
               Function="QuantAvgPool", OutImgDims=[4, 4], InputDataType="UINT4", OutputDataType="UINT6",
               AccumBits=6, Size=2, BatchSize=1)
    y = g.node("StreamingConcat_hls", [a, b, c], [1, 4, 4, 22], "UINT6", ChannelsPerStream=[8, 6, 8], SIMD=2,
               inputDataType="UINT6", numInputVectors=[1, 4, 4])
    y = g.node("ChannelwiseOp_hls", [y, g.init(g.uid("P"), g.rng.integers(-3, 4, size=22))], [1, 4, 4, 22],
               "INT8", Func="add", PE=2, NumChannels=22, inputDataType="UINT6", paramDataType="INT3",
               outputDataType="INT8", numInputVectors=[1, 4, 4])
    y = g.node("GlobalAccPool_hls", [y], [1, 1, 1, 22], "INT12", NumChannels=22, PE=11, inputDataType="INT8",
               numInputVectors=[1, 4, 4])
    y = g.mvau(y, 22, 5, [1, 1, 1], 5, 11, "INT12", "INT2")
    return g.model(y)


MODELS = {"tfc": tfc, "bipolar_mlp": bipolar_mlp, "cnv": cnv, "residual": residual,
          "depthwise": depthwise, "conv1d": conv1d, "folded_cnv": folded_cnv, "branches": branches}


# ------------------------------------------------------------------------------------------
# FINN's own execution of the graphs (plain numpy)

def _attrs(node):
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else v
    return out


def _multithreshold(acc, T, axis_c=-1):
    if T.shape[0] == 1:
        T = np.tile(T, (acc.shape[-1], 1))
    return (acc[..., :, None] >= T).sum(axis=-1).astype(np.float64)


def _im2col(x, kh, kw, sh, sw):
    n, h, w, c = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.zeros((n, oh, ow, kh * kw * c))
    for y in range(oh):
        for xx in range(ow):
            win = x[:, y * sh: y * sh + kh, xx * sw: xx * sw + kw, :]
            out[:, y, xx, :] = win.reshape(n, -1)  # (ky, kx, c)
    return out


def finn_execute(model, x):
    """The graph's output for inputs x (N, ...) as FINN's Python execution of its nodes gives it."""
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    env = {g.input[0].name: x.astype(np.float64)}
    for nd in g.node:
        a = _attrs(nd)
        op = nd.op_type.replace("_hls", "").replace("_rtl", "").replace("_Batch", "")
        v = env[nd.input[0]]
        n = v.shape[0]
        if op in ("StreamingFIFO", "StreamingDataWidthConverter"):
            r = v
        elif op == "Flatten":
            r = v.reshape(n, -1)
        elif op == "Transpose":
            r = v.transpose(a["perm"])
        elif op == "Pool":
            k2 = int(np.prod(a["KernelSize"]))
            win = v.reshape(v.shape[:3] + (k2, a["Channels"]))
            r = win.max(axis=3) if a["Function"] == "MaxPool" else win.sum(axis=3)
        elif op == "FMPadding":
            hb, wb, he, we = a["Padding"]
            r = np.pad(v, ((0, 0), (hb, he), (wb, we), (0, 0)))
        elif op == "ConvolutionInputGenerator":
            kh, kw = a["ConvKernelDim"]
            sh, sw = a["Stride"]
            r = _im2col(v, kh, kw, sh, sw)
        elif op in ("MVAU", "MatrixVectorActivation"):
            W = inits[nd.input[1]]
            vv = v.reshape(v.shape[:-1] + (a["MW"],)) if v.shape[-1] == a["MW"] else v.reshape(n, -1)
            if a.get("binaryXnorMode", 0):
                acc = ((2 * vv - 1) @ (2 * W - 1) + a["MW"]) / 2
            elif a["inputDataType"] == "BIPOLAR" and a["weightDataType"] == "BIPOLAR":
                acc = (vv @ W + a["MW"]) / 2
            else:
                acc = vv @ W
            if a.get("noActivation", 0):
                r = acc
            else:
                r = _multithreshold(acc, inits[nd.input[2]])
                r = 2 * r - 1 if a["outputDataType"] == "BIPOLAR" else r + a.get("ActVal", 0)
        elif op == "VVAU":
            W = inits[nd.input[1]]
            c = a["Channels"]
            kh, kw = a["Kernel"]
            win = v.reshape(v.shape[:3] + (kh * kw, c))
            acc = np.einsum("nhwkc,ck->nhwc", win, W.reshape(c, kh * kw))
            if a["inputDataType"] == "BIPOLAR" and a["weightDataType"] == "BIPOLAR":
                acc = (acc + kh * kw) / 2
            if a.get("noActivation", 0):
                r = acc
            else:
                r = _multithreshold(acc, inits[nd.input[2]])
                r = 2 * r - 1 if a["outputDataType"] == "BIPOLAR" else r + a.get("ActVal", 0)
        elif op == "Thresholding":
            r = _multithreshold(v, inits[nd.input[1]]) + a.get("ActVal", 0)
            if a["outputDataType"] == "BIPOLAR":
                r = 2 * r - 1
        elif op == "StreamingMaxPool":
            kh, kw = a["PoolDim"]
            _, h, w, c = v.shape
            oh, ow = h // kh, w // kw
            r = v[:, : oh * kh, : ow * kw, :].reshape(n, oh, kh, ow, kw, c).max(axis=(2, 4))
        elif op == "GlobalAccPool":
            r = v.sum(axis=(1, 2), keepdims=True)
        elif op == "AddStreams":
            r = v + env[nd.input[1]]
        elif op == "DuplicateStreams":
            for o in nd.output:
                env[o] = v
            continue
        elif op == "StreamingConcat":
            r = np.concatenate([env[i] for i in nd.input], axis=-1)
        elif op == "LabelSelect":
            vv = v.reshape(n, -1)
            r = np.argsort(-vv, axis=1, kind="stable")[:, : a["K"]].astype(np.float64)
        elif op == "ChannelwiseOp":
            r = v + inits[nd.input[1]].reshape(-1)
        else:
            raise NotImplementedError(nd.op_type)
        env[nd.output[0]] = r
    return env[g.output[0].name]


# ------------------------------------------------------------------------------------------
# The imported network as the simulator computes it (codes in, codes out)

def _decode(codes, enc):
    return 2 * codes - 1 if enc == "bipolar" else codes


def _window_sum(xv, L, pad_value):
    n, h, w, c = xv.shape
    k = L.kernel
    kw = 1 if L.kernel_width == 1 else k
    pb, pa = L.pad
    if L.kernel_width == 1:
        xp = np.pad(xv, ((0, 0), (pb, pa), (0, 0), (0, 0)), constant_values=pad_value)
    else:
        xp = np.pad(xv, ((0, 0), (pb, pa), (pb, pa), (0, 0)), constant_values=pad_value)
    return _im2col(xp, k, kw, L.stride, 1 if L.kernel_width == 1 else L.stride)


def ir_execute(net, x):
    """Output codes of the imported network for input codes x (N, H, W, C)."""
    outs, enc = {}, {}
    for i, L in enumerate(net.layers):
        ins = net.inputs_of(i)
        srcs = [outs[s] for s in ins] if ins else [x.astype(np.int64)]
        encs = [enc[s] for s in ins] if ins else ["signed" if net.input_signed else "unsigned"]
        v = srcs[0]
        n = v.shape[0]
        if L.type in ("conv", "fc"):
            u = _decode(v, encs[0])
            if L.type == "fc":
                acc = u.reshape(n, -1) @ L.weights.T
                acc = acc.reshape(n, 1, 1, -1)
            else:
                cols = _window_sum(u, L, -1 if encs[0] == "bipolar" else 0)
                if L.groups == 1:
                    acc = cols @ L.weights.T
                else:
                    area = cols.shape[-1] // L.groups
                    acc = np.einsum("nhwkc,ck->nhwc", cols.reshape(cols.shape[:3] + (area, L.groups)), L.weights)
            out, e = _activate(L, acc)
        elif L.type == "maxpool":
            cols = _window_sum(v.astype(np.float64), L, -np.inf)
            k = L.kernel * (1 if L.kernel_width == 1 else L.kernel)
            out = cols.reshape(cols.shape[:3] + (k, v.shape[3])).max(axis=3).astype(np.int64)
            e = encs[0]
        elif L.type == "avgpool":
            cols = _window_sum(_decode(v, encs[0]), L, 0)
            k = L.kernel * (1 if L.kernel_width == 1 else L.kernel)
            out, e = cols.reshape(cols.shape[:3] + (k, v.shape[3])).sum(axis=3), "signed"
        elif L.type == "global_avgpool":
            out, e = _decode(v, encs[0]).sum(axis=(1, 2), keepdims=True), "signed"
        elif L.type == "add":
            s = _decode(srcs[0], encs[0]) + _decode(srcs[1], encs[1])
            if L.activation in ("thresholds", "bipolar"):
                out, e = _activate(L, s)
            else:
                out, e = s, "signed"
        elif L.type == "concat":
            if len(set(encs)) == 1:
                out, e = np.concatenate(srcs, axis=-1), encs[0]
            else:
                out, e = np.concatenate([_decode(s, es) for s, es in zip(srcs, encs)], axis=-1), "signed"
        elif L.type == "topk":
            vv = _decode(v, encs[0]).reshape(n, -1)
            out, e = np.argsort(-vv, axis=1, kind="stable")[:, : L.k].reshape(n, 1, 1, L.k), "unsigned"
        else:
            raise NotImplementedError(L.type)
        outs[L.name], enc[L.name] = out, e
    last = net.layers[-1]
    return outs[last.name], enc[last.name]


def _activate(L, acc):
    if L.activation == "thresholds":
        return (acc[..., None] >= L.thresholds).sum(axis=-1), "unsigned"
    if L.activation == "bipolar":
        return (acc >= L.thresholds[:, 0]).astype(np.int64), "bipolar"
    return acc, "accumulator"


def model_values(net, codes, enc):
    """The model's values of the network's output codes (the host's dequantisation)."""
    u = _decode(codes, enc).astype(np.float64)
    if net.output_scale is None:
        return u
    return np.asarray(net.output_scale) * u + np.asarray(net.output_offset)
