#include "sim/golden/golden_gemm.hpp"

#include <limits>
#include <memory>

namespace qsim::golden {
namespace {

constexpr int64_t kAlign = 16;                     // rows and columns padded to a multiple of this
constexpr int64_t kChunkBytes = int64_t(1) << 19;  // im2col columns built at once (about half an L2)
constexpr int64_t kPanel = 32;                     // columns whose block of values stays in L1
constexpr int64_t kBlock = WeightMatrix::kBlock;

// out[p * ldo + j] += sum_{s < len} w[j * len + s] * x[p * ldx + s] for j < rows, p < cols: two
// weight rows by four columns at a time, so that every value loaded is used in several sums.
template <typename T, typename Acc>
inline void gemm_block(const T* w, int64_t rows, const T* x, int64_t ldx, int64_t cols, int64_t len, Acc* out,
                       int64_t ldo) {
    int64_t j = 0;
    for (; j + 2 <= rows; j += 2) {
        const T* w0 = w + j * len;
        const T* w1 = w0 + len;
        int64_t p = 0;
        for (; p + 4 <= cols; p += 4) {
            const T* x0 = x + p * ldx;
            const T* x1 = x0 + ldx;
            const T* x2 = x1 + ldx;
            const T* x3 = x2 + ldx;
            Acc a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
            for (int64_t s = 0; s < len; ++s) {
                const Acc v0 = w0[s], v1 = w1[s];
                const Acc y0 = x0[s], y1 = x1[s], y2 = x2[s], y3 = x3[s];
                a00 += v0 * y0;
                a01 += v0 * y1;
                a02 += v0 * y2;
                a03 += v0 * y3;
                a10 += v1 * y0;
                a11 += v1 * y1;
                a12 += v1 * y2;
                a13 += v1 * y3;
            }
            Acc* o = out + p * ldo + j;
            o[0] += a00, o[1] += a10;
            o[ldo] += a01, o[ldo + 1] += a11;
            o[2 * ldo] += a02, o[2 * ldo + 1] += a12;
            o[3 * ldo] += a03, o[3 * ldo + 1] += a13;
        }
        for (; p < cols; ++p) {
            const T* xp = x + p * ldx;
            Acc a0 = 0, a1 = 0;
            for (int64_t s = 0; s < len; ++s) {
                a0 += Acc(w0[s]) * Acc(xp[s]);
                a1 += Acc(w1[s]) * Acc(xp[s]);
            }
            out[p * ldo + j] += a0;
            out[p * ldo + j + 1] += a1;
        }
    }
    if (j < rows) {
        const T* wj = w + j * len;
        for (int64_t p = 0; p < cols; ++p) {
            const T* xp = x + p * ldx;
            Acc a = 0;
            for (int64_t s = 0; s < len; ++s) a += Acc(wj[s]) * Acc(xp[s]);
            out[p * ldo + j] += a;
        }
    }
}

// out[p * ldo + j] += the dot product of row first + j of the blocked matrix w (total rows,
// rows padded to ld) with column p of x (ld values each), for j < rows, p < cols: in panels of
// columns whose block of values is read again from L1 for every pair of rows.
template <typename T, typename Acc>
inline void gemm(const T* w, int64_t total, int64_t first, int64_t rows, const T* x, int64_t cols, int64_t ld,
                 Acc* out, int64_t ldo) {
    for (int64_t p = 0; p < cols; p += kPanel)
        for (int64_t s = 0; s < ld; s += kBlock) {
            const int64_t len = std::min(kBlock, ld - s);
            gemm_block<T, Acc>(w + s * total + first * len, rows, x + p * ld + s, ld, std::min(kPanel, cols - p), len,
                               out + p * ldo, ldo);
        }
}

// Sums in int32 are exact when narrow (see the header); a partial sum is bounded as the whole.
QSIM_GOLDEN_CLONES
void gemm_narrow(const int16_t* w, int64_t total, int64_t first, int64_t rows, const int16_t* x, int64_t cols,
                 int64_t ld, int32_t* out, int64_t ldo) {
    gemm<int16_t, int32_t>(w, total, first, rows, x, cols, ld, out, ldo);
}

QSIM_GOLDEN_CLONES
void gemm_wide(const int64_t* w, int64_t total, int64_t first, int64_t rows, const int64_t* x, int64_t cols,
               int64_t ld, int64_t* out, int64_t ldo) {
    gemm<int64_t, int64_t>(w, total, first, rows, x, cols, ld, out, ldo);
}

int64_t magnitude(int64_t v) { return v < 0 ? -v : v; }

int64_t largest_magnitude(const std::vector<int32_t>& values, int32_t also) {
    int64_t m = magnitude(also);
    for (int32_t v : values) m = std::max(m, magnitude(v));
    return m;
}

// The weights in the form one product reads: the matrix's own, or its int16 weights widened.
struct Weights {
    bool narrow = false;
    const WeightMatrix& m;
    const int64_t* w64 = nullptr;
    std::vector<int64_t> widened;

