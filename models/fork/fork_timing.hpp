// Timing rule of the stream duplicator after a layer whose output several layers read (FINN's
// DuplicateStreams): one pixel word of all channels per clock, written to every branch, so a
// row costs W cycles when no branch FIFO is full.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// `producer` is the layer whose output forks.
uint64_t fork_cycles_per_row(const LayerConfig& producer);
uint64_t fork_cycles_per_frame(const LayerConfig& producer);

}  // namespace qsim
