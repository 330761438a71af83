// Timing rule of the loopback architecture's single layer accelerator (ch. 6.6.2-6.6.3):
// `pes` processing elements each compute one output channel, `simd` (the PE parallelism p of
// Table 6.7) synapses per clock; layers run one after another, the host moving each layer's
// maps and weights over PCIe in between.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// conv / fc: ceil(N / pes) * ceil(fan_in / simd) * output pixels.
// maxpool: output pixels * K * K * ceil(C / pes); global max pool: input pixels * ceil(C / pes).
uint64_t loopback_layer_cycles(const LayerConfig& layer, int pes, int simd);

}  // namespace qsim
