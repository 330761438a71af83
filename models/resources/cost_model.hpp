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
// max|weight| (x the largest SYQ factor of a row- or pixel-wise scaled layer) plus a sign bit.
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

// ---------------------------------------------------------------------------------------
// Sparse ternary networks (thesis ch. 3.4) and SYQ scaling (ch. 5.7).

// The run-length decoder: "an address and a weight every cycle at 250 MHz while using 112 LUT
// resources" (thesis ch. 3.4.1, Vivado HLS 2017.1 estimate).
inline constexpr uint64_t kRleDecoderLut = 112;
inline constexpr double kRleDecoderClockMhz = 250.0;
// A canonical Huffman decoder has no published cost: it is the run-length decoder plus a barrel
// shifter that aligns the next kMaxHuffmanCodeBits (24) stream bits (24 x ceil(log2 24) = 120
// LUT) and one comparator per code length against its first code (1 + 2 + .. + 24 = 300 LUT).
uint64_t huffman_decoder_luts();
// ch. 3.4.3, type 1 (binary activations): the FINN roofline's "average cost of 5 LUTs for both
// an XNOR and popcount operation" (2.5 LUT per operation x 2 operations per MAC, [117]).
inline constexpr uint64_t kLutPerXnorPopcountMac = 5;
// ch. 3.4.3, type 2 (float activations): one Xilinx Floating-Point 7.1 single-precision adder
// per MAC (the multiply by +-1 is a sign flip); with full DSP usage the adder takes 2 DSP
// slices (Xilinx PG060, Floating-Point Operator v7.1, resource table for UltraScale).
inline constexpr uint64_t kDspPerFloatAdder = 2;
// "if 70% of the LUTs or 100% of the DSPs are used" (ch. 3.4.3, footnote 2 of ch. 3.4.4).
inline constexpr double kComputeLutShare = 0.70;
inline constexpr double kComputeDspShare = 1.00;
// Operations per multiply-accumulate when throughput is quoted in OPs (a multiply and an add:
// 0.7 x 663,360 LUT / 5 x 2 x 250 MHz = 46.4 TOPs, ch. 3.4.3).
inline constexpr uint64_t kOpsPerMac = 2;

// DSP slices of a w_a x w_b bit product: tiles of the slice's signed multiplier, 27 x 18 on
// DSP48E2 (UltraScale, UltraScale+; UG579) and 25 x 18 on DSP48E1 (7 series; UG479), one bit of
// each operand's width lost to the sign for unsigned operands.
uint64_t dsp_tiles(int a_bits, int b_bits, bool is_signed, const std::string& family);
// Vivado HLS's MVTU (FINN) iterates `numReps x NF x SF` times with the repetition count a
// run-time 32-bit argument: one 32 x 32-bit unsigned product, 2 x 2 DSP tiles on either slice.
// Counted in the HLS-estimate flow only (docs/resources.md).
inline constexpr int kHlsTripCountBits = 32;
// Width of the sub-dot product a SYQ MAC tree accumulates (one row or pixel subgroup, before
// the scaling multiplier); accumulator_bits for a layer without factors.
int syq_sub_accumulator_bits(const LayerConfig& l);

}  // namespace qsim::cost
