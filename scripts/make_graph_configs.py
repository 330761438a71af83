#!/usr/bin/env python3
"""Writes the graph configurations of docs/graphs.md: ResNet-18 with AddNet (RCCM) arithmetic and
its 8-bit variant, ResNet-50 W1A2 and MobileNet-v1 W4A4, each folded by `sim fold` for the frame
rate given here (the folding is the simulator's own choice: the fewest PE x SIMD x MMV lanes
that keep every layer within the interval).

    python3 scripts/make_graph_configs.py [--sim build/sim] [--only NAME]

The network shapes are the published architectures (He et al. 2016 for ResNet, Howard et al.
2017 for MobileNet-v1); the precisions are the issue's (thesis ch. 6.7.5 for ResNet-18 AddNet:
2-Add RCCMs, 4-Add first and last layers; FINN's W1A2 ResNet-50 and W4A4 MobileNet-v1 example
designs for the rest); devices, clocks and frame rates are chosen here and say so in each
file's header. Weights and thresholds come from the deterministic generator.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def flow(d):
    """A YAML flow mapping of a dict of scalars, lists and dicts."""
    items = []
    for k, v in d.items():
        if isinstance(v, dict):
            items.append(f"{k}: {flow(v)}")
        elif isinstance(v, list):
            items.append(f"{k}: [{', '.join(str(x) for x in v)}]")
        elif isinstance(v, str) and "$" in v:
            items.append(f'{k}: "{v}"')  # a ${param}: quoted, its braces are not YAML's
        else:
            items.append(f"{k}: {v}")
    return "{ " + ", ".join(items) + " }"


class Net:
    def __init__(self):
        self.layers = []

    def add(self, **layer):
        self.layers.append(layer)
        return layer["name"]

    def conv(self, name, k, filters, weights, act, stride=1, inputs=None, groups=None, extra=None):
        layer = {"name": name, "type": "conv", "kernel": k}
        if stride != 1:
            layer["stride"] = stride
        if k > 1:
            layer["padding"] = "same" if stride == 1 else (k - 1) // 2
        layer["filters"] = filters
        if groups:
            layer["groups"] = groups
        if inputs:
            layer["inputs"] = inputs
        layer["weights"] = weights
        layer["activation"] = act
        layer.update(extra or {})
        return self.add(**layer)

    def yaml_layers(self, folding):
        lines = []
        for layer in self.layers:
            layer = dict(layer)
            if layer["name"] in folding:
                layer["folding"] = folding[layer["name"]]
            lines.append("  - " + flow(layer))
        return "\n".join(lines) + "\n"


def resnet18(w, act, first_last, extra):
    n = Net()
    x = n.conv("conv1", 7, 64, first_last, act, stride=2, extra=extra)
    x = n.add(name="pool1", type="maxpool", kernel=3, stride=2, padding=1)
    channels = 64
    for stage, width in enumerate([64, 128, 256, 512]):
        for block in range(2):
            stride = 2 if stage > 0 and block == 0 else 1
            p = f"s{stage + 1}b{block + 1}"
            a = n.conv(f"{p}c1", 3, width, w, act, stride=stride, inputs=[x], extra=extra)
            b = n.conv(f"{p}c2", 3, width, w, act, extra=extra)
            skip = x
            if stride != 1 or channels != width:
                skip = n.conv(f"{p}proj", 1, width, w, act, stride=stride, inputs=[x], extra=extra)
            x = n.add(name=f"{p}add", type="add", inputs=[b, skip], activation=act)
            channels = width
    # The classifier as a 1x1 convolution before the global average pooling: the pooled sum of
    # 49 8-bit features into a 4-Add fc would overflow its 32-bit accumulator.
    n.conv("classifier", 1, 1000, first_last, {"type": "relu", "bits": 16}, extra=extra)
    n.add(name="gap", type="global_avgpool")
    return n


def resnet50():
    n = Net()
    a2 = {"type": "thresholds", "bits": 2}
    a4 = {"type": "thresholds", "bits": 4}
    binary = {"quant": "binary"}
    x = n.conv("conv1", 7, 64, {"quant": "uniform", "bits": 8}, a2, stride=2)
    x = n.add(name="pool1", type="maxpool", kernel=3, stride=2, padding=1)
    for stage, (width, blocks) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)]):
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            p = f"s{stage + 1}b{block + 1}"
            n.conv(f"{p}c1", 1, width, binary, a2, inputs=[x])
            n.conv(f"{p}c2", 3, width, binary, a2, stride=stride)
            c = n.conv(f"{p}c3", 1, 4 * width, binary, a4)
            skip = x
            if block == 0:
                skip = n.conv(f"{p}proj", 1, 4 * width, binary, a4, stride=stride, inputs=[x])
            x = n.add(name=f"{p}add", type="add", inputs=[c, skip], activation=a4)
    n.add(name="gap", type="global_avgpool")
    n.add(name="fc", type="fc", filters=1000, weights={"quant": "uniform", "bits": 8}, activation={"type": "none"})
    return n


def mobilenet_v1():
    n = Net()
    a4 = {"type": "thresholds", "bits": 4}
    w4 = {"quant": "uniform", "bits": 4}
    n.conv("conv0", 3, 32, {"quant": "uniform", "bits": 8}, a4, stride=2)
    channels = 32
    plan = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)] + [(1, 512)] * 5 + [(2, 1024), (1, 1024)]
    for i, (stride, out) in enumerate(plan, start=1):
        n.conv(f"dw{i}", 3, channels, w4, a4, stride=stride, groups=channels)
        n.conv(f"pw{i}", 1, out, w4, a4)
        channels = out
    n.add(name="gap", type="global_avgpool")
    n.add(name="fc", type="fc", filters=1000, weights=w4, activation={"type": "none"})
    return n


CONFIGS = {
    "resnet18_addnet": dict(
        net=lambda: resnet18({"quant": "rccm", "rccm": "${rccm}"}, {"type": "relu", "bits": 8},
                             {"quant": "rccm", "rccm": "4add"}, {"multipliers": "lut"}),
        head="""# ResNet-18 on 224 x 224 ImageNet-sized input with AddNet arithmetic (thesis ch. 6.7.5, Fig.
