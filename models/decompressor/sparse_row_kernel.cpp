#include "models/decompressor/sparse_row_kernel.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/common/int_math.hpp"
#include "models/mvtu/pe_datapath_avx2.hpp"
#include "models/mvtu/pe_datapath_kernel.hpp"

namespace qsim {

namespace {

inline int64_t popcount(uint64_t x) { return __builtin_popcountll(x); }

// Bit planes of `count` codes (each < 2^planes): out[w * planes + j] bit b = bit j of code 64w + b.
void split_planes_scalar(const int32_t* codes, int64_t count, int planes, uint64_t* out) {
    const int64_t words = (count + 63) / 64;
    for (int64_t w = 0; w < words; ++w) {
        uint64_t p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        const int64_t end = std::min<int64_t>(64, count - 64 * w);
        const int32_t* c = codes + 64 * w;
        for (int64_t b = 0; b < end; ++b) {
            const uint32_t u = uint32_t(c[b]);
            for (int j = 0; j < planes; ++j) p[j] |= uint64_t((u >> j) & 1u) << b;
        }
        for (int j = 0; j < planes; ++j) out[w * planes + j] = p[j];
    }
}

}  // namespace

SparseRowKernel::SparseRowKernel(Encoding encoding, int bits, int64_t fan_in, int channels, Form form)
    : encoding_(encoding), form_(form), fan_in_(fan_in), words_(size_t(ceil_div(uint64_t(fan_in), uint64_t(64)))),
      rows_(size_t(channels)) {
    switch (encoding) {
        case Encoding::Bipolar: planes_ = 1, scale_ = 2, shift_ = -1, bias_ = 0; break;
        case Encoding::Unsigned: planes_ = bits, scale_ = 1, shift_ = 0, bias_ = 0; break;
        case Encoding::Signed:
            planes_ = bits, scale_ = 1;
            bias_ = bits >= 1 && bits <= 8 ? int64_t(1) << (bits - 1) : 0;
            shift_ = -bias_;
            break;
        default: planes_ = 0; break;  // raw accumulators: sparse form only
    }
    if (planes_ < 1 || planes_ > 8) planes_ = 0;
#ifdef QSIM_X86_SIMD
    avx2_ = avx2_kernels_enabled();
#endif
}

void SparseRowKernel::add_row(const DecodedRow& row) {
    if (row.channel < 0 || size_t(row.channel) >= rows_.size())
        throw std::invalid_argument("sparse row kernel: channel " + std::to_string(row.channel) + " out of range");
    Row& r = rows_[size_t(row.channel)];
    for (const auto& e : row.entries) (e.weight > 0 ? r.plus : r.minus).push_back(e.address);
    r.net = int64_t(r.plus.size()) - int64_t(r.minus.size());
    // Cost per input vector: a popcount per plane, sign and word, against a load per entry.
    r.dense = planes_ > 0 && form_ != Form::Sparse &&
              (form_ == Form::Dense || uint64_t(2 * planes_) * words_ < row.entries.size());
    if (r.dense) {
        r.pos.assign(words_, 0);
        r.neg.assign(words_, 0);
        for (uint32_t a : r.plus) r.pos[a / 64] |= uint64_t(1) << (a % 64);
        for (uint32_t a : r.minus) r.neg[a / 64] |= uint64_t(1) << (a % 64);
    }
}

void SparseRowKernel::load_inputs(const int32_t* const* inputs, int pes) {
    inputs_.assign(inputs, inputs + pes);
    planes_ok_ = false;
    if (planes_ == 0) return;
    bool any_dense = false;
    for (const Row& r : rows_) any_dense = any_dense || r.dense;
    if (!any_dense) return;
    const uint32_t limit = uint32_t(1) << planes_;
    biased_.resize(size_t(fan_in_));
    input_planes_.assign(size_t(pes) * words_ * size_t(planes_), 0);
    for (int i = 0; i < pes; ++i) {
        const int32_t* x = inputs[i];
        uint32_t bad = 0;
        for (int64_t s = 0; s < fan_in_; ++s) {
            const int32_t u = int32_t(int64_t(x[s]) + bias_);
            biased_[size_t(s)] = u;
            bad |= uint32_t(u) >= limit;
        }
        if (bad) return;  // codes outside the planes: this pass sums the sparse form
        uint64_t* out = &input_planes_[size_t(i) * words_ * size_t(planes_)];
#ifdef QSIM_X86_SIMD
        if (avx2_) {
            split_planes8_avx2(biased_.data(), fan_in_, planes_, out);
            continue;
        }
#endif
        split_planes_scalar(biased_.data(), fan_in_, planes_, out);
    }
    planes_ok_ = true;
}

void SparseRowKernel::accumulate(int channel, int64_t* acc) const {
    const Row& r = rows_[size_t(channel)];
    if (r.dense && planes_ok_)
        accumulate_dense(r, acc);
    else
        accumulate_sparse(r, acc);
}

void SparseRowKernel::accumulate_sparse(const Row& r, int64_t* acc) const {
    const bool bipolar = encoding_ == Encoding::Bipolar;
    const size_t np = r.plus.size(), nm = r.minus.size();
    const uint32_t* plus = r.plus.data();
    const uint32_t* minus = r.minus.data();
    for (size_t i = 0; i < inputs_.size(); ++i) {
        const int32_t* x = inputs_[i];
        int64_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
        size_t k = 0;
        for (; k + 2 <= np; k += 2) a0 += x[plus[k]], a1 += x[plus[k + 1]];
        if (k < np) a0 += x[plus[k]];
        for (k = 0; k + 2 <= nm; k += 2) b0 += x[minus[k]], b1 += x[minus[k + 1]];
        if (k < nm) b0 += x[minus[k]];
        const int64_t s = (a0 + a1) - (b0 + b1);
        acc[i] = bipolar ? 2 * s - r.net : s;
    }
}

void SparseRowKernel::accumulate_dense(const Row& r, int64_t* acc) const {
    const size_t stride = words_ * size_t(planes_);
    const uint64_t* pos = r.pos.data();
    const uint64_t* neg = r.neg.data();
    for (size_t i = 0; i < inputs_.size(); ++i) {
        const uint64_t* x = &input_planes_[i * stride];
        int64_t sum = 0;
        if (planes_ == 1) {
            int64_t p = 0, m = 0;
            for (size_t w = 0; w < words_; ++w) p += popcount(x[w] & pos[w]), m += popcount(x[w] & neg[w]);
            sum = p - m;
        } else {
            int64_t d[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (size_t w = 0; w < words_; ++w, x += planes_)
                for (int j = 0; j < planes_; ++j) d[j] += popcount(x[j] & pos[w]) - popcount(x[j] & neg[w]);
            for (int j = 0; j < planes_; ++j) sum += d[j] * (int64_t(1) << j);  // d[j] may be negative: no shift
        }
        acc[i] = scale_ * sum + shift_ * r.net;
    }
}

}  // namespace qsim
