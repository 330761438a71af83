// The golden reference's conv and fc arithmetic as im2col and a plain integer matrix product:
// every output's dot product of its weight row with the input window it reads, in the same
// integers as the nested loops (docs of golden_reference.hpp), laid out so the compiler
// vectorises the inner loop. Nothing of the simulator's kernels is used.
//
// Exactness: when every weight and value fits int16 and no row's sum of |weight| x the largest
// |value| reaches 2^31, the products are summed in int32 (no partial sum can overflow, so the
// result is the int64 sum); otherwise everything is int64.
#pragma once

#include <cstdint>
#include <vector>

#include "models/network/network_config.hpp"

namespace qsim::golden {

// Accumulators of a conv layer, HWC order (channel fastest): out(oy, ox, n) = sum over the
// window of weights[n * fan_in + (ky * K_cols + kx) * Cg + c] * value(iy, ix, g * Cg + c), with
// `pad` for positions outside the input. `weights` holds N rows of fan_in = K * K_cols * Cg.
std::vector<int64_t> conv_accumulators(const LayerConfig& layer, const std::vector<int64_t>& weights,
                                       const std::vector<int32_t>& values, int32_t pad);

// Accumulators of an fc layer: out[n] = sum_s weights[n * fan_in + s] * values[s].
std::vector<int64_t> fc_accumulators(const std::vector<int64_t>& weights, int64_t rows,
                                     const std::vector<int32_t>& values);

}  // namespace qsim::golden
