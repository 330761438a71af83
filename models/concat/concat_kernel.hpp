// Functional kernel of the channel concatenation (FINN's StreamingConcat): each output pixel
// is the first input's channels, then the second's, and so on for every input.
#pragma once

#include <cstdint>
#include <vector>

#include "models/common/types.hpp"

namespace qsim {

// One input of the concatenation: `channels` codes a pixel, in `encoding`.
struct ConcatSource {
    const int32_t* data;
    Encoding encoding;
    int channels;
};

// `pixels` pixels: out = [each source's channels in turn] per pixel. Where `to` differs from a
// source's encoding the code is written as its value (decode_value: a Bipolar code c is 2c - 1).
void concat_pixels(const std::vector<ConcatSource>& sources, int pixels, Encoding to, int32_t* out);

}  // namespace qsim
