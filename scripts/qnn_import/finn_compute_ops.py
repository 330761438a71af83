"""The compute handlers of qnn-import's FINN front end (finn_front.py): MVAU and VVAU become the
simulator's conv / fc layers, their weights its integer weights, and FINN's thresholds (the
node's own, or a Thresholding node's) the simulator's integer thresholds on its accumulator,
exactly (acc_model = A * acc_sim + B[n]; finn_front.py's docstring gives the relation).

`ComputeOps` is a mixin of finn_front._Importer: its methods use the importer's state and helpers
and the window handling of finn_stream_ops.StreamOps (window_layer_fields, check_zero_padding)."""
import numpy as np

from finn_values import Tensor, attr_dtype, base_op, is_pow2, range_bits
from ir import Layer, node_error

INT32_MAX = 2 ** 31 - 1


class ComputeOps:
    """Handlers of MVAU, VVAU and Thresholding, and their arithmetic (a mixin of finn_front._Importer)."""

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