# 6.10): every multiplier an RCCM, 2-Add in the body (`--set rccm=3add` or `4add` for the
# others), 4-Add in the first and last layers; configs/resnet18_8bit.yaml is the 8-bit
# fixed-point variant, so Fig. 6.10's area axis for ResNet-18 comes out of the resource model.
# From the source: RCCM arithmetic, 4-Add first/last layers, 8-bit fixed-point features and
# ReLU (as AddNet AlexNet, configs/addnet_alexnet.yaml), LUT multipliers, 250 MHz. On an Alveo
# U250: the thesis's KU115 lacks the block RAM for ResNet-18's weights at 100 frames/s
# (4,438 BRAM18 of 4,320 with 2-Add select indices).
# From ResNet-18 (He et al.): 7x7/2 stem, 3x3/2 max pool, four stages of two basic blocks (64,
# 128, 256, 512 channels), strided 1x1 projections, global average pooling, 1000 classes.
# Chosen here: each residual sum requantised to 8 bits by ReLU (the RCCMs take 8-bit inputs);
# the 1000-way classifier as a 1x1 convolution (16-bit ReLU codes) before the global average
# pooling, because the pooled sum of 49 8-bit features into a 4-Add fc would overflow its
# 32-bit accumulator (512 x 1214 x 12,495 > 2^31); FIFOs of 2 rows (sim fifo-size sizes the
# skips); the folding (below).
""",
        params="params: { rccm: 2add }\n",
        device="{ name: U250, clock_mhz: 250 }",
        fps=100,
        extra_top="resources: { bram_ports: true_dual }\n"),
    "resnet18_8bit": dict(
        net=lambda: resnet18({"quant": "uniform", "bits": 8}, {"type": "relu", "bits": 8},
                             {"quant": "uniform", "bits": 8}, {"multipliers": "lut"}),
        head="""# ResNet-18 of configs/resnet18_addnet.yaml with 8-bit fixed-point weights and the DSPs
