// Functional kernels of the pooling units.
#pragma once

#include <cstdint>

#include "models/common/types.hpp"

namespace qsim {

// Max over each window: windows holds `pixels` windows of window_area x channels codes
// ((ky, kx, c), c fastest); out receives pixels x channels codes.
void max_pool_windows(const int32_t* windows, int pixels, int window_area, int channels, int32_t* out);

// Sum over each window of the values (decode_value of codes in `e`): avgpool, the 1/K^2 left to
// the next layer.
void sum_pool_windows(const int32_t* windows, int pixels, int window_area, int channels, Encoding e, int32_t* out);

// Folds one feature-map row (width x channels) into the running per-channel maximum.
void global_max_accumulate(const int32_t* row, int width, int channels, int32_t* running_max);
// Adds one feature-map row's values (decode_value of codes in `e`) to the running per-channel sum.
void global_sum_accumulate(const int32_t* row, int width, int channels, Encoding e, int32_t* running_sum);

}  // namespace qsim
