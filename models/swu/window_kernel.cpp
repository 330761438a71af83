#include "models/swu/window_kernel.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace qsim {

int32_t swu_pad_code(const LayerConfig& layer) {
    return layer.type == LayerType::MaxPool ? std::numeric_limits<int32_t>::min() : 0;
}

int swu_first_input_row(const LayerConfig& layer, int out_row) {
    return out_row * layer.stride - layer.pad_begin;
}

namespace {

// Copies n codes. A window's taps are often a handful of codes (a few channels): a library
// call for each cost more than the copy, so short runs are copied 4 codes at a time inline.
inline void copy_codes(const int32_t* src, size_t n, int32_t* dst) {
    if (n > 32) {
        std::copy_n(src, n, dst);
        return;
    }
    for (; n >= 4; n -= 4, src += 4, dst += 4) std::memcpy(dst, src, 4 * sizeof(int32_t));
    for (; n > 0; --n) *dst++ = *src++;
}

}  // namespace

void build_window_row(const LayerConfig& layer, const int32_t* const* rows, int32_t* out) {
    const int K = layer.kernel, KW = layer.kernel_cols();
    const int C = layer.in.channels;
    const int W = layer.in.width;
    const int32_t pad = swu_pad_code(layer);
    for (int ox = 0; ox < layer.out.width; ++ox) {
        const int x0 = ox * layer.col_stride() - layer.col_pad_begin();
        const bool inside = x0 >= 0 && x0 + KW <= W;  // the KW taps of a row lie side by side
        for (int ky = 0; ky < K; ++ky) {
            const int32_t* row = rows[ky];
            if (inside && row != nullptr) {
                copy_codes(row + size_t(x0) * C, size_t(KW) * C, out);
                out += size_t(KW) * C;
                continue;
            }
            for (int kx = 0; kx < KW; ++kx, out += C) {
                const int ix = x0 + kx;
                if (row == nullptr || ix < 0 || ix >= W)
                    std::fill_n(out, C, pad);
                else
                    copy_codes(row + size_t(ix) * C, size_t(C), out);
            }
        }
    }
}

}  // namespace qsim
