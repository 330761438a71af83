// Functional kernel of the element-wise adder (the join of a residual block, FINN's
// AddStreams): each output code is the sum of the two inputs' values at that position.
#pragma once

#include <cstdint>
#include <vector>

#include "models/common/types.hpp"
#include "models/mvtu/threshold_kernel.hpp"

namespace qsim {

// out[i] = value(a[i], ea) + value(b[i], eb) for i < n (value: decode_value; a Bipolar code c
// stands for 2c - 1). The sum is the output code (unsigned or signed, the layer's out_bits).
void add_values(const int32_t* a, Encoding ea, const int32_t* b, Encoding eb, int64_t n, int32_t* out);

// A row of `pixels` x `channels` values summed, then, with `thresholds` (an add layer with an
// activation), each sum through channel c's thresholds into its output code. `sums` is
// scratch space the caller keeps.
void add_row(const int32_t* a, Encoding ea, const int32_t* b, Encoding eb, int pixels, int channels,
             const ThresholdUnit* thresholds, std::vector<int64_t>& sums, int32_t* out);

}  // namespace qsim
