#!/usr/bin/env python3
"""Writes docs/cosim.md: the RTL co-simulation regressions as they run now, the co-simulation
study (throughput, utilisation, stalls, SystemC-model : Verilated-RTL speed) and the Yosys LUT
cross-check of the RCCMs and the XNOR-popcount PE against the simulator's LUT model and the
thesis. Every number in the page comes from a run made by this script; nothing is typed in.

    python3 testbenches/cosim/make_cosim_doc.py [--build build] [--out docs/cosim.md]
                                                [--study-cycles 1000000] [--yosys yosys]

Needs a build with the co-simulation targets (cosim_run, cosim_study, rccm_lut_model) and
Yosys (Debian package yosys; scripts/setup.sh installs it). Takes about three minutes on two
cores, half of it Yosys. Exits 1 if a regression fails or if, at 8-bit input, the Yosys LUT
count of an RCCM is more than 25% away from the simulator's LUT model.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RTL = os.path.join(ROOT, "rtl")
WIDTHS = [4, 8, 12, 16]
KINDS = [("2-Add", 2), ("3-Add", 3), ("4-Add", 4)]
THESIS_SLOPE = {"2-Add": 2, "3-Add": 3, "4-Add": 4}  # LUTs per input bit, ch. 6.7.1 / Fig. 6.8
THESIS_MULT_SLOPE = 7.4                               # generic 8 x w_in multiplier
TABLE_6_5 = {"8-bit, no DSPs": 1407, "2-Add": 818, "3-Add": 928, "4-Add": 1179}  # one layer, 10 neurons
TOLERANCE = 0.25
SYNTH = "synth_xilinx -family xcu -flatten -noiopad -noclkbuf"
MULTIPLIER_SV = """// Generic 8 x IW two's-complement multiplier, the baseline of thesis Fig. 6.8.
module mult_8xw #(parameter int IW = 8) (
    input  logic signed [7:0]    w,
    input  logic signed [IW-1:0] x,
    output logic signed [IW+7:0] y
);
    assign y = w * x;
endmodule
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def yosys_cells(yosys, files, top, params, extra_synth="", tmp=None):
    """Synthesises `top` with synth_xilinx; returns cell counts and the LUT6_2 pairing."""
    net = os.path.join(tmp, "net.json")
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    script = (f"read_verilog -sv -I{RTL} {' '.join(files)}; "
              + (f"chparam {chparam} {top}; " if chparam else "")
              + f"{SYNTH} {extra_synth} -top {top}; write_json {net}")
    run([yosys, "-q", "-p", script])
    with open(net) as f:
        mod = json.load(f)["modules"][top]
    cells = mod["cells"].values()
    count = {}
    for c in cells:
        count[c["type"]] = count.get(c["type"], 0) + 1
    luts = sum(v for k, v in count.items() if re.fullmatch(r"LUT[1-6]", k))
    carry = count.get("CARRY4", 0) + count.get("CARRY8", 0)
    ffs = sum(v for k, v in count.items() if re.fullmatch(r"FD[A-Z]+", k))
    muxf = sum(v for k, v in count.items() if k.startswith("MUXF"))
    return {"luts": luts, "carry": carry, "ffs": ffs, "muxf": muxf, "pairs": lut6_2_pairs(cells),
            "types": count}


def lut6_2_pairs(cells):
    """Carry bits whose propagate (S) and generate (DI) inputs are driven by two different
    LUTs that together read at most five signals: one LUT6_2 site (the O6 and O5 outputs), as
    thesis Fig. 6.3 maps topology B. Yosys does not pack LUT6_2; Vivado does."""
    cells = list(cells)
    driver = {}
    for i, c in enumerate(cells):
        if re.fullmatch(r"LUT[1-6]", c["type"]):
            driver[c["connections"]["O"][0]] = i
    used = set()
    pairs = 0
    for c in cells:
        if c["type"] not in ("CARRY4", "CARRY8"):
            continue
        s_bits, di_bits = c["connections"]["S"], c["connections"]["DI"]
        for s, d in zip(s_bits, di_bits):
            a, b = driver.get(s), driver.get(d)
            if a is None or b is None or a == b or a in used or b in used:
                continue
            ins = set()
            for k in (a, b):
                for port, bits in cells[k]["connections"].items():
                    if port.startswith("I"):
                        ins.update(x for x in bits if isinstance(x, int))
            if len(ins) <= 5:
                used.update((a, b))
                pairs += 1
    return pairs


def slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def regressions(build):
    """Runs every Cosim.* ctest case's command itself and reads its report."""
    info = json.loads(run(["ctest", "--show-only=json-v1", "-R", "^Cosim\\."], cwd=build))
    rows = []
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    for t in info["tests"]:
        cmd = t["command"]
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=build)
        out = p.stdout
        row = {"name": t["name"], "rc": p.returncode, "args": " ".join(os.path.basename(cmd[0]) if i == 0 else a
                                                                        for i, a in enumerate(cmd)),
               "cycles": "", "outputs": "", "mismatch": "", "note": ""}
        m = re.search(r"compared\s+(\d+) cycles, (\d+) outputs .*?: (\d+) mismatching", out)
        if m:
            row["cycles"], row["outputs"], row["mismatch"] = m.group(1), m.group(2), m.group(3)
        m = re.search(r"MISMATCH at cycle (\d+): ([^\n]*)", out)
        if m:
            row["note"] = f"caught at cycle {m.group(1)}: {m.group(2)}"
        if "lint ok" in out:
            row["note"] = f"{out.count('lint ok')} tops x parameter sets, 0 warnings"
        rows.append(row)
    return rows


def study(build, cycles, rate, ready):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "study.json")
        env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
        subprocess.run([os.path.join(build, "cosim_study"), "--cycles", str(cycles), "--rate", rate, "--ready", ready,
                        "--json", path], check=True, capture_output=True, env=env)
        with open(path) as f:
            return json.load(f)


