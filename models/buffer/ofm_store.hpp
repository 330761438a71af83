// Functional kernel of the OFM buffer of a layer with PE reuse R (ch. 4.5.1, Fig. 4.2, eq.
// 4.7): the layer computes each frame in R passes of N/R output channels; the buffer keeps
// the channel groups of passes 0..R-2 and, as each row of the last pass arrives, merges the
// stored groups with it into the complete row (channels in order). It counts the values it
// holds; its peak is (R-1)/R of the OFM, I x F x F x (R-1)/R in eq. 4.7's terms.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace qsim {

class OfmStore {
public:
    // `passes` = R, `group` = N/R channels per pass, `pixels` per row.
    OfmStore(int passes, int group, int pixels);

    // Keeps one row of pass `pass` < R-1 (pixels x group codes, pixel-major).
    void store(int frame, int row, int pass, std::vector<int32_t> codes);
    // Merges the stored groups of (frame, row) with the last pass's codes into pixels x N codes
    // and frees them. Throws std::logic_error if a pass of that row is missing.
    std::vector<int32_t> complete(int frame, int row, const std::vector<int32_t>& last_pass);

    uint64_t held_values() const { return held_; }
    uint64_t peak_values() const { return peak_; }

private:
    int passes_, group_, pixels_;
    // (frame, row) -> the stored passes' codes, one vector per pass in pass order.
    std::map<std::pair<int, int>, std::vector<std::vector<int32_t>>> rows_;
    uint64_t held_ = 0, peak_ = 0;
};

}  // namespace qsim
