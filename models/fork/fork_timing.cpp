#include "models/fork/fork_timing.hpp"

namespace qsim {

uint64_t fork_cycles_per_row(const LayerConfig& producer) { return uint64_t(producer.out.width); }

uint64_t fork_cycles_per_frame(const LayerConfig& producer) {
    return fork_cycles_per_row(producer) * uint64_t(producer.out.height);
}

}  // namespace qsim
