// Input frames for the host input source: deterministic frames with codes uniform over the
// input's range, from a stream seeded by (input.seed, frame index), identical on every
// platform; or the frames of a data set.
#pragma once

#include <cstddef>
#include <cstdint>

#include "models/common/feature_map.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

FeatureMap generate_input_frame(const InputConfig& input, int frame);
// Codes [first, first + count) of generate_input_frame(input, frame).data (HWC order), without
// the rest of the frame (the source generates a row at a time).
void generate_input_codes(const InputConfig& input, int frame, size_t first, size_t count, int32_t* out);

// Frame `frame` as the input source feeds it: the data set's (input.frames, `sim --dataset`)
// when there is one, else the generator's. Throws std::out_of_range past the data set's end.
FeatureMap input_frame(const InputConfig& input, int frame);

}  // namespace qsim
