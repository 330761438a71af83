#include "models/swu/window_kernel.hpp"

#include <algorithm>
#include <limits>

namespace qsim {

int32_t swu_pad_code(const LayerConfig& layer) {
    return layer.type == LayerType::MaxPool ? std::numeric_limits<int32_t>::min() : 0;
}

int swu_first_input_row(const LayerConfig& layer, int out_row) {
    return out_row * layer.stride - layer.pad_begin;
}

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
                std::copy_n(row + size_t(x0) * C, size_t(KW) * C, out);
                out += size_t(KW) * C;
                continue;
            }
            for (int kx = 0; kx < KW; ++kx, out += C) {
                const int ix = x0 + kx;
                if (row == nullptr || ix < 0 || ix >= W)
                    std::fill_n(out, C, pad);
                else
                    std::copy_n(row + size_t(ix) * C, C, out);
            }
        }
    }
}

}  // namespace qsim
