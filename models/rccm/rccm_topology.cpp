#include "models/rccm/rccm_topology.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace qsim {

namespace {

RccmStage topology_a(RccmLastOp last, std::array<uint8_t, 4> phi, int a_source, int b_source) {
    RccmStage st;
    st.topology = RccmTopology::A;
    st.last_op = last;
    st.phi = phi;
    st.a_source = a_source;
    st.b_source = b_source;
    return st;
}

RccmStage topology_b(uint8_t phi1, uint8_t phi2, uint8_t phi3, int a_source, int b_source) {
    RccmStage st;
    st.topology = RccmTopology::B;
    st.phi = {phi1, phi2, phi3, 0};
    st.a_source = a_source;
    st.b_source = b_source;
    return st;
}

// Smallest two's-complement width holding every value of [lo, hi] (lo <= 0 <= hi).
int signed_bits_for(int64_t lo, int64_t hi) {
    int bits = 1;
    while (lo < -(int64_t(1) << (bits - 1)) || hi > (int64_t(1) << (bits - 1)) - 1) ++bits;
    return bits;
}

std::invalid_argument bad_stage(size_t i, const std::string& what) {
    return std::invalid_argument("RCCM stage " + std::to_string(i) + ": " + what);
}

}  // namespace

const char* rccm_name(RccmKind kind) {
    switch (kind) {
        case RccmKind::Add2: return "2-Add";
        case RccmKind::Add3: return "3-Add";
        case RccmKind::Add4: return "4-Add";
    }
    return "?";
}

int rccm_select_bits(RccmKind kind) { return rccm_circuit(kind).select_bits(); }

// Table 6.3 with the sign its text extraction lost restored: the printed mapping of
// topology B reads {-A1+B1, A2+B1, A1-B1, A2-B1}, which is not symmetric around zero and
// cannot produce Table 6.2 with any shifts or wiring; {-A1+B1, -A2+B1, A1-B1, A2-B1} (code
// 01 negated) is symmetric, as ch. 6.4.3 says topology B is, and gives Table 6.2 exactly
// with the printed shifts. The wiring follows from the sets too (docs/rccm.md).
RccmCircuit rccm_circuit(RccmKind kind) {
    RccmCircuit c;
    switch (kind) {
        case RccmKind::Add2:
            c.stages = {topology_a(RccmLastOp::B1, {0, 1, 3, 2}, kRccmInput, kRccmInput),
                        topology_b(0, 3, 2, 0, kRccmInput)};
            break;
        case RccmKind::Add3:
            c.stages = {topology_a(RccmLastOp::MinusA2, {0, 2, 3, 3}, kRccmInput, kRccmInput),
                        topology_a(RccmLastOp::MinusA1, {0, 1, 3, 0}, kRccmInput, kRccmInput),
                        topology_b(0, 3, 0, 0, 1)};
            break;
        case RccmKind::Add4:
            c.stages = {topology_a(RccmLastOp::MinusA3, {0, 1, 3, 0}, kRccmInput, kRccmInput),
                        topology_a(RccmLastOp::MinusA2, {0, 1, 3, 1}, kRccmInput, kRccmInput),
                        topology_a(RccmLastOp::MinusA1, {0, 1, 3, 3}, 0, 1),
                        topology_b(0, 3, 1, 2, kRccmInput)};
            break;
    }
    return c;
}

void validate_rccm_circuit(const RccmCircuit& circuit) {
    if (circuit.stages.empty() || circuit.stages.size() > 15)
        throw std::invalid_argument("RCCM circuit needs 1..15 stages, has " +
                                    std::to_string(circuit.stages.size()));
    for (size_t i = 0; i < circuit.stages.size(); ++i) {
        const RccmStage& st = circuit.stages[i];
        for (int src : {st.a_source, st.b_source})
            if (src != kRccmInput && (src < 0 || size_t(src) >= i))
                throw bad_stage(i, "source " + std::to_string(src) + " is not the input or an earlier stage");
        for (uint8_t phi : st.phi)
            if (phi > kRccmMaxShift)
                throw bad_stage(i, "shift " + std::to_string(phi) + " above " + std::to_string(kRccmMaxShift));
        if (st.topology == RccmTopology::B && st.phi[3] != 0) throw bad_stage(i, "topology B has no phi_i4");
        if (st.topology == RccmTopology::A && int(st.last_op) > int(RccmLastOp::MinusA3))
            throw bad_stage(i, "unknown mapping function");
    }
}

int64_t rccm_multiply(const RccmCircuit& circuit, uint32_t select, int32_t x) {
    // At most 15 stages (validate_rccm_circuit); each wire carries one stage output.
    std::array<int64_t, 15> wire{};
    const size_t n = std::min(circuit.stages.size(), wire.size());
    for (size_t i = 0; i < n; ++i) {
        const RccmStage& st = circuit.stages[i];
        const int64_t a = st.a_source == kRccmInput ? x : wire[size_t(st.a_source)];
        const int64_t b = st.b_source == kRccmInput ? x : wire[size_t(st.b_source)];
        wire[i] = rccm_stage_output(st, (select >> (2 * i)) & 3u, a, b);
    }
    return n == 0 ? 0 : wire[n - 1];
}

