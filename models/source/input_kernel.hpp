// Deterministic input frames for the host input source: codes uniform over the input's
// range, from a stream seeded by (input.seed, frame index). Identical on every platform.
#pragma once

#include "models/common/feature_map.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

FeatureMap generate_input_frame(const InputConfig& input, int frame);

}  // namespace qsim
