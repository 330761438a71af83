// Timing rule of the label-select unit: SIMD values of the vector enter the lanes' insertion
// lists a clock, then the merge emits one index a clock: ceil(C / SIMD) + k cycles a frame.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

uint64_t topk_input_cycles(const LayerConfig& l);
uint64_t topk_cycles_per_frame(const LayerConfig& l);

}  // namespace qsim
