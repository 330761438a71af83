#include "sim/golden/golden_gemm.hpp"

#include <algorithm>
#include <limits>

namespace qsim::golden {
namespace {

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define QSIM_GOLDEN_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define QSIM_GOLDEN_CLONES
#endif

// out[p * rows + j] = sum_s w[j * len + s] * x[p * len + s], four columns at a time so that
// each weight row is read once for four windows.
template <typename W, typename X, typename Acc>
inline void gemm(const W* w, int64_t rows, const X* x, int64_t cols, int64_t len, int64_t* out) {
    int64_t p = 0;
    for (; p + 4 <= cols; p += 4) {
        const X* x0 = x + p * len;
        const X* x1 = x0 + len;
        const X* x2 = x1 + len;
        const X* x3 = x2 + len;
        for (int64_t j = 0; j < rows; ++j) {
            const W* wj = w + j * len;
            Acc a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (int64_t s = 0; s < len; ++s) {
                const Acc v = wj[s];
                a0 += v * Acc(x0[s]);
                a1 += v * Acc(x1[s]);
                a2 += v * Acc(x2[s]);
                a3 += v * Acc(x3[s]);
            }
            out[(p + 0) * rows + j] = a0;
            out[(p + 1) * rows + j] = a1;
            out[(p + 2) * rows + j] = a2;
            out[(p + 3) * rows + j] = a3;
        }
    }
    for (; p < cols; ++p) {
        const X* xp = x + p * len;
        for (int64_t j = 0; j < rows; ++j) {
            const W* wj = w + j * len;
            Acc a = 0;
            for (int64_t s = 0; s < len; ++s) a += Acc(wj[s]) * Acc(xp[s]);
            out[p * rows + j] = a;
        }
    }
}

QSIM_GOLDEN_CLONES
void gemm_narrow(const int16_t* w, int64_t rows, const int16_t* x, int64_t cols, int64_t len, int64_t* out) {
    gemm<int16_t, int16_t, int32_t>(w, rows, x, cols, len, out);
}

QSIM_GOLDEN_CLONES
void gemm_wide(const int64_t* w, int64_t rows, const int64_t* x, int64_t cols, int64_t len, int64_t* out) {
    gemm<int64_t, int64_t, int64_t>(w, rows, x, cols, len, out);
}

int64_t magnitude(int64_t v) { return v < 0 ? -v : v; }

// The weights and values as int16 with int32 sums, when that is exact (see the header).
bool fits_narrow(const std::vector<int64_t>& w, int64_t rows, int64_t largest_value) {
    const int64_t lim16 = std::numeric_limits<int16_t>::max();
    if (largest_value > lim16 || rows <= 0) return false;
    const int64_t len = int64_t(w.size()) / rows;
    for (int64_t j = 0; j < rows; ++j) {
        int64_t sum = 0;
        for (int64_t s = 0; s < len; ++s) {
            const int64_t m = magnitude(w[size_t(j * len + s)]);
            if (m > lim16) return false;
            sum += m;
        }
        if (largest_value != 0 && sum > std::numeric_limits<int32_t>::max() / largest_value) return false;
    }
    return true;
}

// Matrix products in the narrow or the wide form; the columns are built by `column(p, dst)`.
struct Product {
    bool narrow = false;
    int64_t rows = 0, len = 0;
    std::vector<int16_t> w16, x16;
    std::vector<int64_t> w64, x64;

    Product(const int64_t* w, int64_t rows_, int64_t len_, bool narrow_) : narrow(narrow_), rows(rows_), len(len_) {
        if (narrow)
            w16.assign(w, w + rows * len);
        else
            w64.assign(w, w + rows * len);
    }
    // Room for `cols` columns; the caller writes column p's values with set(p, s, v).
    void columns(int64_t cols) {
        if (narrow)
            x16.assign(size_t(cols * len), 0);
        else
            x64.assign(size_t(cols * len), 0);
    }
    void set(int64_t p, int64_t s, int32_t v) {
        if (narrow)
            x16[size_t(p * len + s)] = int16_t(v);
        else
            x64[size_t(p * len + s)] = v;
    }
    void run(int64_t cols, int64_t* out) const {
        if (narrow)
            gemm_narrow(w16.data(), rows, x16.data(), cols, len, out);
        else
            gemm_wide(w64.data(), rows, x64.data(), cols, len, out);
    }
};

int64_t largest_magnitude(const std::vector<int32_t>& values, int32_t also) {
    int64_t m = magnitude(also);
    for (int32_t v : values) m = std::max(m, magnitude(v));
    return m;
}

}  // namespace

std::vector<int64_t> conv_accumulators(const LayerConfig& layer, const std::vector<int64_t>& weights,
                                       const std::vector<int32_t>& values, int32_t pad) {
    const int in_h = layer.in.height, in_w = layer.in.width, in_c = layer.in.channels;
    const int out_h = layer.out.height, out_w = layer.out.width, out_c = layer.out.channels;
    const int k = layer.kernel, kw = layer.kernel_cols();
    const int cg = in_c / layer.groups, ng = out_c / layer.groups;
    const int64_t fan_in = int64_t(k) * kw * cg;
    const bool narrow = fits_narrow(weights, out_c, largest_magnitude(values, pad));
    std::vector<int64_t> acc(size_t(out_h) * out_w * out_c);
    std::vector<int64_t> tile(size_t(out_w) * ng);
    for (int g = 0; g < layer.groups; ++g) {
        Product product(weights.data() + size_t(g) * ng * fan_in, ng, fan_in, narrow);
        product.columns(out_w);
        for (int oy = 0; oy < out_h; ++oy) {
            // im2col: one column per output pixel of the row, the window in (ky, kx, c) order.
            for (int ox = 0; ox < out_w; ++ox) {
                int64_t s = 0;
                for (int ky = 0; ky < k; ++ky) {
                    const int iy = oy * layer.stride - layer.pad_begin + ky;
                    for (int kx = 0; kx < kw; ++kx) {
                        const int ix = ox * layer.col_stride() - layer.col_pad_begin() + kx;
                        const bool inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
                        const int32_t* src = inside ? values.data() + (size_t(iy) * in_w + ix) * in_c + size_t(g) * cg : nullptr;
                        for (int c = 0; c < cg; ++c, ++s) product.set(ox, s, inside ? src[c] : pad);
                    }
                }
            }
            product.run(out_w, tile.data());
            for (int ox = 0; ox < out_w; ++ox)
                std::copy(tile.begin() + int64_t(ox) * ng, tile.begin() + int64_t(ox + 1) * ng,
                          acc.begin() + (int64_t(oy) * out_w + ox) * out_c + int64_t(g) * ng);
        }
    }
    return acc;
}

std::vector<int64_t> fc_accumulators(const std::vector<int64_t>& weights, int64_t rows,
                                     const std::vector<int32_t>& values) {
    const int64_t len = int64_t(values.size());
    Product product(weights.data(), rows, len, fits_narrow(weights, rows, largest_magnitude(values, 0)));
    product.columns(1);
    for (int64_t s = 0; s < len; ++s) product.set(0, s, values[size_t(s)]);
    std::vector<int64_t> acc(static_cast<size_t>(rows), 0);
    product.run(1, acc.data());
    return acc;
}

}  // namespace qsim::golden
