// The x86 vector kernels' guard: with GCC or Clang on x86-64, QSIM_X86_SIMD is defined and the
// intrinsics are available; the kernels are compiled for AVX-512 (or AVX2) with target
// attributes and chosen at run time only where the processor has it (portable paths otherwise).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define QSIM_X86_SIMD 1
#endif
