#include "models/buffer/ofm_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace qsim {

OfmStore::OfmStore(int passes, int group, int pixels) : passes_(passes), group_(group), pixels_(pixels) {}

void OfmStore::store(int frame, int row, int pass, std::vector<int32_t> codes) {
    auto& passes = rows_[{frame, row}];
    if (int(passes.size()) != pass)
        throw std::logic_error("OFM buffer: pass " + std::to_string(pass) + " of frame " + std::to_string(frame) +
                               " row " + std::to_string(row) + " arrived out of order");
    held_ += codes.size();
    peak_ = std::max(peak_, held_);
    passes.push_back(std::move(codes));
}

std::vector<int32_t> OfmStore::complete(int frame, int row, const std::vector<int32_t>& last_pass) {
    auto it = rows_.find({frame, row});
    const size_t stored = it == rows_.end() ? 0 : it->second.size();
    if (int(stored) != passes_ - 1)
        throw std::logic_error("OFM buffer: frame " + std::to_string(frame) + " row " + std::to_string(row) +
                               " completes with " + std::to_string(stored) + " of " + std::to_string(passes_ - 1) +
                               " earlier passes stored");
    const size_t channels = size_t(group_) * size_t(passes_);
    std::vector<int32_t> full(size_t(pixels_) * channels);
    for (int p = 0; p < passes_; ++p) {
        const std::vector<int32_t>& part = p + 1 == passes_ ? last_pass : it->second[size_t(p)];
        for (int x = 0; x < pixels_; ++x)
            std::copy_n(part.begin() + ptrdiff_t(size_t(x) * group_), group_,
                        full.begin() + ptrdiff_t(size_t(x) * channels + size_t(p) * group_));
    }
    if (it != rows_.end()) {
        for (const auto& part : it->second) held_ -= part.size();
        rows_.erase(it);
    }
    return full;
}

}  // namespace qsim