def fmt(x, digits=0):
    return f"{x:,.{digits}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "cosim.md"))
    ap.add_argument("--study-cycles", type=int, default=1000000)
    ap.add_argument("--yosys", default="yosys")
    a = ap.parse_args()
    build = os.path.abspath(a.build)

    model = json.loads(run([os.path.join(build, "rccm_lut_model"), *map(str, WIDTHS)]))
    yosys_version = run([a.yosys, "-V"]).strip()
    topo = [os.path.join(RTL, f) for f in ("rccm_topology_a.sv", "rccm_topology_b.sv", "pipe_ctrl.sv")]
    synth = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, n in KINDS:
            files = topo + [os.path.join(RTL, f"rccm_{n}add.sv")]
            for w in WIDTHS:
                for p in (0, 1):
                    synth[(name, w, p)] = yosys_cells(a.yosys, files, f"rccm_{n}add",
                                                      {"IW": w, "IN_SIGNED": 1, "PIPELINED": p}, tmp=tmp)
        mult_file = os.path.join(tmp, "mult_8xw.sv")
        with open(mult_file, "w") as f:
            f.write(MULTIPLIER_SV)
        mult = {w: yosys_cells(a.yosys, [mult_file], "mult_8xw", {"IW": w}, "-nodsp", tmp=tmp) for w in WIDTHS}
        pe = {}
        pe_files = [os.path.join(RTL, "xnor_popcount_pe.sv")]
        for simd, m in model["pe"]["simd"].items():
            pe[int(simd)] = yosys_cells(a.yosys, pe_files, "xnor_popcount_pe",
                                        {"SIMD": simd, "ACC_W": m["acc_bits"], "NT": model["pe"]["thresholds"]},
                                        tmp=tmp)

    regs = regressions(build)
    full = study(build, a.study_cycles, "always", "always")
    bp = study(build, a.study_cycles, "random:0.9", "random:0.7")

    failures = []
    L = []
    L.append("# RTL co-simulation: Verilated RCCMs and XNOR-popcount PE array against their SystemC models")
    L.append("")
    L.append("<!-- Generated by testbenches/cosim/make_cosim_doc.py from the runs it makes; do not edit. -->")
    L.append("")
    L.append("The blocks whose arithmetic is new in the simulator (the RCCM multipliers of thesis ch. 6.4) or "
             "dominant (the XNOR-popcount PE of ch. 3-4) exist as SystemVerilog in `rtl/`. Verilator turns them "
             "into SystemC modules that run in the same simulation as the SystemC model of the same block, on the "
             "same stimulus; every cycle's handshakes and every output value are compared. The same RTL goes "
             "through Yosys to count LUTs and carry cells, next to the simulator's LUT model "
             "([resources.md](resources.md)) and the thesis.")
    L.append("")
    L.append("## What is where")
    L.append("")
    L.append("| file | what |")
    L.append("|---|---|")
    L.append("| `rtl/rccm_topology_a.sv`, `rtl/rccm_topology_b.sv` | base topologies A and B: one adder, a 4:1 (A) or 2:1 (B) mux of hard-wired shifts, the sign by the 2-bit select ([rccm.md](rccm.md) section 1) |")
    L.append("| `rtl/pipe_ctrl.sv` | valid/ready control of a pipeline that moves as a whole (advances while its output register is empty or taken), or none |")
    L.append("| `rtl/rccm_2add.sv`, `rccm_3add.sv`, `rccm_4add.sv` | the Table 6.3 circuits, parameters `IW`, `IN_SIGNED`, `PIPELINED` (0: combinational, 1: a register after every adder stage); stage widths from `rtl/rccm_width.svh` |")
    L.append("| `rtl/xnor_popcount_pe.sv`, `rtl/xnor_pe_array.sv` | SIMD-lane XNOR-popcount PE with bipolar accumulator and NT thresholds, valid/ready; an array of `PE` of them in lockstep |")
    L.append("| `testbenches/cosim/rccm_model.*`, `xnor_pe_array_model.*` | the SystemC models: pin-level modules whose values come from `models/rccm/rccm_topology` and `models/mvtu` (weight memory, `XnorPopcountDatapath`, `ThresholdUnit`) and whose timing is the block's rule |")
    L.append("| `testbenches/cosim/cosim_bench.hpp`, `cosim_pattern.*` | the bench (drivers, sinks, cycle-by-cycle comparison, first-mismatch report, VCD, per-cycle CSV) and the rate and backpressure patterns |")
    L.append("| `testbenches/cosim/rccm_faces.*`, `pe_array_faces.*`, `cosim_ports.hpp` | the two faces of each block (model and Verilated RTL, each with its own pins) and their stimuli; packing into Verilated ports |")
    L.append("| `testbenches/cosim/cosim_blocks.*`, `cosim_cli.*`, `*_main.cpp` | the Verilated blocks and one run of one of them; the command lines |")
    L.append("| `cosim_run`, `cosim_study`, `rccm_lut_model` (build/) | one regression case; the study; the LUT model's figures for this page |")
    L.append("")
    L.append("Build: `bash scripts/build.sh` (Verilator and Yosys come from `scripts/setup.sh`; every Verilated model "
             "is compiled in the build, at the build type's optimisation). Run: `cd build && ctest -R Cosim`. "
             "Regenerate this page: `python3 testbenches/cosim/make_cosim_doc.py`.")
    L.append("")
    L.append("## The RTL")
    L.append("")
    L.append("Each RCCM stage is the base topology of [rccm.md](rccm.md), its shifts, mapping function and wiring "
             "those of `models/rccm/rccm_topology.cpp` (select bits [2i+1:2i] for stage i). Every stage is linear "
             "in x, so its adder is as wide as its factor range times the input range needs (`rccm_width`); the "
             "product leaves sign-extended to 32 bits. Topology A is written as `B1 - ~M - 1` with the borrow in an "
             "extra low bit, so that B1 (wiring only) is the adder's first operand and feeds the carry chain's "
             "generate input directly; topology B as `(B1 ^ s1) - (A_p ^ s1)`, one subtractor whose per-bit logic "
             "reads five signals (Fig. 6.3's dual 5-input LUT).")
    L.append("")
    L.append("Pipelined, the RCCMs have a register after every adder stage; stages fed only by x run side by side, "
             "so the latency is the adder depth: 2 (2-Add), 2 (3-Add), 3 (4-Add) cycles. The pipeline moves while "
             "its output register is empty or being taken (`in_ready = !out_valid || out_ready`) and holds "
             "otherwise. The PE takes one beat of SIMD activations and weights per cycle, registers its popcount, "
             "adds `2 * popcount - SIMD` to the accumulator, and on the beat marked last puts the accumulator "
             "(2 * matches - fan_in) and its threshold code (the number of thresholds it reaches) in the output "
             "register: a result two edges after its last beat, the same handshake rule.")
    L.append("")
    L.append("## The bench")
    L.append("")
    L.append("Each face (model, RTL) has its own pins and its own driver; both drivers play the same stimulus and "
             "see the same input-rate and `out_ready` patterns, which are functions of the cycle (`always`, "
             "`random:P`, `periodic:ON:OFF`, `bursts:P:LEN`). A source holds `in_valid` and its data until taken. "
             "At every clock edge the bench samples both faces: input taken or not, output delivered or not, and "
             "the output value; the first cycle on which they differ is reported with the input behind it and both "
             "outputs, e.g. (from the mutation test below):")
    L.append("")
    example = next((r for r in regs if r["name"] == "Cosim.rccm3_comb.MutatedCoefficient"), None)
    if example:
        p = subprocess.run(example["args"].replace("cosim_run", os.path.join(build, "cosim_run"), 1).split(),
                           capture_output=True, text=True, env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        block = p.stdout[p.stdout.find("MISMATCH"):].split("expected mismatch")[0].rstrip()
        L.append("```")
        L.append("$ " + example["args"])
        L.extend(block.splitlines())
        L.append("```")
        L.append("")
    L.append("`--vcd FILE` writes every pin of both faces. The models' values come from the functional kernels "
             "the simulator uses; their timing from the block's rule (`rccm_pipeline_latency`: the circuit's adder "
             "depth; `kPeArrayLatency`), not from the RTL. The PE array model keeps the layer's weights in its own "
             "PE weight memories (FINN's layout) and counts beats and neuron folds itself; the RTL gets its weights, "
             "thresholds and `in_last` from the driver, which reads the same weight memory words.")
    L.append("")
    L.append("## Regressions (ctest)")
    L.append("")
    L.append("Every case is its own ctest test and process (SystemC elaborates once per process). Stimuli: "
             "`exhaustive` = every select code x every input; `codes` = every select code x the extreme inputs "
             "(min, max, 0, 1, min+1, max-1, -1); `random` = seeded pairs; PE `extremes` = all +1, all -1, channel "
             "0's weights and their negation, alternating, then random vectors (channel 0's thresholds sit at "
             "+-fan_in, the last channel's weights are all +1).")
    L.append("")
    L.append("| test | command | cycles compared | outputs compared | mismatching cycles | result |")
    L.append("|---|---|---:|---:|---:|---|")
    tot_c = tot_o = tot_m = 0
    for r in regs:
        mut = "Mutated" in r["name"]
        ok = r["rc"] == 0
        if not ok:
            failures.append(f"regression {r['name']} failed (exit {r['rc']})")
        if r["cycles"] and not mut:
            tot_c += int(r["cycles"])
            tot_o += int(r["outputs"])
            tot_m += int(r["mismatch"])
        result = ("pass" if ok else "**FAIL**") + (f"; {r['note']}" if r["note"] else "")
        cmd = r["args"].replace(build + "/", "").replace(ROOT + "/", "").replace(build, "build")
        L.append(f"| {r['name']} | `{cmd}` | {r['cycles']} | {r['outputs']} | {r['mismatch']} | {result} |")
    L.append("")
    L.append(f"Without the mutated cases: {fmt(tot_c)} cycles and {fmt(tot_o)} outputs compared, {tot_m} mismatches. "
             "The mutated cases prove the harness catches a wrong model: `--mutate value` changes one coefficient "
             "(select word 5's c becomes c + 1, or `--mutate-select`) or one weight of the PE array's model, "
             "`--mutate cycle` makes the model stall one cycle the RTL does not; `--expect-mismatch` passes only "
             "if the mismatch is reported.")
    L.append("")
    L.append("## Study: throughput, utilisation and speed")
    L.append("")
    L.append("`build/cosim_study [--block NAME|all] --cycles N --rate SPEC --ready SPEC [--per-cycle FILE] "
             "[--json FILE]` runs each block four times, each in its own process: the SystemC model alone, the "
             "Verilated RTL alone (same driver, same stimulus, same patterns: the same work), both together "
             "compared, and the row-level model the dataflow simulation uses (the MVTU module fed a vector a row "
             "transaction: the PE array's fc layer, or an fc layer of 64 x 16 RCCM products at one a clock) "
             "computing at least the results the RTL delivered; **TLM : RTL** is the RTL's wall seconds per result "
             "over the row-level model's. Results/cycle is outputs delivered per cycle; utilisation the share of cycles the datapath "
             "took an input (an RCCM product, a PE-array beat of PE x SIMD XNORs); stall cycles are cycles an input "
             "waited; starved, cycles the block was ready and no input came; blocked, cycles an output waited for "
             "the sink. Speeds are simulated cycles per wall-second on this 2-core machine and vary with its load.")
    L.append("")
    for title, st in ((f"No backpressure (rate always, out_ready always), {fmt(full['cycles'])} cycles", full),
                      (f"Input rate random:0.9, out_ready random:0.7, {fmt(bp['cycles'])} cycles", bp)):
        L.append(f"{title}:")
        L.append("")
        L.append("| block | results/cycle | utilisation | stall | starved | blocked | latency | model cycles/s | RTL cycles/s | model : RTL | TLM : RTL | mismatches |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for b in st["blocks"]:
            mc = b["cycles"] / b["model_wall"] if b["model_wall"] else 0
            rc = b["cycles"] / b["rtl_wall"] if b["rtl_wall"] else 0
            if b["mismatches"]:
                failures.append(f"study {b['block']}: {b['mismatches']} mismatching cycles")
            L.append(f"| {b['block']} | {b['results'] / b['cycles']:.3f} | {100 * b['accepted'] / b['cycles']:.1f}% | "
                     f"{fmt(b['stall'])} | {fmt(b['starved'])} | {fmt(b['blocked'])} | {b['latency']} | {fmt(mc)} | "
                     f"{fmt(rc)} | {mc / rc if rc else 0:.2f} | {b['tlm_speedup']:.1f} | {b['mismatches']} |")
        L.append("")
    L.append("The pipelined blocks stall their whole pipeline while the output waits, so with the sink taking 70% of "
             "cycles the input is taken on about two thirds of them. The SystemC models compute a whole product or "
             "fold per event; the Verilated RTL evaluates its netlist on every input change and clock edge, which "
             "costs most for the wide PE array. The row-level model moves a whole vector a transaction and computes "
             "it with the functional kernels, which is where the simulator's speed comes from.")
    L.append("")

    # ---- Yosys ------------------------------------------------------------------------
    L.append("## LUTs: Yosys against the simulator's model and the thesis")
    L.append("")
    L.append(f"{yosys_version}, `{SYNTH}` (Kintex UltraScale, the KU115's family), signed inputs of w_in bits. "
             "**LUT cells** is what Yosys maps; Yosys does not pack two LUTs into one LUT6_2 site, Vivado does. "
             "**LUT sites** counts as one the two LUTs that drive a carry bit's propagate (S) and generate (DI) "
             "inputs when together they read at most five signals, exactly the dual 5-input mapping thesis Fig. 6.3 "
             "gives topology B (its S needs s0, two A bits and a B bit, its DI s1 and the B bit); no other packing "
             "is assumed. The **model** is the simulator's resource model for one RCCM, `cost::rccm_multiplier_luts` "
             "(docs/resources.md: one LUT per adder bit, each stage's adder as wide as `rccm_stage_adder_bits` "
             "says; printed by `build/rccm_lut_model`). Carry cells are CARRY4 (four bits each).")
    L.append("")
    L.append("| RCCM | w_in | stage adder bits (model) | model LUTs | Yosys LUT cells | Yosys LUT sites | sites vs model | CARRY4 | FFs pipelined |")
    L.append("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for name, n in KINDS:
        for w in WIDTHS:
            m = model["rccm"][name][str(w)]
            s = synth[(name, w, 0)]
            sp = synth[(name, w, 1)]
            sites = s["luts"] - s["pairs"]
            dev = (sites - m["luts"]) / m["luts"]
            L.append(f"| {name} | {w} | {' + '.join(map(str, m['stages']))} | {m['luts']} | {s['luts']} | {sites} | "
                     f"{100 * dev:+.0f}% | {s['carry']} | {sp['ffs']} |")
            if w == 8 and abs(dev) > TOLERANCE:
                failures.append(f"{name} at 8 bit: Yosys {sites} LUT sites vs model {m['luts']} ({100 * dev:+.0f}%)")
    L.append("")
    L.append("Growth per input bit (least-squares slope over w_in = " + ", ".join(map(str, WIDTHS)) + "):")
    L.append("")
    L.append("| multiplier | model | Yosys LUT cells | Yosys LUT sites | thesis (Fig. 6.8) | 8-bit: model | 8-bit: Yosys sites | 8-bit: sites vs model |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, _ in KINDS:
        mod = [model["rccm"][name][str(w)]["luts"] for w in WIDTHS]
        cells = [synth[(name, w, 0)]["luts"] for w in WIDTHS]
        sites = [synth[(name, w, 0)]["luts"] - synth[(name, w, 0)]["pairs"] for w in WIDTHS]
        m8, s8 = model["rccm"][name]["8"]["luts"], sites[WIDTHS.index(8)]
        L.append(f"| {name} RCCM | {slope(WIDTHS, mod):.2f} | {slope(WIDTHS, cells):.2f} | {slope(WIDTHS, sites):.2f} | "
                 f"{THESIS_SLOPE[name]} | {m8} | {s8} | {100 * (s8 - m8) / m8:+.0f}% |")
    raw = []
    for name, _ in KINDS:
        c8, m8 = synth[(name, 8, 0)]["luts"], model["rccm"][name]["8"]["luts"]
        raw.append(f"{name} {c8} ({100 * (c8 - m8) / m8:+.0f}%)")
    raw_note = ("Counted as Yosys's LUT cells, without the pairing, the RCCMs at 8 bit take " + ", ".join(raw)
                + " against the model: topology B's generate-input LUT (s1 XOR the B bit) is a cell of its own, one "
                "more LUT per bit of the output stage, which is also why the cells grow one LUT per bit faster.")
    mcells = [mult[w]["luts"] for w in WIDTHS]
    L.append(f"| generic 8 x w_in (`-nodsp`) | {8 * 0.925:.2f} | {slope(WIDTHS, mcells):.2f} | | {THESIS_MULT_SLOPE} | "
             f"{round(0.925 * 8 * 8)} | {mult[8]['luts']} | |")
    L.append("")
    within = all(abs(synth[(name, 8, 0)]["luts"] - synth[(name, 8, 0)]["pairs"] - model["rccm"][name]["8"]["luts"])
                 <= TOLERANCE * model["rccm"][name]["8"]["luts"] for name, _ in KINDS)
    L.append(("At 8-bit input every RCCM's Yosys LUT sites are within 25% of the model"
              if within else "**At 8-bit input not every RCCM is within 25% of the model**")
             + "; growth per input bit in LUT sites " + ", ".join(
                 f"{slope(WIDTHS, [synth[(name, w, 0)]['luts'] - synth[(name, w, 0)]['pairs'] for w in WIDTHS]):.2f}"
                 for name, _ in KINDS) + " against the thesis's " + ", ".join(str(THESIS_SLOPE[n]) for n, _ in KINDS)
             + " (2-, 3-, 4-Add).")
    L.append("")
    L.append(raw_note)
    L.append("")
    L.append("Generic multiplier LUT cells by w_in: " + ", ".join(f"{w}: {mult[w]['luts']} (+{mult[w]['muxf']} MUXF)"
                                                              for w in WIDTHS)
             + ". The model's figure for it is docs/resources.md's 0.925 LUT per bit pair (7.4 per input bit, from "
             "Fig. 6.8 for Vivado's multiplier); Yosys's soft multiplier is far larger, so the RCCMs' advantage is "
             "larger here than in the thesis.")
    L.append("")
    a8 = {name: synth[(name, 8, 0)]["luts"] - synth[(name, 8, 0)]["pairs"] for name, _ in KINDS}
    L.append("Table 6.5 (one layer of 10 neurons after place and route) has 818, 928 and 1,179 LUTs for 2-, 3- and "
             f"4-Add, ratios 1 : {TABLE_6_5['3-Add'] / TABLE_6_5['2-Add']:.2f} : {TABLE_6_5['4-Add'] / TABLE_6_5['2-Add']:.2f}, "
             "against 1,407 for 8-bit multipliers without DSPs; the layer's other logic is in every figure. The "
             f"multipliers alone at 8 bit are in ratio 1 : {a8['3-Add'] / a8['2-Add']:.2f} : {a8['4-Add'] / a8['2-Add']:.2f} "
             "(Yosys LUT sites) and 1 : "
             f"{model['rccm']['3-Add']['8']['luts'] / model['rccm']['2-Add']['8']['luts']:.2f} : "
             f"{model['rccm']['4-Add']['8']['luts'] / model['rccm']['2-Add']['8']['luts']:.2f} (model).")
    L.append("")
    L.append(f"The XNOR-popcount PE (`rtl/xnor_popcount_pe.sv`, {model['pe']['thresholds']} thresholds, accumulator "
             f"as wide as the model's for a fan-in of {model['pe']['fan_in']}): the model charges the popcount adder "
             "tree, the accumulator and the comparators (cost_model.hpp).")
    L.append("")
    L.append("| SIMD | acc bits | model: tree + acc + comparators | model LUTs | Yosys LUT cells | Yosys vs model | CARRY4 | FFs |")
    L.append("|---:|---:|---|---:|---:|---:|---:|---:|")
    for simd in sorted(pe):
        m = model["pe"]["simd"][str(simd)]
        s = pe[simd]
        L.append(f"| {simd} | {m['acc_bits']} | {m['tree']} + {m['accumulator']} + {m['comparators']} | {m['luts']} | "
                 f"{s['luts']} | {100 * (s['luts'] - m['luts']) / m['luts']:+.0f}% | {s['carry']} | {s['ffs']} |")
    L.append("")
    L.append("The RTL writes the popcount as a balanced tree of two-input adders, as the model charges it, but "
             "Yosys merges the tree into one multi-operand sum (`alumacc`) and maps it as a compressor in LUTs "
             "without carry chains (the CARRY4 cells are the accumulator's and the comparators'), which grows "
             "faster with SIMD than a tree of carry-chain adders; Vivado keeps the adders on the carry chain. The "
             "PE row is for information; the 25% criterion is the RCCMs'.")
    L.append("")
    if failures:
        L.append("## Failures")
        L.append("")
        L.extend(f"- {f}" for f in failures)
        L.append("")

    with open(a.out, "w") as f:
        f.write("\n".join(L))
    print(f"wrote {a.out}")
    for f_ in failures:
        print("FAIL:", f_, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
