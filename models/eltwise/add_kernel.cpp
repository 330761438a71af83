#include "models/eltwise/add_kernel.hpp"

namespace qsim {

void add_values(const int32_t* a, Encoding ea, const int32_t* b, Encoding eb, int64_t n, int32_t* out) {
    for (int64_t i = 0; i < n; ++i) out[i] = decode_value(a[i], ea) + decode_value(b[i], eb);
}

void add_row(const int32_t* a, Encoding ea, const int32_t* b, Encoding eb, int pixels, int channels,
             const ThresholdUnit* thresholds, std::vector<int64_t>& sums, int32_t* out) {
    const int64_t n = int64_t(pixels) * channels;
    if (thresholds == nullptr) {
        add_values(a, ea, b, eb, n, out);
        return;
    }
    sums.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) sums[size_t(i)] = int64_t(decode_value(a[i], ea)) + decode_value(b[i], eb);
    for (int p = 0; p < pixels; ++p)
        thresholds->apply(sums.data() + int64_t(p) * channels, 0, channels, out + int64_t(p) * channels);
}

}  // namespace qsim
