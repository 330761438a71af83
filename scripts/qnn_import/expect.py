"""Test data of an imported model: random inputs as the simulator's input codes and as the model's
float input, the model executed on them (onnx_exec.py, a NumPy implementation of the operators that
shares nothing with the simulator), and its outputs turned into the simulator's integer outputs."""
import os
import subprocess

import numpy as np

from ir import ImportError_


def input_stream(net):
    """(scale, offset, lowest code, highest code) of the network input: model value = scale * code + offset."""
    s = getattr(net, "input_value", None)
    if s is not None:
        return s
    bits = net.input_bits
    lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if net.input_signed else (0, 2 ** bits - 1)
    return 1.0, 0.0, lo, hi


def test_inputs(net, samples, seed):
    """(model inputs float64 [N, ...ONNX shape without batch], simulator codes int64 [N, H, W, C])."""
    rng = np.random.default_rng(seed)
    h, w, c = net.input_shape
    scale, offset, lo, hi = input_stream(net)
    codes = rng.integers(lo, hi + 1, size=(samples, h, w, c), dtype=np.int64)
    x = codes.astype(np.float64) * scale + offset
    rank = getattr(net, "input_rank", 4)
    if rank == 2:
        x = x.reshape(samples, c)                       # [N, K]: the simulator's 1 x 1 x K
    elif rank == 3:
        x = x[:, :, 0, :].transpose(0, 2, 1)            # [N, C, L]: an L x 1 map
    else:
        x = x.transpose(0, 3, 1, 2)                     # NCHW
    if getattr(net, "input_layout", "NCHW") == "NHWC":  # a FINN graph's input as the simulator streams it
        x = (codes.astype(np.float64) * scale + offset).reshape((samples,) + tuple(net.input_model_shape[1:]))
    return x, codes


def execute_model(model, net, x):
    """The model's output for every test input (one execution per input)."""
    import onnx_exec
    name = [i.name for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}][0]
    outs = []
    for i in range(x.shape[0]):
        try:
            r = onnx_exec.execute(model, {name: x[i:i + 1].astype(np.float32)})
        except onnx_exec.ExecError as e:
            raise ImportError_(f"executing the model: {e}")
        outs.append(np.asarray(r[model.graph.output[0].name], dtype=np.float64))
    return np.concatenate(outs, axis=0)


def expected_outputs(net, y):
    """The simulator's integer outputs [N, H, W, C] (or [N, C] for 1 x 1 x C, [N, k] labels)."""
    n = y.shape[0]
    if net.output_is_labels:
        return np.rint(y).astype(np.int64).reshape(n, -1)
    s = net.output_stream
    shape = net.output_shape
    if getattr(net, "output_layout", "NCHW") == "NHWC":
        v = y.reshape((n,) + tuple(net.layers[-1].out_shape))
    elif len(shape) == 3 or net.output_flat_from is not None:
        c, h, w = shape if len(shape) == 3 else net.output_flat_from
        v = y.reshape(n, c, h, w).transpose(0, 2, 3, 1)
    else:
        v = y.reshape(n, 1, 1, -1)
    ch = v.shape[-1]
    scale = np.broadcast_to(np.asarray(s.scale, dtype=np.float64).reshape(-1), (ch,))
    offset = np.broadcast_to(np.asarray(s.offset, dtype=np.float64).reshape(-1), (ch,))
    d = (v - offset) / scale
    if s.encoding == "bipolar":
        d = (d + 1) / 2
    code = np.rint(d)
    bad = np.abs(d - code) > 1e-3
    if np.any(bad):
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ImportError_(f"the model's output {float(v[i]):g} (test input {i[0]}, position {list(i[1:])}) is not "
                           f"on the levels of layer {net.layers[-1].name} (scale {scale[i[-1]]:g}, offset "
                           f"{offset[i[-1]]:g}): the lowering and the model disagree")
    code = code.astype(np.int64)
    if code.shape[1:3] == (1, 1):
        code = code.reshape(n, -1)
    return code


def size_fifos(sim, yaml_path):
    """Sizes the FIFOs of a graph (skip paths) with sim fifo-size, writing the sized config in place."""
    tmp = yaml_path + ".sized.yaml"
    r = subprocess.run([sim, "fifo-size", "--config", yaml_path, "--out", tmp], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0 or not os.path.exists(tmp):
        tail = r.stdout.strip().splitlines()[-1:] or [""]
        return f"sim fifo-size failed (exit {r.returncode}: {tail[0]}); the FIFOs keep their default depths"
    os.replace(tmp, yaml_path)
    return "FIFO depths sized by sim fifo-size (the skip FIFOs of the residual paths)"
