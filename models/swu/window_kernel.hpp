// Functional kernel of the sliding-window unit: builds one output row of the image matrix
// (ch. 4.4.1) from the K input rows it covers. Window layout: (ky, kx, c), c fastest.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// Code used for positions outside the input: 0 for convolutions (FINN pads with code 0),
// the lowest int32 for max pooling (padding never wins).
int32_t swu_pad_code(const LayerConfig& layer);

// First input row (may be negative: padding) covered by output row `out_row`.
int swu_first_input_row(const LayerConfig& layer, int out_row);

// rows[ky] points at input row swu_first_input_row + ky, or is nullptr where that row is
// padding. out receives out.width windows of window_area() * in.channels codes.
void build_window_row(const LayerConfig& layer, const int32_t* const* rows, int32_t* out);

}  // namespace qsim
