"""Quantisation-aware training blocks (straight-through estimator) and the three networks.

Every network takes the raw IDX pixels as a float tensor [B, 1, 28, 28] holding 0..255 and
divides by 255 itself, so the integer input of the exported network is the raw pixel.

Each quantised block has two forward modes:
  * training / evaluation (`deploy = False`): fake quantisation with straight-through
    gradients, on the latent float weights;
  * deploy (`set_deploy(model, True)`): the same function written with the plain operators
    the ONNX importer understands (quantised weights as constants; the activation quantiser
    as Mul, Add, Floor, Clip, Div). torch.onnx.export traces this mode, and `ops()` describes
    the same computation to graph.lower() without going through ONNX.
Both modes compute the same values; export.py checks that both paths give the same files.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PIXEL_SCALE = 255.0  # input value = pixel / 255


def _np(t):
    return t.detach().cpu().numpy().astype(np.float32)


# ---------------------------------------------------------------------------------------
# Weight quantisers

def binarize(w):
    """+1 for w >= 0, else -1; gradient passes where |w| <= 1 (BinaryConnect)."""
    q = torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))
    return w + (q - w).detach()


def ternarize(w, eta):
    """Eq. 3.1: +1 if w > eta, -1 if w < -eta, else 0; straight-through gradient."""
    q = (w > eta).to(w.dtype) - (w < -eta).to(w.dtype)
    return w + (q - w).detach()


class QuantWeights(nn.Module):
    """Latent float weights in [-1, 1], quantised to binary or ternary codes in the forward pass.

    Ternary layers implement thesis ch. 3.2: the threshold eta (eq. 3.1), the L2 penalty on the
    quantised weights (eq. 3.3-3.5; `l2_penalty()`, its gradient lambda * w_q reaches only the
    latent weights whose code is nonzero) and quantisation pruning (eq. 3.6-3.8; `prune()`)."""

    def __init__(self, shape, quant, eta=0.0, init_range=None):
        super().__init__()
        assert quant in ("binary", "ternary")
        self.quant = quant
        self.eta = float(eta)
        fan_in = int(np.prod(shape[1:]))
        r = init_range if init_range is not None else min(1.0, 3.0 / math.sqrt(fan_in))
        self.latent = nn.Parameter(torch.empty(shape).uniform_(-r, r))
        self.register_buffer("mask", torch.ones(shape))
        self.register_buffer("frozen", torch.zeros(shape))  # deploy constants
        self.deploy = False

    def codes(self):
        w = self.latent * self.mask
        return binarize(w) if self.quant == "binary" else ternarize(w, self.eta)

    def forward(self):
        return self.frozen if self.deploy else self.codes()

    def clip_(self):
        with torch.no_grad():
            self.latent.clamp_(-1.0, 1.0)
            self.latent.mul_(self.mask)

    def l2_penalty(self):
        return 0.5 * (self.codes() ** 2).sum()

    def prune(self, sigma):
        """Quantisation pruning: fix every latent weight with |w| <= sigma to zero."""
        with torch.no_grad():
            self.mask.copy_((self.latent.abs() > sigma).to(self.mask.dtype) * self.mask)
            self.latent.mul_(self.mask)

    def freeze(self):
        with torch.no_grad():
            self.frozen.copy_(self.codes())

    def zeros(self):
        with torch.no_grad():
            return int((self.codes() == 0).sum())


# ---------------------------------------------------------------------------------------
# Activation quantisers

class UnsignedQuant(nn.Module):
    """k-bit unsigned activation on [0, 1]: q(y) = clamp(floor(y * L + 0.5), 0, L) / L, L = 2^k - 1.
    A clipped ReLU with 2^k levels; the gradient passes inside [0, 1]."""

    def __init__(self, bits):
        super().__init__()
        self.bits = bits
        self.levels = float(2 ** bits - 1)
        self.deploy = False

    def forward(self, y):
        L = self.levels
        if self.deploy:
            return torch.clamp(torch.floor(y * L + 0.5), 0.0, L) / L
        t = y * L + 0.5
        t = t + (torch.floor(t) - t).detach()
        return torch.clamp(t, 0.0, L) / L

    def ops(self):
        L = np.float32(self.levels)
        return [("mul", L), ("add", np.float32(0.5)), ("floor",), ("clip", np.float32(0.0), L), ("div", L)]


class BipolarQuant(nn.Module):
    """Binary activation: +1 if y >= 0 else -1; hard-tanh straight-through gradient.
    Deploy form: clamp(floor(y) + 1, 0, 1) * 2 - 1."""

    def __init__(self):
        super().__init__()
        self.deploy = False

    def forward(self, y):
        if self.deploy:
            return torch.clamp(torch.floor(y) + 1.0, 0.0, 1.0) * 2.0 - 1.0
        c = torch.clamp(y, -1.0, 1.0)
        q = torch.where(y >= 0, torch.ones_like(y), -torch.ones_like(y))
        return c + (q - c).detach()

    def ops(self):
        one, two = np.float32(1.0), np.float32(2.0)
        return [("floor",), ("add", one), ("clip", np.float32(0.0), one), ("mul", two), ("sub", one)]


class LogitScale(nn.Module):
    """A learnable positive scale of the output accumulators (it keeps the arg max, so the
    output layer can leave raw accumulators)."""

    def __init__(self, init=1.0):
        super().__init__()
        self.log_scale = nn.Parameter(torch.tensor(math.log(init)))
        self.register_buffer("frozen", torch.tensor(1.0))
        self.deploy = False

    def forward(self, x):
        return x * (self.frozen if self.deploy else torch.exp(self.log_scale))

    def freeze(self):
        with torch.no_grad():
            self.frozen.copy_(torch.exp(self.log_scale))

    def ops(self):
        return [("mul", _np(self.frozen))]


def bn_ops(bn):
    return [("bn", _np(bn.running_mean), _np(bn.running_var), _np(bn.weight), _np(bn.bias),
             np.float32(bn.eps))]


# ---------------------------------------------------------------------------------------
# Networks

class QuantMlp(nn.Module):
    """784 - hidden... - 10 MLP: quantised weights, batch norm and a quantised activation after
    every hidden layer, a positive logit scale after the output layer (no bias, no batch norm:
    the output layer leaves raw accumulators, so only a common positive scale keeps the arg max)."""

    def __init__(self, hidden, weight_quant, act, eta=0.0, init_range=None):
        super().__init__()
        sizes = [784] + list(hidden) + [10]
        self.weights = nn.ModuleList(
            QuantWeights((sizes[i + 1], sizes[i]), weight_quant, eta, init_range)
            for i in range(len(sizes) - 1))
        self.bns = nn.ModuleList(nn.BatchNorm1d(h) for h in hidden)
        self.acts = nn.ModuleList(act() for _ in hidden)
        self.scale = LogitScale(0.05)

    def forward(self, x):
        x = torch.flatten(x / PIXEL_SCALE, 1)
        for i, w in enumerate(self.weights):
            x = F.linear(x, w())
            if i < len(self.bns):
                x = self.acts[i](self.bns[i](x))
        return self.scale(x)

    def ops(self):
        out = [("input", (1, 28, 28)), ("div", np.float32(PIXEL_SCALE)), ("flatten",)]
        for i, w in enumerate(self.weights):
            out.append(("fc", _np(w()), None))
            if i < len(self.bns):
                out += bn_ops(self.bns[i]) + self.acts[i].ops()
        return out + self.scale.ops() + [("output",)]

    def quant_weights(self):
        return list(self.weights)


class GmpCnn(nn.Module):
    """Seed 000: 3x3 binary convolutions with batch norm and 8-bit clipped-ReLU feature maps,
    2x2 max pooling, a last convolution with one channel per class and global max pooling in
    place of a fully connected classifier."""

    def __init__(self, channels=(8, 16), act_bits=8):
        super().__init__()
        c1, c2 = channels
        self.w1 = QuantWeights((c1, 1, 3, 3), "binary")
        self.w2 = QuantWeights((c2, c1, 3, 3), "binary")
        self.w3 = QuantWeights((10, c2, 3, 3), "binary")
        self.bn1, self.bn2 = nn.BatchNorm2d(c1), nn.BatchNorm2d(c2)
        self.act1, self.act2 = UnsignedQuant(act_bits), UnsignedQuant(act_bits)
        self.scale = LogitScale(0.05)

    def forward(self, x):
        x = x / PIXEL_SCALE
        x = F.max_pool2d(self.act1(self.bn1(F.conv2d(x, self.w1()))), 2)
        x = F.max_pool2d(self.act2(self.bn2(F.conv2d(x, self.w2()))), 2)
        x = self.scale(F.conv2d(x, self.w3()))
        return torch.flatten(F.adaptive_max_pool2d(x, 1), 1)

    def ops(self):
        conv = lambda w: ("conv", _np(w()), None, 1, (0, 0, 0, 0), 1)  # stride, pads, groups
        pool = ("maxpool", 2, 2, (0, 0, 0, 0))
        return ([("input", (1, 28, 28)), ("div", np.float32(PIXEL_SCALE)), conv(self.w1)] +
                bn_ops(self.bn1) + self.act1.ops() + [pool, conv(self.w2)] +
                bn_ops(self.bn2) + self.act2.ops() + [pool, conv(self.w3)] +
                self.scale.ops() + [("gmp",), ("flatten",), ("output",)])

    def quant_weights(self):
        return [self.w1, self.w2, self.w3]


def set_deploy(model, on):
    """Switch every block to its deploy form (constants frozen from the trained model)."""
    for m in model.modules():
        if hasattr(m, "freeze") and on:
            m.freeze()
        if hasattr(m, "deploy"):
            m.deploy = on


def build(kind, **kw):
    if kind == "mlp":
        return QuantMlp(kw["hidden"], "binary", lambda: UnsignedQuant(kw["abits"]))
    if kind == "tnn":
        return QuantMlp(kw["hidden"], "ternary", BipolarQuant, eta=kw["eta"], init_range=1.0)
    if kind == "cnn":
        return GmpCnn(tuple(kw["channels"]), kw["abits"])
    raise ValueError(f"unknown model kind '{kind}'")
