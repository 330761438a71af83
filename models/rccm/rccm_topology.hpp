// Bit-exact functional kernel of AddNet's reconfigurable constant-coefficient multipliers
// (RCCMs, ch. 6.4.2-6.4.3, Figs. 6.2 and 6.4, Table 6.3): the base topologies A and B (one
// adder whose operand comes through a 4:1 mux of hard-wired left shifts, with the sign of
// each operand chosen by the 2-bit select of that topology instance) and the 2-Add, 3-Add
// and 4-Add circuits built from them. The weight a PE stores is the select index; the
// product is computed as the circuit computes it, stage by stage, never by a multiply.
// docs/rccm.md gives the formulas and how the Table 6.3 parameters were read.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/common/enum_text.hpp"

namespace qsim {

enum class RccmTopology : uint8_t { A, B };

// Topology A performs A1+B1, A2+B1, A3+B1 for select codes 00, 01, 10; its operation for
// code 11 is what distinguishes its four mapping functions sigma(s) (Table 6.3).
enum class RccmLastOp : uint8_t { B1, MinusA1, MinusA2, MinusA3 };

// Source of a topology input: the circuit input x, or the output of an earlier stage.
constexpr int kRccmInput = -1;

// One instance of a base topology. A: A_j = a << phi[j-1] (j = 1..3), B1 = b << phi[3].
// B: A_j = a << phi[j-1] (j = 1, 2), B1 = b << phi[2]; phi[3] is unused and kept 0.
struct RccmStage {
    RccmTopology topology = RccmTopology::A;
    RccmLastOp last_op = RccmLastOp::B1;  // topology A only
    std::array<uint8_t, 4> phi{};         // phi_i1 .. phi_i4 of Table 6.3
    int a_source = kRccmInput;            // drives the A_p inputs (all of them)
    int b_source = kRccmInput;            // drives B1
};

// Stages in evaluation order; the last one is the output. Stage i takes select bits
// [2i+1 : 2i], so the select word has 2 * stages.size() bits.
struct RccmCircuit {
    std::vector<RccmStage> stages;
    int select_bits() const { return 2 * int(stages.size()); }
};

// Largest hard-wired shift a circuit may use (validate_rccm_circuit).
constexpr int kRccmMaxShift = 7;

enum class RccmKind : uint8_t { Add2, Add3, Add4 };
// The configuration's names of the circuits (`weights.rccm`); rccm_name() is their label.
template <>
struct EnumText<RccmKind> {
    static constexpr const char* what = "RCCM circuit";
    static constexpr std::pair<RccmKind, const char*> names[] = {
        {RccmKind::Add2, "2add"}, {RccmKind::Add3, "3add"}, {RccmKind::Add4, "4add"}};
};

const char* rccm_name(RccmKind kind);  // "2-Add", "3-Add", "4-Add"
int rccm_select_bits(RccmKind kind);   // 4, 6, 8

// The optimized circuits of Table 6.3 (coefficient sets of Table 6.2):
//   2-Add: y0 = A(x, x);                    out = B(y0, x)
//   3-Add: y0 = A(x, x); y1 = A(x, x);      out = B(y0, y1)
//   4-Add: y0 = A(x, x); y1 = A(x, x); y2 = A(y0, y1); out = B(y2, x)
RccmCircuit rccm_circuit(RccmKind kind);

// Throws std::invalid_argument unless the circuit has 1..15 stages, every source is the
// input or an earlier stage, every shift is <= kRccmMaxShift and unused shifts are 0.
void validate_rccm_circuit(const RccmCircuit& circuit);

// Arithmetic left shift by a hard-wired amount (wiring only, no logic).
inline int64_t rccm_shift(int64_t v, int phi) { return int64_t(uint64_t(v) << phi); }

// One base topology for its 2-bit select code s: the mux picks a shifted A_p (or zero),
// the adder adds or subtracts it and the shifted B1 with the signs sigma(s) gives.
inline int64_t rccm_stage_output(const RccmStage& st, unsigned s, int64_t a, int64_t b) {
    if (st.topology == RccmTopology::A) {
        const int64_t b1 = rccm_shift(b, st.phi[3]);
        if (s < 3) return rccm_shift(a, st.phi[s]) + b1;
        if (st.last_op == RccmLastOp::B1) return b1;
        return b1 - rccm_shift(a, st.phi[int(st.last_op) - 1]);
    }
    // Topology B: 00: -A1+B1, 01: -A2+B1, 10: A1-B1, 11: A2-B1.
    const int64_t ap = rccm_shift(a, st.phi[s & 1u]);
    const int64_t b1 = rccm_shift(b, st.phi[2]);
    return (s & 2u) ? ap - b1 : b1 - ap;
}

// The product the circuit computes for select word `select` and input x (any int32 value;
// the result is exact: the adders are as wide as the product needs, see rccm_product_bits).
// The circuit must be valid (validate_rccm_circuit); select bits above its width are ignored.
int64_t rccm_multiply(const RccmCircuit& circuit, uint32_t select, int32_t x);

// Coefficient of every select code (rccm_multiply with x = 1), indexed by select word.
std::vector<int64_t> rccm_coefficients_by_select(const RccmCircuit& circuit);

// The circuit's coefficient set: the distinct coefficients, ascending.
std::vector<int64_t> rccm_coefficient_set(const RccmCircuit& circuit);

// Smallest two's-complement width that holds every product of the circuit for inputs of
// `input_bits` bits (signed or unsigned), i.e. the output width the RTL needs.
int rccm_product_bits(const RccmCircuit& circuit, int input_bits, bool input_signed);

// The circuit kind whose select word has `select_bits` bits (4, 6, 8); throws otherwise.
RccmKind rccm_kind_for_select_bits(int select_bits);

// Largest coefficient magnitude of a Table 6.3 circuit (92, 128, 1214), from its codes.
int64_t rccm_max_abs_coefficient(RccmKind kind);

// Width of the ripple-carry adder of every stage for inputs of `input_bits` bits: the bits of
// the stage's output range over every select word and input, less the low bits that are zero
// for every select word (shifted operands' wired-in zeros need no LUT). Each base topology is
// exactly one such adder with its mux and sign folded into the same LUTs (Fig. 6.3).
std::vector<int> rccm_stage_adder_bits(const RccmCircuit& circuit, int input_bits, bool input_signed);

}  // namespace qsim
