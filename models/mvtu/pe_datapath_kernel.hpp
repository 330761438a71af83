// Bit-true functional kernels of the three PE datapaths (ch. 4.6.2, Fig. 4.5; ch. 3.4.2).
// Each computes the dot products of one input vector (fan_in codes) with the weights of
// a set of output channels. `load_input` models the PE input buffer (the vector is loaded
// once and reused across the neuron folds); `dot(n)` is the accumulator of channel n.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/common/types.hpp"
#include "models/mvtu/weight_memory.hpp"

namespace qsim {

class PeDatapath {
public:
    virtual ~PeDatapath() = default;
    virtual void load_input(const int32_t* codes) = 0;
    virtual int64_t dot(int n) const = 0;
    // dot(first + i) into acc[i] for i in [0, count): one call for a run of channels.
    virtual void dots(int first, int count, int64_t* acc) const;
};

// Builds the datapath a layer uses, reading its weights out of the PE weight memories.
std::unique_ptr<PeDatapath> make_pe_datapath(Datapath kind, Encoding input, int input_bits,
                                             const WeightMemory& memory);

// Where the processor has AVX-512 (VPOPCNTQ, and BW for 16-bit multiply-adds), checked at run
// time, the ADD/SUB and MAC datapaths use it; elsewhere (and under Valgrind, which hides it)
// they run the same arithmetic in scalar or SSE code. Results are the same either way;
// allow_simd_kernels(false) makes datapaths built afterwards take the portable path (tests).
void allow_simd_kernels(bool allowed);
// Whether a kernel built now may use AVX-512 F (allowed, and the processor has it).
bool avx512_kernels_enabled();
// Whether a kernel built now may use AVX2 (allowed, and the processor has it): where AVX-512 is
// missing, the binary ADD/SUB popcounts and the threshold counts use it.
bool avx2_kernels_enabled();

// XNOR-popcount (FINN): binary weights and bipolar activations as bits (1 = +1).
// acc = 2 * popcount(XNOR(w, x)) - fan_in.
class XnorPopcountDatapath : public PeDatapath {
public:
    explicit XnorPopcountDatapath(const WeightMemory& memory);
    void load_input(const int32_t* codes) override;
    int64_t dot(int n) const override;
    void dots(int first, int count, int64_t* acc) const override;

private:
    int64_t fan_in_;
    size_t words_;
    uint64_t tail_mask_;
    std::vector<uint64_t> weights_;  // channels x words
    std::vector<uint64_t> input_;
    bool split_simd_ = false;        // load_input splits the codes with AVX-512 BW
    bool split_avx2_ = false;        // else with AVX2
};

// ADD/SUB by weight sign (Fig. 4.5): binary or ternary weights, k-bit activations.
// The activations are split into bit planes; each plane adds the inputs where w = +1 and
// subtracts them where w = -1, scaled by the plane's weight.
// With binary weights (no zero) a plane's subtracted part is popcount(plane) minus its added
// part, so only the added part is counted per channel.
class AddSubDatapath : public PeDatapath {
public:
    // The AVX-512 or AVX2 block kernel that also forms the 8 dot products (see block_dots).
    using BlockDotsFn = void (*)(const uint64_t* x, const uint64_t* w, size_t words, const int64_t* base,
                                 const int64_t* weight, const int64_t* count, int64_t* out);

    AddSubDatapath(const WeightMemory& memory, Encoding input, int input_bits);
    void load_input(const int32_t* codes) override;
    int64_t dot(int n) const override;
    void dots(int first, int count, int64_t* acc) const override;

private:
    int64_t fan_in_;
    size_t words_;
    int planes_;
    bool has_zero_;                  // some weight is 0 (ternary): count both signs
    std::vector<int64_t> plane_weight_;
    int64_t offset_;                 // value = offset + sum_j plane_weight_j * bit_j
    std::vector<uint64_t> positive_;  // channels x words, bit set where w = +1 (binary: only > 8 planes)
    std::vector<uint64_t> negative_;  // channels x words, bit set where w = -1 (not for binary)
    std::vector<int64_t> weight_sum_; // sum of weights per channel
    std::vector<uint64_t> input_;     // words x planes (plane fastest)
    std::vector<int64_t> plane_count_;  // popcount of each input plane
    // Binary weights, at most 8 planes: the dot products of 8 channels at a time (their words
    // side by side, lane fastest), computed at the first dot() of the 8 for each input.
    void block_dots(size_t block) const;
    std::vector<uint64_t> blocked_;             // blocks x words x 8
    mutable std::vector<int64_t> dots_;
    mutable std::vector<uint64_t> dots_input_;  // per block: the input its dots are of
    uint64_t input_id_ = 0;
    bool simd_ = false;
    bool avx2_ = false;        // without AVX-512, AVX2 (fused_ only)
    bool split_simd_ = false;  // load_input splits the codes with AVX-512 BW
    bool split_avx2_ = false;  // else with AVX2
    BlockDotsFn fused_ = nullptr;       // set where simd_ or avx2_ and the terms fit int32
    std::vector<int64_t> block_base_;   // with fused_: offset * weight sum per channel, 0 past the last
};

// Multiply-accumulate (DSP slices): multi-bit weights times activation values. Vectors whose
// values all fit 16 bits (every case but wide raw inputs) are multiplied as int16 pairs (the
// int8 weights widened as they are loaded), the form that maps to packed multiply-adds; the
// int32 sum is the same in any order.
class MacDatapath : public PeDatapath {
public:
    MacDatapath(const WeightMemory& memory, Encoding input);
    void load_input(const int32_t* codes) override;
    int64_t dot(int n) const override;
    void dots(int first, int count, int64_t* acc) const override;

private:
    int64_t fan_in_;
    Encoding encoding_;
    // Channel n's fan_in weights (at most 8 bits) at rows_[n]: in the weight memory itself when
    // it stores them as bytes (the memory must outlive the datapath), else in owned_.
    std::vector<const int8_t*> rows_;
    std::vector<int8_t> owned_;
    std::vector<int32_t> weights_;    // the same as int32, made for the first input wider than 16 bits
    std::vector<int32_t> input_;
    std::vector<int16_t> input16_;
    bool narrow_ = false;             // the loaded input fits int16
    bool simd_ = false;               // AVX-512 BW
    bool avx2_ = false;               // else AVX2
};

}  // namespace qsim
