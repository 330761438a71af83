// Small integer helpers used by the timing and resource rules.
#pragma once

#include <cstdint>

namespace qsim {

constexpr uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace qsim