# disabled (multipliers in LUTs), the thesis's 8-bit reference point of Fig. 6.10; same
# network, device, clock and frame rate, folded the same way.
""",
        params="",
        device="{ name: U250, clock_mhz: 250 }",
        fps=100,
        extra_top="resources: { bram_ports: true_dual }\n"),
    "resnet50_w1a2": dict(
        net=resnet50,
        head="""# ResNet-50 with binary weights and 2-bit activations, 4-bit residual streams (the last 1x1
# convolution of each bottleneck, the projections and every residual sum requantised to 4
# bits by a threshold unit), 8-bit weights in the first and last layers, on an Alveo U250:
# the precisions of FINN's W1A2 ResNet-50 example design. From ResNet-50 (He et al.): 7x7/2
# stem, 3x3/2 max pool, bottlenecks [3, 4, 6, 3] of 64..512 channels (x4 out), strided
# projections in each stage's first block, global average pooling, 1000-way fc. Chosen here:
# 200 MHz, FIFOs of 2 rows (sim fifo-size sizes the skips), the folding (below).
""",
        params="",
        device="{ name: U250, clock_mhz: 200 }",
        fps=200,
        extra_top=""),
    "mobilenet_v1_w4a4": dict(
        net=mobilenet_v1,
        head="""# MobileNet-v1 (Howard et al., width 1.0, 224 x 224) with 4-bit weights and activations and
# an 8-bit first layer, the precisions of FINN's MobileNet-v1 W4A4 example design: a 3x3/2
# stem, 13 depthwise (vector-vector unit) / pointwise pairs, global average pooling, a
# 1000-way fc. Chosen here: Alveo U250 at 200 MHz, the folding (below).
""",
        params="",
        device="{ name: U250, clock_mhz: 200 }",
        fps=500,
        extra_top=""),
}


def write(name, sim):
    c = CONFIGS[name]
    net = c["net"]()
    top = (c["params"] + f"name: {name}\ndevice: {c['device']}\n"
           "input: { height: 224, width: 224, channels: 3, bits: 8, stream_bits: 24, seed: 1 }\n"
           "weights: { generator: { seed: 50 } }\nrun: { frames: 2 }\n" + c["extra_top"] + "layers:\n")
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, name + ".yaml")
        with open(base, "w") as f:
            f.write(top + net.yaml_layers({}))
        # The device library beside the configs.
        text = open(base).read().replace(f"device: {c['device']}", "device: " + c["device"][:-2] +
                                         f", library: {os.path.join(ROOT, 'configs', 'devices.yaml')} }}")
        open(base, "w").write(text)
        out = os.path.join(tmp, "folded.yaml")
        r = subprocess.run([sim, "fold", "--config", base, "--target-fps", str(c["fps"]), "--no-simulate", "--out", out],
                           capture_output=True, text=True, env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        if r.returncode != 0:
            sys.exit(f"{name}: sim fold failed: {r.stderr.strip()}")
    folding = {}
    for line in r.stderr.splitlines():
        m = re.match(r"\s+(\S+): PE (\d+), SIMD (\d+), MMV (\d+)", line)
        if m:
            layer = next(l for l in net.layers if l["name"] == m[1])
            f = {"pe": int(m[2]), "simd": int(m[3])}
            if layer["type"] == "conv":
                f["mmv"] = int(m[4])
            if layer["type"] in ("maxpool", "global_avgpool", "add"):
                f = {"simd": int(m[3])}
            folding[m[1]] = f
    summary = next((l for l in r.stderr.splitlines() if l.startswith("fold:")), "")
    head = c["head"] + (f"# Folding: `sim fold --target-fps {c['fps']} --no-simulate` "
                        f"(scripts/make_graph_configs.py): {summary[6:]}\n")
    path = os.path.join(ROOT, "configs", name + ".yaml")
    with open(path, "w") as f:
        f.write(head + top + net.yaml_layers(folding))
    print(f"{path}: {len(net.layers)} layers; {summary}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", default=os.path.join(ROOT, "build", "sim"))
    ap.add_argument("--only", choices=sorted(CONFIGS))
    a = ap.parse_args()
    for name in [a.only] if a.only else CONFIGS:
        write(name, a.sim)


if __name__ == "__main__":
    main()
