#include "models/resources/cost_model.hpp"

#include <algorithm>


namespace qsim::cost {

uint64_t counter_bits(uint64_t n) {
    uint64_t bits = 1;
    while (bits < 63 && (uint64_t(1) << bits) < n) ++bits;
    return bits;
}

int accumulator_bits(const LayerConfig& l) {
    const long double max = (long double)l.fan_in() * l.max_abs_input() * l.max_abs_weight() * l.max_scale();
    int bits = 1;
    while (bits < 64 && (long double)(uint64_t(1) << bits) <= max) ++bits;
    return bits + 1;
}

int product_bits(const LayerConfig& l) { return l.datapath == Datapath::XnorPopcount ? 1 : l.in_bits + 1; }

uint64_t adder_tree_luts(uint64_t inputs, int width) {
    // Pair neighbours level by level; an odd value passes through to the next level.
    uint64_t luts = 0;
    uint64_t count = inputs;
    int w = width;
    while (count > 1) {
        const uint64_t adders = count / 2;
        luts += adders * uint64_t(w) * kLutPerAdderBit;
        count = adders + count % 2;
        ++w;
    }
    return luts;
}

uint64_t lut_multiplier_luts(int w, int a) {
    const uint64_t milli = kMilliLutPerMultiplierBitPair * uint64_t(w) * uint64_t(a);
    return std::max<uint64_t>(1, (milli + 500) / 1000);
}

namespace {
int rccm_input_bits(const LayerConfig& l) { return l.in_encoding == Encoding::Bipolar ? 2 : l.in_bits; }
bool rccm_input_signed(const LayerConfig& l) { return l.in_encoding != Encoding::Unsigned; }
}  // namespace

uint64_t rccm_multiplier_luts(const LayerConfig& l) {
    uint64_t luts = 0;
    for (int bits : rccm_stage_adder_bits(rccm_circuit(l.weights.rccm), rccm_input_bits(l), rccm_input_signed(l)))
        luts += uint64_t(bits) * kLutPerAdderBit;
    return luts;
}

int rccm_product_width(const LayerConfig& l) {
    return rccm_product_bits(rccm_circuit(l.weights.rccm), rccm_input_bits(l), rccm_input_signed(l));
}

uint64_t huffman_decoder_luts() {
    const uint64_t lmax = 24;  // kMaxHuffmanCodeBits (models/decompressor/ternary_codec.hpp)
    const uint64_t shifter = lmax * counter_bits(lmax);
    const uint64_t comparators = lmax * (lmax + 1) / 2 * kLutPerComparatorBit;
    return kRleDecoderLut + shifter + comparators;
}

uint64_t dsp_tiles(int a_bits, int b_bits, bool is_signed, const std::string& family) {
    const bool dsp48e2 = family.find("UltraScale") != std::string::npos;
    const int a = (dsp48e2 ? 27 : 25) - (is_signed ? 0 : 1);
    const int b = 18 - (is_signed ? 0 : 1);
    const auto tiles = [](int bits, int width) { return uint64_t((bits + width - 1) / width); };
    // The wider operand on the wider port.
    const int wide = std::max(a_bits, b_bits), narrow = std::min(a_bits, b_bits);
    return tiles(wide, a) * tiles(narrow, b);
}

int syq_sub_accumulator_bits(const LayerConfig& l) {
    const int groups = std::max(1, l.scaling_factors());
    const long double max = (long double)(l.fan_in() / groups) * l.max_abs_input() * l.max_abs_weight();
    int bits = 1;
    while (bits < 64 && (long double)(uint64_t(1) << bits) <= max) ++bits;
    return bits + 1;
}

uint64_t products_per_dsp(const LayerConfig& l, const std::string& family) {
    const bool dsp48e2 = family.find("UltraScale") != std::string::npos;
    const bool narrow = l.weights.bits <= kPackedOperandBits && l.in_bits <= kPackedOperandBits;
    return dsp48e2 && narrow ? kPackedProducts : 1;
}

}  // namespace qsim::cost
