"""Integer reference: the exported network evaluated in numpy int64 with exactly the
semantics of the simulator's golden reference (sim/golden/golden_reference.cpp):

  * codes between layers are integers; a compute layer multiplies decode(code) (bipolar:
    2c - 1, otherwise the code) by its integer weights in the synapse order of the weight
    file; conv padding carries code 0;
  * thresholds: code = #{j : acc >= t_nj}; bipolar: acc >= t_n; none: the accumulator
    (which must fit int32);
  * maxpool: max of the codes in the window (padding never wins); global_maxpool: max over
    all positions per channel;
  * input: the raw uint8 pixels, code = pixel, HWC with one channel;
  * predicted class: index of the largest output value, the lowest index on ties.
"""
import numpy as np


def _decode(x, encoding):
    return 2 * x - 1 if encoding == "bipolar" else x


def _activate(L, P, acc):
    if acc.min() < -2 ** 31 or acc.max() >= 2 ** 31:
        raise OverflowError(f"{L.name}: accumulator does not fit int32")
    act = P["activation"]
    if act == "none":
        return acc
    t = P["thresholds"]  # [N, T]
    return (acc[..., None] >= t).sum(axis=-1, dtype=np.int64)


def _conv(L, P, x):
    b, h, w, c = x.shape
    k, s, (p0, p1), g = L.kernel, L.stride, L.pad, L.groups
    v = _decode(x, L.in_encoding)
    pad_value = _decode(np.int64(0), L.in_encoding)
    v = np.pad(v, ((0, 0), (p0, p1), (p0, p1), (0, 0)), constant_values=pad_value)
    ho, wo, n = L.out_shape
    cg, ng = c // g, n // g
    W = P["weights"].astype(np.int64)  # [N, K*K*Cg], (ky, kx, c)
    out = np.empty((b, ho, wo, n), dtype=np.int64)
    for gi in range(g):
        cols = np.empty((b, ho, wo, k, k, cg), dtype=np.int64)
        for ky in range(k):
            for kx in range(k):
                cols[:, :, :, ky, kx, :] = v[:, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s,
                                             gi * cg:(gi + 1) * cg]
        acc = cols.reshape(b * ho * wo, -1) @ W[gi * ng:(gi + 1) * ng].T
        out[..., gi * ng:(gi + 1) * ng] = acc.reshape(b, ho, wo, ng)
    return _activate(L, P, out)


def _fc(L, P, x):
    v = _decode(x.reshape(x.shape[0], -1), L.in_encoding)  # HWC flattening, c fastest
    acc = v @ P["weights"].astype(np.int64).T
    return _activate(L, P, acc).reshape(x.shape[0], 1, 1, -1)


def _maxpool(L, x):
    b, h, w, c = x.shape
    k, s, (p0, p1) = L.kernel, L.stride, L.pad
    lowest = np.iinfo(np.int64).min
    xp = np.pad(x, ((0, 0), (p0, p1), (p0, p1), (0, 0)), constant_values=lowest)
    ho, wo, _ = L.out_shape
    out = np.full((b, ho, wo, c), lowest, dtype=np.int64)
    for ky in range(k):
        for kx in range(k):
            out = np.maximum(out, xp[:, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s, :])
    return out


def run(net, params, images, batch=500):
    """Output codes [B, C] of the last layer for uint8 images [B, H, W] (one channel)."""
    outs = []
    for i in range(0, len(images), batch):
        x = images[i:i + batch].astype(np.int64)[..., None]  # code = pixel, HWC
        for L in net.layers:
            if L.type == "conv":
                x = _conv(L, params[L.name], x)
            elif L.type == "fc":
                x = _fc(L, params[L.name], x)
            elif L.type == "maxpool":
                x = _maxpool(L, x)
            else:
                x = x.max(axis=(1, 2), keepdims=True)
        outs.append(x.reshape(x.shape[0], -1))
    return np.concatenate(outs)


def predict(net, params, images):
    return np.argmax(run(net, params, images), axis=1)  # first maximum on ties
