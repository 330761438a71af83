#!/usr/bin/env python3
"""Checks that every #include follows the layering of docs/architecture.md.

Each folder may include its own files and those of the folders below it:

    tlm/              SystemC channels, the timed-block base, the PCIe link    (nothing of ours)
    models/common/    the vocabulary every block shares                        tlm
    models/<block>/   one hardware block: kernel, timing rule, SystemC module   models/*, tlm
    sim/design/       specification, field tables, front end, derivation       models/*, tlm
    sim/golden/       the golden reference, written apart from the blocks      models/common, models/network
    sim/runner/       one simulation: elaborate, run, check                    sim/design, sim/golden, models/*, tlm
    sim/report/       the table and the JSON report of a run                   sim/runner, sim/design, models/*, tlm
    sim/sweep/        design-space sweeps and automatic folding                sim/design, models/*
    testbenches/      harnesses (sc_main of every tool), benches, tests        anything

and the code that must run without a SystemC kernel (the blocks' kernels and timing rules, the
design path, the golden reference, the sweep engine) reaches no SystemC header through its
includes. CMake runs this before building (a wrong include fails the build); exits 1 with one
line per violation.

    python3 scripts/check_layers.py [ROOT]
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The SystemC modules of models/ (one per hardware block) and the pure files that drive one.
MODULES = re.compile(r"^models/[a-z_]+/(input_source|sliding_window_unit|mvtu|pool_unit|global_pool_unit|ofm_buffer|"
                     r"output_sink|dataflow_accelerator|dma_engine|dma_timing|host_driver|host_system|"
                     r"loopback_accelerator|decompressor|sparse_pe_array|scaling_ring_counter|syq_mvtu|add_unit|concat_unit|stream_fork|topk_unit)\.(c|h)pp$")

ALLOWED = {
    "tlm": [],
    "models/common": ["tlm"],
    "models": ["models", "tlm"],
    "sim/design": ["models", "tlm"],
    "sim/golden": ["models/common", "models/network", "models/rccm/rccm_coefficients.hpp", "models/rccm/rccm_quantizer.hpp",
                   "models/rccm/rccm_topology.hpp"],
    "sim/runner": ["sim/design", "sim/golden", "models", "tlm"],
    "sim/report": ["sim/runner", "sim/design", "models", "tlm"],
    "sim/sweep": ["sim/design", "models", "tlm"],
}
PURE = ["models", "sim/design", "sim/golden", "sim/sweep"]  # no SystemC header, directly or not
SYSTEMC = re.compile(r"#include\s*<(systemc|tlm|tlm_utils/[^>]*|systemc\.h)>")
INCLUDE = re.compile(r'#include\s*"([^"]+)"')


def layer_of(path):
    """The most specific key of ALLOWED that `path` (relative, with /) lies in."""
    best = None
    for key in ALLOWED:
        if path == key or path.startswith(key + "/"):
            if best is None or len(key) > len(best):
                best = key
    return best


def allowed(src, dst):
    if os.path.dirname(src) == os.path.dirname(dst):
        return True
    layer = layer_of(src)
    if layer is None:
        return True  # testbenches/ and tools: anything
    return any(dst == a or dst.startswith(a + "/") for a in ALLOWED[layer] + [layer])


def sources():
    for top in ["tlm", "models", "sim"]:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if f.endswith((".cpp", ".hpp")):
                    yield os.path.relpath(os.path.join(dirpath, f), ROOT).replace(os.sep, "/")


def main():
    includes, systemc = {}, {}
    for src in sources():
        with open(os.path.join(ROOT, src), encoding="utf-8", errors="replace") as f:
            text = f.read()
        includes[src] = INCLUDE.findall(text)
        systemc[src] = bool(SYSTEMC.search(text))
    problems = []
    for src, incs in sorted(includes.items()):
        for dst in incs:
            if dst in includes and not allowed(src, dst):
                problems.append(f"{src}: includes {dst}, which its layer ({layer_of(src)}) may not use")

    # Transitive SystemC reach of the pure layers.
    memo = {}

    def reaches_systemc(path, seen=()):
        if path in memo:
            return memo[path]
        if path not in includes or path in seen:
            return None
        if systemc[path]:
            memo[path] = [path]
            return memo[path]
        for dst in includes[path]:
            chain = reaches_systemc(dst, seen + (path,))
            if chain:
                memo[path] = [path] + chain
                return memo[path]
        memo[path] = None
        return None

    for src in sorted(includes):
        pure = any(src.startswith(p + "/") for p in PURE) and not MODULES.match(src)
        if pure:
            chain = reaches_systemc(src)
            if chain:
                problems.append(f"{src}: must compile without SystemC but reaches it through " + " -> ".join(chain))
    for p in problems:
        print("check_layers: " + p)
    if problems:
        print(f"check_layers: {len(problems)} include(s) break the layering (scripts/check_layers.py explains it)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
