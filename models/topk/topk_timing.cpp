#include "models/topk/topk_timing.hpp"

#include "models/common/int_math.hpp"

namespace qsim {

uint64_t topk_input_cycles(const LayerConfig& l) { return ceil_div(l.in.channels, l.folding.simd); }

uint64_t topk_cycles_per_frame(const LayerConfig& l) { return topk_input_cycles(l) + uint64_t(l.top_k); }

}  // namespace qsim
