// AVX2 dot products of decoded RCCM coefficients (int16) with int16 input values, for the
// RccmDatapath's coefficient path (rccm_datapath.cpp): every product an RCCM computes is its
// select index's coefficient times the input, so a PE's accumulator is an integer dot product.
// Compiled with target attributes and used only where the processor has AVX2 and
// allow_simd_kernels leaves it; the circuit tables stay the portable reference they are tested
// against.
#pragma once

#include <cstdint>

#include "models/common/x86_simd.hpp"

namespace qsim {

#ifdef QSIM_X86_SIMD
// sum_s w[s] * x[s] over n values (n a multiple of 16: the rows are zero-padded), exact in
// int64: 16 products a step, summed in pairs into 8 int32 lanes (VPMADDWD), the lanes widened
// into int64 every `flush_steps` steps. The caller bounds flush_steps * 2 * max|w x| < 2^31.
int64_t rccm_dot16_avx2(const int16_t* w, const int16_t* x, int64_t n, int64_t flush_steps);
// The same for four channels (rows w[0..3]) against one input, each input step loaded once.
void rccm_dot16x4_avx2(const int16_t* const* w, const int16_t* x, int64_t n, int64_t flush_steps, int64_t* out);
#endif

}  // namespace qsim
