// AVX2 forms of the PE datapath kernels (pe_datapath_kernel.cpp), for processors without
// AVX-512: compiled with target attributes, used only where the processor has AVX2 and
// allow_simd_kernels leaves it (the portable paths are the reference they are tested against).
#pragma once

#include <cstddef>
#include <cstdint>

#include "models/common/x86_simd.hpp"

namespace qsim {

#ifdef QSIM_X86_SIMD
// As AddSubDatapath::BlockDotsFn: the dot products of a block of 8 channels of binary weights
// (their words side by side, lane fastest) with an input of `planes` (1..8) bit planes:
// out[k] = base[k] + sum_j weight[j] * (2 * popcount(plane j & lane k) - count[j]); weight[j]
// and 2 * popcount - count[j] must fit int32. nullptr for other plane counts.
using BlockDotsAvx2Fn = void (*)(const uint64_t* x, const uint64_t* w, size_t words, const int64_t* base,
                                 const int64_t* weight, const int64_t* count, int64_t* out);
BlockDotsAvx2Fn block_dots_avx2_for(int planes);

// split_planes8: the low `planes` (<= 8) bits of `count` codes into bit planes, out[w * planes + j]
// holding bit j of codes 64w .. 64w+63 (code 64w + b at bit b; zeros past the codes).
void split_planes8_avx2(const int32_t* codes, int64_t count, int planes, uint64_t* out);

// The int32 dot product of n int8 weights with n int16 inputs (wrapping as the scalar sum), of
// one channel and of four (w[0..3]) against the same input.
int32_t dot16_avx2(const int8_t* w, const int16_t* x, int64_t n);
void dot16x4_avx2(const int8_t* const* w, const int16_t* x, int64_t n, int32_t* out);
#endif

}  // namespace qsim
