// The cost constants and datapath arithmetic the resource model charges, one set for every
// design (docs/resources.md gives the source or derivation of each).
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim::cost {

// A two-input ripple-carry adder or subtractor takes one LUT6 per result bit on the carry
// chain; a 2:1 or 4:1 multiplexer or a sign control on one operand folds into the same LUT
// (thesis ch. 6.4.2, Fig. 6.3: the RCCM base topologies cost exactly a ripple-carry adder).
inline constexpr uint64_t kLutPerAdderBit = 1;
// a >= t is the carry out of a - t: one LUT per bit as well.
inline constexpr uint64_t kLutPerComparatorBit = 1;
// A loop counter: an incrementer and a terminal-count compare, a LUT each per bit.
inline constexpr uint64_t kLutPerCounterBit = 2;
// DSP48E2 (UltraScale, UltraScale+): two products of up to 8-bit operands sharing one of them
// fit one 27 x 18 multiplier (Xilinx WP487, INT8 packing); DSP48E1 (7 series): one.
inline constexpr uint64_t kPackedProducts = 2;
inline constexpr int kPackedOperandBits = 8;
// A multiplier built from LUTs: Vivado's generic W x A multiplier grows by about 7.4 LUTs per
// input bit for an 8-bit coefficient (thesis ch. 6.7.1, Fig. 6.8), i.e. 7.4 / 8 LUTs per bit
// pair of the operands. In thousandths.
inline constexpr uint64_t kMilliLutPerMultiplierBitPair = 925;
// The host link's PCIe / DMA IP (Alpha Data core on the KU115, thesis ch. 6.7.2): "The PCIe
// interface uses 48 DSPs and 100 BRAMs" (BRAM36, i.e. 200 BRAM18). Its LUTs are not published.
inline constexpr uint64_t kHostLinkDsp = 48;
inline constexpr uint64_t kHostLinkBram18 = 200;

// Bits of a register that counts 0 .. n-1 (at least 1).
uint64_t counter_bits(uint64_t n);

// Width of the signed accumulator of a compute layer: enough for fan_in x max|input| x
// max|weight| plus a sign bit.
int accumulator_bits(const LayerConfig& l);

// Width of one product entering the adder tree: XNOR-popcount 1 bit; ADD/SUB the input code
// with a sign (in_bits + 1).
int product_bits(const LayerConfig& l);

// LUTs of a balanced tree of two-input adders summing `inputs` values of `width` bits, each
// adder as wide as its wider operand (the sum grows by one bit per level).
uint64_t adder_tree_luts(uint64_t inputs, int width);

// LUTs of one w x a bit multiplier in the fabric.
uint64_t lut_multiplier_luts(int w, int a);

// RCCM layers (ch. 6.4.2, 6.7.1): the LUTs of one RCCM on the layer's input, the sum of its
// stages' ripple-carry adders (rccm_stage_adder_bits: each base topology costs exactly a
// ripple-carry adder of its word size, Fig. 6.3, so an n-Add grows n LUTs per input bit), and
// the width of its products. A bipolar input (+-1) counts as a 2-bit signed one.
uint64_t rccm_multiplier_luts(const LayerConfig& l);
int rccm_product_width(const LayerConfig& l);

// The widths after the fan-in of the Alpha Data layer core (ch. 6.6.2): the scale lambda_l is
// an 8-bit constant, so lambda x acc has A + 8 bits; the requantisation multiplier of a ReLU
// layer built in LUTs is taken 16 bits wide (the generator's requantisation constants carry
// 16 fraction bits; a DSP slice's 27 x 18 multiplier holds it too).
inline constexpr int kRccmLambdaBits = 8;
inline constexpr int kRequantMultiplierBits = 16;

// Products a DSP slice computes for this layer on this device family: 2 where the family has
// DSP48E2 slices and both operands have at most 8 bits, else 1.
uint64_t products_per_dsp(const LayerConfig& l, const std::string& family);

}  // namespace qsim::cost
