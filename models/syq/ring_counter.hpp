// The ring counter of SYQ's fine-grained scaling (thesis ch. 5.7.2, Fig. 5.3), as a pure kernel:
// it holds the K (row-wise) or K^2 (pixel-wise) scaling factors of a layer and presents one of
// them to the scaling multiplier; each time a row or pixel's sub-dot product is finished it
// advances to the next factor, and after the last it wraps to the first, ready for the next
// window. The factor index advances as the synapse folds pass: one step every `folds_per_group`
// folds (C / SIMD for a pixel, K * C / SIMD for a row).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qsim {

class RingCounter {
public:
    // `factors` non-empty; `folds_per_group` >= 1.
    RingCounter(std::vector<int32_t> factors, uint64_t folds_per_group);

    int32_t factor() const { return factors_[index_]; }
    size_t index() const { return index_; }
    size_t size() const { return factors_.size(); }
    uint64_t folds_per_group() const { return folds_per_group_; }
    // A row/pixel is finished: the next factor (wrapping after the last).
    void advance();
    // One synapse fold of the MAC trees is done; advances after every folds_per_group folds.
    // Returns true when it advanced.
    bool fold_done();
    void restart();
    uint64_t advances() const { return advances_; }

private:
    std::vector<int32_t> factors_;
    uint64_t folds_per_group_;
    size_t index_ = 0;
    uint64_t fold_ = 0;
    uint64_t advances_ = 0;
};

}  // namespace qsim