    Weights(const WeightMatrix& m_, bool narrow_) : narrow(narrow_), m(m_) {
        if (narrow) return;
        if (!m.stored_narrow()) {
            w64 = m.wide();
            return;
        }
        widened.assign(m.narrow(), m.narrow() + m.rows() * m.stride());
        w64 = widened.data();
    }
    template <typename Acc>
    void product(int64_t first, int64_t rows, const void* x, int64_t cols, Acc* out, int64_t ldo) const {
        if constexpr (sizeof(Acc) == sizeof(int32_t))
            gemm_narrow(m.narrow(), m.rows(), first, rows, static_cast<const int16_t*>(x), cols, m.stride(), out, ldo);
        else
            gemm_wide(w64, m.rows(), first, rows, static_cast<const int64_t*>(x), cols, m.stride(), out, ldo);
    }
};

// One im2col column per output position first .. first + count - 1 of group g: the window in
// (ky, kx, c) order, `pad` outside the input, zeros from fan_in to ld.
template <typename T>
void im2col(const LayerConfig& layer, const int32_t* values, int g, int32_t pad, int64_t first, int64_t count,
            int64_t ld, T* x) {
    const int in_h = layer.in.height, in_w = layer.in.width, in_c = layer.in.channels, out_w = layer.out.width;
    const int k = layer.kernel, kw = layer.kernel_cols(), cg = in_c / layer.groups;
    for (int64_t q = 0; q < count; ++q) {
        const int oy = int((first + q) / out_w), ox = int((first + q) % out_w);
        T* dst = x + q * ld;
        for (int ky = 0; ky < k; ++ky) {
            const int iy = oy * layer.stride - layer.pad_begin + ky;
            for (int kx = 0; kx < kw; ++kx, dst += cg) {
                const int ix = ox * layer.col_stride() - layer.col_pad_begin() + kx;
                if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
                    const int32_t* src = values + (int64_t(iy) * in_w + ix) * in_c + int64_t(g) * cg;
                    for (int c = 0; c < cg; ++c) dst[c] = T(src[c]);
                } else {
                    std::fill(dst, dst + cg, T(pad));
                }
            }
        }
        std::fill(dst, x + (q + 1) * ld, T(0));
    }
}

// The conv's accumulators in chunks of output positions: im2col of a chunk, then its product
// with every group's rows, summed in Acc from values of type T.
template <typename T, typename Acc>
void conv_in_chunks(const LayerConfig& layer, const Weights& w, const std::vector<int32_t>& values, int32_t pad,
                    const AccumulatorSink& sink) {
    const int64_t positions = int64_t(layer.out.height) * layer.out.width;
    const int64_t out_c = layer.out.channels, ng = out_c / layer.groups, ld = w.m.stride();
    const int64_t fit = kChunkBytes / (ld * int64_t(sizeof(T)));
    const int64_t chunk = std::min(positions, std::max(kPanel, fit / kPanel * kPanel));
    const std::unique_ptr<T[]> x(new T[size_t(chunk * ld)]);
    std::vector<Acc> sums(size_t(chunk * out_c));
    std::vector<int64_t> acc(sizeof(Acc) == sizeof(int64_t) ? 0 : size_t(chunk * out_c));
    for (int64_t first = 0; first < positions; first += chunk) {
        const int64_t count = std::min(chunk, positions - first);
        std::fill(sums.begin(), sums.end(), Acc(0));
        for (int g = 0; g < layer.groups; ++g) {
            im2col(layer, values.data(), g, pad, first, count, ld, x.get());
            w.product(g * ng, ng, x.get(), count, sums.data() + g * ng, out_c);
        }
        if constexpr (sizeof(Acc) == sizeof(int64_t)) {
            sink(first, count, sums.data());
        } else {
            std::copy(sums.begin(), sums.begin() + count * out_c, acc.begin());
            sink(first, count, acc.data());
        }
    }
}

}  // namespace

