#include "models/source/input_kernel.hpp"

#include "models/common/rng.hpp"

namespace qsim {

FeatureMap generate_input_frame(const InputConfig& input, int frame) {
    FeatureMap fm(input.shape);
    Rng rng(Rng::mix(input.seed, uint64_t(frame) + 1));
    const uint32_t levels = uint32_t(1) << input.bits;
    const int32_t lowest = input.is_signed ? -int32_t(levels / 2) : 0;
    for (auto& v : fm.data) v = lowest + int32_t(rng.below(levels));
    return fm;
}

}  // namespace qsim
