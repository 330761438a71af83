#include "models/source/source_timing.hpp"

namespace qsim {

uint64_t source_row_cycles(const InputConfig& in) {
    const uint64_t bits = uint64_t(in.shape.width) * in.shape.channels * in.bits;
    return (bits + in.stream_bits - 1) / in.stream_bits;
}

}  // namespace qsim
