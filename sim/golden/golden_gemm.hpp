// The golden reference's conv and fc arithmetic as im2col and a plain integer matrix product:
// every output's dot product of its weight row with the input window it reads, in the same
// integers as the nested loops (docs of golden_reference.hpp), laid out so the compiler
// vectorises the inner loop. Nothing of the simulator's kernels is used.
//
// Exactness: when every weight and value fits int16 and no row's sum of |weight| x the largest
// |value| reaches 2^31, the products are summed in int32 (no partial sum can overflow, so the
// result is the int64 sum); otherwise everything is int64.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "models/network/network_config.hpp"

// The golden reference's hot loops are compiled for AVX-512 and AVX2 beside the baseline, the
// one the machine runs chosen at load time.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define QSIM_GOLDEN_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define QSIM_GOLDEN_CLONES
#endif

namespace qsim::golden {

// A weight matrix of `rows` rows of `len` weights, in the form the matrix product reads: as
// int16 when every weight fits, else as int64; rows zero-padded to stride() (a multiple of 16)
// and stored in blocks of kBlock weights of every row (block b: row n's weights b * kBlock ..
// at offset(n, b * kBlock)), so that one block of all rows is read in one sequential sweep.
// It depends on the weights alone, so a layer builds it once and uses it for every frame.
class WeightMatrix {
public:
    static constexpr int64_t kBlock = 512;

    WeightMatrix() = default;
    // row_of(n, row) writes the len weights of row n to row[0 .. len-1].
    WeightMatrix(int64_t rows, int64_t len, const std::function<void(int64_t, int64_t*)>& row_of);
    // weights[n * len + s], len = weights.size() / rows.
    WeightMatrix(const std::vector<int64_t>& weights, int64_t rows);

    int64_t rows() const { return rows_; }
    int64_t len() const { return len_; }
    int64_t stride() const { return stride_; }
    // Where weight s of row n is stored.
    int64_t offset(int64_t n, int64_t s) const {
        const int64_t b = s / kBlock * kBlock;
        return b * rows_ + n * std::min(kBlock, stride_ - b) + (s - b);
    }
    // Whether values of largest magnitude `largest_value` can be summed in int32 (see above).
    bool narrow_for(int64_t largest_value) const;
    bool stored_narrow() const { return !w16_.empty(); }
    const int16_t* narrow() const { return w16_.data(); }
    const int64_t* wide() const { return w64_.data(); }

private:
    int64_t rows_ = 0, len_ = 0, stride_ = 0;
    int64_t largest_row_sum_ = 0;  // the largest sum of |weight| over a row
    std::vector<int16_t> w16_;     // rows_ x stride_, when every weight fits int16
    std::vector<int64_t> w64_;     // rows_ x stride_, otherwise
};

// The accumulators of a run of output positions: acc[(p - first) * channels + n] for the
// positions first .. first + count - 1, channel n fastest.
using AccumulatorSink = std::function<void(int64_t first, int64_t count, const int64_t* acc)>;

// Accumulators of a conv layer, HWC order (channel fastest): out(oy, ox, n) = sum over the
// window of weights[n * fan_in + (ky * K_cols + kx) * Cg + c] * value(iy, ix, g * Cg + c), with
// `pad` for positions outside the input. `weights` holds N rows of fan_in = K * K_cols * Cg.
// Given to `sink` in runs of whole output positions, in order.
void conv_accumulators(const LayerConfig& layer, const WeightMatrix& weights, const std::vector<int32_t>& values,
                       int32_t pad, const AccumulatorSink& sink);
std::vector<int64_t> conv_accumulators(const LayerConfig& layer, const std::vector<int64_t>& weights,
                                       const std::vector<int32_t>& values, int32_t pad);

// Accumulators of an fc layer: out[n] = sum_s weights[n * fan_in + s] * values[s].
std::vector<int64_t> fc_accumulators(const WeightMatrix& weights, const std::vector<int32_t>& values);
std::vector<int64_t> fc_accumulators(const std::vector<int64_t>& weights, int64_t rows,
                                     const std::vector<int32_t>& values);

}  // namespace qsim::golden
