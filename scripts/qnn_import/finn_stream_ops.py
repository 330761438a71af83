"""The stream handlers of qnn-import's FINN front end (finn_front.py): the op_* methods of the nodes
that move, pad, window, pool and join the streams (StreamingFIFO, StreamingDataWidthConverter,
IODMA, TLastMarker, CheckSum, Reshape, Flatten, DuplicateStreams, ChannelwiseOp, FMPadding,
ConvolutionInputGenerator, StreamingMaxPool, Pool, GlobalAccPool, AddStreams, StreamingConcat,
LabelSelect).

`StreamOps` is a mixin of finn_front._Importer: its methods use the importer's state (self.t,
self.layers, self.node_to_layer, ...) and helpers (self.tensor, self.check_plain, self.add_layer,
...). A pending FMPadding or sliding window (Tensor.pad / Tensor.win) is resolved by the layer
that consumes it: Pool here, MVAU and VVAU in finn_compute_ops.py (window_layer_fields,
check_zero_padding)."""
import numpy as np

from finn_values import Tensor, attr_dtype, base_op, range_bits
from ir import Layer, node_error


class StreamOps:
    """Handlers of the nodes that move, pad, window, pool and join streams (a mixin of finn_front._Importer)."""

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
        self._stream_only(n)

    def _stream_only(self, n):
        """Nodes that move the stream without changing a value: width converters, DMA engines, TLAST
        markers, checksums."""
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
