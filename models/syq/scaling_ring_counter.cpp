#include "models/syq/scaling_ring_counter.hpp"

#include <utility>

namespace qsim {

ScalingRingCounter::ScalingRingCounter(sc_core::sc_module_name name, std::vector<int32_t> factors,
                                       uint64_t folds_per_group)
    : sc_core::sc_module(name), ring2mul("ring2mul"), ring_(std::move(factors), folds_per_group) {
    ring2mul.bind(*this);
}

}  // namespace qsim