WeightMatrix::WeightMatrix(int64_t rows, int64_t len, const std::function<void(int64_t, int64_t*)>& row_of)
    : rows_(rows), len_(len), stride_((std::max<int64_t>(len, 1) + kAlign - 1) / kAlign * kAlign) {
    const int64_t lim16 = std::numeric_limits<int16_t>::max();
    std::vector<int64_t> row(size_t(stride_), 0);
    bool fits16 = true;
    for (int64_t n = 0; n < rows; ++n) {
        row_of(n, row.data());
        int64_t sum = 0;
        for (int64_t s = 0; s < len; ++s) {
            const int64_t m = magnitude(row[size_t(s)]);
            fits16 = fits16 && m <= lim16;
            sum += m;
        }
        largest_row_sum_ = std::max(largest_row_sum_, sum);
    }
    const auto fill = [&](auto& w) {
        w.assign(size_t(rows * stride_), 0);
        for (int64_t n = 0; n < rows; ++n) {
            row_of(n, row.data());
            for (int64_t s = 0; s < len; ++s) w[size_t(offset(n, s))] = row[size_t(s)];
        }
    };
    if (fits16)
        fill(w16_);
    else
        fill(w64_);
}

WeightMatrix::WeightMatrix(const std::vector<int64_t>& weights, int64_t rows)
    : WeightMatrix(rows, rows > 0 ? int64_t(weights.size()) / rows : 0, [&](int64_t n, int64_t* row) {
          const int64_t len = int64_t(weights.size()) / rows;
          std::copy(weights.begin() + n * len, weights.begin() + (n + 1) * len, row);
      }) {}

bool WeightMatrix::narrow_for(int64_t largest_value) const {
    if (!stored_narrow() || rows_ <= 0 || largest_value > std::numeric_limits<int16_t>::max()) return false;
    return largest_value == 0 || largest_row_sum_ <= std::numeric_limits<int32_t>::max() / largest_value;
}

void conv_accumulators(const LayerConfig& layer, const WeightMatrix& weights, const std::vector<int32_t>& values,
                       int32_t pad, const AccumulatorSink& sink) {
    const Weights w(weights, weights.narrow_for(largest_magnitude(values, pad)));
    if (w.narrow)
        conv_in_chunks<int16_t, int32_t>(layer, w, values, pad, sink);
    else
        conv_in_chunks<int64_t, int64_t>(layer, w, values, pad, sink);
}

std::vector<int64_t> conv_accumulators(const LayerConfig& layer, const std::vector<int64_t>& weights,
                                       const std::vector<int32_t>& values, int32_t pad) {
    const int64_t out_c = layer.out.channels;
    std::vector<int64_t> acc(size_t(int64_t(layer.out.height) * layer.out.width * out_c));
    conv_accumulators(layer, WeightMatrix(weights, out_c), values, pad,
                      [&](int64_t first, int64_t count, const int64_t* a) {
                          std::copy(a, a + count * out_c, acc.begin() + first * out_c);
                      });
    return acc;
}

std::vector<int64_t> fc_accumulators(const WeightMatrix& weights, const std::vector<int32_t>& values) {
    const Weights w(weights, weights.narrow_for(largest_magnitude(values, 0)));
    std::vector<int64_t> acc(size_t(weights.rows()), 0);
    if (w.narrow) {
        std::vector<int16_t> x(size_t(weights.stride()), 0);
        std::copy(values.begin(), values.end(), x.begin());
        std::vector<int32_t> sums(acc.size(), 0);
        w.product(0, weights.rows(), x.data(), 1, sums.data(), 1);
        std::copy(sums.begin(), sums.end(), acc.begin());
    } else {
        std::vector<int64_t> x(size_t(weights.stride()), 0);
        std::copy(values.begin(), values.end(), x.begin());
        w.product(0, weights.rows(), x.data(), 1, acc.data(), 1);
    }
    return acc;
}

std::vector<int64_t> fc_accumulators(const std::vector<int64_t>& weights, int64_t rows,
                                     const std::vector<int32_t>& values) {
    return fc_accumulators(WeightMatrix(weights, rows), values);
}

}  // namespace qsim::golden