std::vector<int64_t> rccm_coefficients_by_select(const RccmCircuit& circuit) {
    validate_rccm_circuit(circuit);
    std::vector<int64_t> c(size_t(1) << circuit.select_bits());
    for (size_t s = 0; s < c.size(); ++s) c[s] = rccm_multiply(circuit, uint32_t(s), 1);
    return c;
}

std::vector<int64_t> rccm_coefficient_set(const RccmCircuit& circuit) {
    std::vector<int64_t> c = rccm_coefficients_by_select(circuit);
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    return c;
}

int rccm_product_bits(const RccmCircuit& circuit, int input_bits, bool input_signed) {
    if (input_bits < 1 || input_bits > 31) throw std::invalid_argument("RCCM input width must be 1..31 bits");
    const std::vector<int64_t> set = rccm_coefficient_set(circuit);
    const int64_t x_min = input_signed ? -(int64_t(1) << (input_bits - 1)) : 0;
    const int64_t x_max = input_signed ? (int64_t(1) << (input_bits - 1)) - 1 : (int64_t(1) << input_bits) - 1;
    int64_t lo = 0, hi = 0;
    for (int64_t c : set)
        for (int64_t x : {x_min, x_max}) {
            lo = std::min(lo, c * x);
            hi = std::max(hi, c * x);
        }
    return signed_bits_for(lo, hi);
}

RccmKind rccm_kind_for_select_bits(int select_bits) {
    for (RccmKind k : {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4})
        if (rccm_select_bits(k) == select_bits) return k;
    throw std::invalid_argument("no RCCM circuit has " + std::to_string(select_bits) + " select bits (4, 6 or 8)");
}

int64_t rccm_max_abs_coefficient(RccmKind kind) {
    static const std::array<int64_t, 3> table = [] {
        std::array<int64_t, 3> t{};
        for (RccmKind k : {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4}) {
            int64_t m = 0;
            for (int64_t c : rccm_coefficients_by_select(rccm_circuit(k))) m = std::max(m, c < 0 ? -c : c);
            t[size_t(k)] = m;
        }
        return t;
    }();
    return table[size_t(kind)];
}

std::vector<int> rccm_stage_adder_bits(const RccmCircuit& circuit, int input_bits, bool input_signed) {
    validate_rccm_circuit(circuit);
    if (input_bits < 1 || input_bits > 31) throw std::invalid_argument("RCCM input width must be 1..31 bits");
    const size_t n = circuit.stages.size();
    // Every stage is linear in x: collect each stage's factor k (its output for x = 1) over all
    // select words; the stage then carries k * x.
    std::vector<int64_t> k_min(n, 0), k_max(n, 0);
    std::vector<uint64_t> nonzero_bits(n, 0);  // OR of |k|: its lowest set bit is the adder's LSB
    const uint32_t words = uint32_t(1) << circuit.select_bits();
    for (uint32_t sel = 0; sel < words; ++sel) {
        std::array<int64_t, 15> wire{};
        for (size_t i = 0; i < n; ++i) {
            const RccmStage& st = circuit.stages[i];
            const int64_t a = st.a_source == kRccmInput ? 1 : wire[size_t(st.a_source)];
            const int64_t b = st.b_source == kRccmInput ? 1 : wire[size_t(st.b_source)];
            wire[i] = rccm_stage_output(st, (sel >> (2 * i)) & 3u, a, b);
            k_min[i] = std::min(k_min[i], wire[i]);
            k_max[i] = std::max(k_max[i], wire[i]);
            nonzero_bits[i] |= uint64_t(wire[i] < 0 ? -wire[i] : wire[i]);
        }
    }
    const int64_t x_min = input_signed ? -(int64_t(1) << (input_bits - 1)) : 0;
    const int64_t x_max = input_signed ? (int64_t(1) << (input_bits - 1)) - 1 : (int64_t(1) << input_bits) - 1;
    std::vector<int> bits(n);
    for (size_t i = 0; i < n; ++i) {
        int64_t lo = 0, hi = 0;
        for (int64_t k : {k_min[i], k_max[i]})
            for (int64_t x : {x_min, x_max}) {
                lo = std::min(lo, k * x);
                hi = std::max(hi, k * x);
            }
        int zeros = 0;  // low bits every select word leaves 0 (the factor k is always even, ...)
        while (nonzero_bits[i] != 0 && ((nonzero_bits[i] >> zeros) & 1u) == 0) ++zeros;
        bits[i] = std::max(1, signed_bits_for(lo, hi) - zeros);
    }
    return bits;
}

}  // namespace qsim
