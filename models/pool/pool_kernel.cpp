#include "models/pool/pool_kernel.hpp"

#include <algorithm>

namespace qsim {

void max_pool_windows(const int32_t* windows, int pixels, int window_area, int channels, int32_t* out) {
    for (int p = 0; p < pixels; ++p, out += channels) {
        std::copy_n(windows, channels, out);
        windows += channels;
        for (int k = 1; k < window_area; ++k, windows += channels)
            for (int c = 0; c < channels; ++c) out[c] = std::max(out[c], windows[c]);
    }
}

void global_max_accumulate(const int32_t* row, int width, int channels, int32_t* running_max) {
    for (int x = 0; x < width; ++x, row += channels)
        for (int c = 0; c < channels; ++c) running_max[c] = std::max(running_max[c], row[c]);
}

void global_sum_accumulate(const int32_t* row, int width, int channels, Encoding e, int32_t* running_sum) {
    for (int x = 0; x < width; ++x, row += channels)
        for (int c = 0; c < channels; ++c) running_sum[c] += decode_value(row[c], e);
}

void sum_pool_windows(const int32_t* windows, int pixels, int window_area, int channels, Encoding e, int32_t* out) {
    for (int p = 0; p < pixels; ++p) {
        const int32_t* w = windows + size_t(p) * size_t(window_area) * size_t(channels);
        int32_t* o = out + size_t(p) * size_t(channels);
        for (int c = 0; c < channels; ++c) o[c] = 0;
        for (int k = 0; k < window_area; ++k)
            for (int c = 0; c < channels; ++c) o[c] += decode_value(w[size_t(k) * size_t(channels) + size_t(c)], e);
    }
}

}  // namespace qsim
