// Functional kernels of the pooling units.
#pragma once

#include <cstdint>

namespace qsim {

// Max over each window: windows holds `pixels` windows of window_area x channels codes
// ((ky, kx, c), c fastest); out receives pixels x channels codes.
void max_pool_windows(const int32_t* windows, int pixels, int window_area, int channels, int32_t* out);

// Folds one feature-map row (width x channels) into the running per-channel maximum.
void global_max_accumulate(const int32_t* row, int width, int channels, int32_t* running_max);

}  // namespace qsim
