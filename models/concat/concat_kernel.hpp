// Functional kernel of the channel concatenation (FINN's StreamingConcat): each output pixel
// is the first input's channels followed by the second's.
#pragma once

#include <cstdint>

#include "models/common/types.hpp"

namespace qsim {

// `pixels` pixels: out = [a (ca codes), b (cb codes)] per pixel. Where `to` differs from an
// input's encoding the code is written as its value (decode_value: a Bipolar code c is 2c - 1).
void concat_pixels(const int32_t* a, Encoding ea, int ca, const int32_t* b, Encoding eb, int cb, int pixels,
                   Encoding to, int32_t* out);

}  // namespace qsim
