#include "models/source/input_kernel.hpp"

#include <stdexcept>
#include <string>

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

FeatureMap input_frame(const InputConfig& input, int frame) {
    if (!input.frames) return generate_input_frame(input, frame);
    if (frame < 0 || size_t(frame) >= input.frames->size())
        throw std::out_of_range("frame " + std::to_string(frame) + " past the data set's " +
                                std::to_string(input.frames->size()) + " images");
    return (*input.frames)[size_t(frame)];
}

}  // namespace qsim
