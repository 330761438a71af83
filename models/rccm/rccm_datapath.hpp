// Bit-true kernel of an AddNet PE array (ch. 6.6.2, Fig. 6.7b): each of a PE's SIMD lanes
// multiplies its input by an RCCM (2-Add, 3-Add, 4-Add) set up by the weight's select index,
// the PE accumulates the products, and after the PE outputs fan in through the
// parallel-to-serial converter the per-layer 8-bit scale lambda_l multiplies the accumulator.
// The activation (threshold unit, ReLU requantisation) follows, as for the other datapaths.
//
// The select indices are read out of the PE weight memories (models/mvtu/weight_memory.hpp,
// FINN layout, `select_bits` per field). The portable paths take every product out of
// rccm_multiply, the circuit's adders and shifts; where AVX2 is available the products are the
// coefficients the circuit gives each select index (rccm_multiply(c, 1), checked linear at the
// input extremes) times the inputs, integer dot products. docs/rccm.md.
#pragma once

#include <cstdint>
#include <vector>

#include "models/mvtu/pe_datapath_kernel.hpp"
#include "models/mvtu/weight_memory.hpp"
#include "models/network/layer_params.hpp"
#include "models/rccm/rccm_topology.hpp"

namespace qsim {

class RccmDatapath : public PeDatapath {
public:
    // `lambda` is lambda_l (1..255); inputs are `input_bits`-bit codes of `input`.
    // Products come out of rccm_multiply in one of three ways, all the circuit's values:
    //   - when the 2^input_bits x 2^select_bits products fit a table of 2^20 entries (every
    //     8-bit input, any circuit), the circuit's whole truth table is computed once, and
    //     each product is looked up by (input code, select index);
    //   - otherwise, when `dots_per_input` (channels evaluated per loaded input vector, N /
    //     groups) exceeds the 2^select_bits codes, load_input computes every code's product
    //     for every input once;
    //   - otherwise every dot product calls rccm_multiply for its synapses;
    //   - but where AVX2 kernels are enabled (avx2_kernels_enabled) and the input values fit
    //     int16, the selects are decoded to coefficients once (int8 rows where they and the
    //     whole sum fit the MAC path's int32 kernel, else int16 rows with int64 sums) and each
    //     accumulator is a vector dot product (rccm_dot_avx2.hpp, pe_datapath_avx2.hpp).
    // Throws std::invalid_argument for a memory whose field width is not the circuit's select
    // width, an input the RCCM cannot take (raw accumulators, more than 16 bits) or lambda
    // outside 1..255.
    RccmDatapath(const WeightMemory& memory, RccmKind kind, Encoding input, int input_bits, int32_t lambda,
                 int dots_per_input);

    void load_input(const int32_t* codes) override;
    // lambda_l * accumulator(n): the value that enters the activation unit.
    int64_t dot(int n) const override;
    void dots(int first, int count, int64_t* acc) const override;
    // sum over the synapses s of rccm_multiply(circuit, select(n, s), x_s): one PE's accumulator.
    int64_t accumulator(int n) const;

    const RccmCircuit& circuit() const { return circuit_; }
    int32_t lambda() const { return lambda_; }
    uint8_t select(int n, int64_t s) const { return selects_[size_t(n) * size_t(fan_in_) + size_t(s)]; }

private:
    enum class Mode { TruthTable, InputTable, Direct, Coefficients };
    // Coefficients mode where it applies (see the constructor); false leaves the mode as it is.
    bool decode_coefficients();

    RccmCircuit circuit_;
    int64_t fan_in_;
    int channels_;
    Encoding encoding_;
    int32_t lambda_;
    uint32_t codes_;                // 2^select_bits
    int32_t min_code_, max_code_;   // the input codes of the encoding
    Mode mode_;
    std::vector<uint8_t> selects_;  // channels x fan_in, as read out of the weight memories
    std::vector<int32_t> input_;    // values of the loaded input vector
    std::vector<int32_t> products_; // TruthTable: [(code - min_code) * codes_ + select];
                                    // InputTable: [s * codes_ + select] (|c x| < 2^31)
    std::vector<const int32_t*> rows_;  // TruthTable: the table row of each input's code
    // Coefficients: channel n's coefficients at coef8_/coef16_[n * stride_], zero-padded to
    // stride_ (fan_in rounded up to 16), and the input values as int16, zero-padded alike.
    int64_t stride_ = 0;
    int64_t flush_steps_ = 0;       // int16 rows: steps of 16 between widenings of the int32 lanes
    bool narrow8_ = false;          // int8 rows (the MAC kernels), else int16 rows
    std::vector<int8_t> coef8_;
    std::vector<int16_t> coef16_;
    std::vector<const int8_t*> rows8_;
    std::vector<const int16_t*> rows16_;
    std::vector<int16_t> x16_;
};

// The image an RCCM layer's weight memories are built from: the select indices go in as the
// bytes they are (WeightMemory stores the low `bits` bits of each value), the rest unchanged.
LayerParams rccm_memory_image(const LayerParams& params);

}  // namespace qsim
