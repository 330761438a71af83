#include "models/syq/ring_counter.hpp"

#include <stdexcept>
#include <utility>

namespace qsim {

RingCounter::RingCounter(std::vector<int32_t> factors, uint64_t folds_per_group)
    : factors_(std::move(factors)), folds_per_group_(folds_per_group) {
    if (factors_.empty()) throw std::invalid_argument("ring counter: no scaling factors");
    if (folds_per_group_ == 0) throw std::invalid_argument("ring counter: folds_per_group must be >= 1");
}

void RingCounter::advance() {
    index_ = index_ + 1 == factors_.size() ? 0 : index_ + 1;
    fold_ = 0;
    ++advances_;
}

bool RingCounter::fold_done() {
    if (++fold_ < folds_per_group_) return false;
    advance();
    return true;
}

void RingCounter::restart() {
    index_ = 0;
    fold_ = 0;
}

}  // namespace qsim
