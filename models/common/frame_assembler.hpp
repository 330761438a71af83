// Collects the rows of a stream back into whole feature maps, one per frame, for the
// output sink and for per-layer probes that tests compare with the golden reference.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/feature_map.hpp"
#include "tlm/stream_row.hpp"

namespace qsim {

class FrameAssembler : public RowProbe {
public:
    explicit FrameAssembler(FmShape shape) : shape_(shape) {}

    // Returns true when the row completed its frame.
    void add(const StreamRow& row) override { add_row(row); }
    bool add_row(const StreamRow& row) {
        if (row.pixels != shape_.width || row.depth != shape_.channels || row.row < 0 ||
            row.row >= shape_.height)
            throw std::logic_error("row " + std::to_string(row.row) + " does not fit the frame shape");
        if (int(frames_.size()) <= row.frame) {
            frames_.resize(size_t(row.frame) + 1);
            rows_seen_.resize(size_t(row.frame) + 1, 0);
        }
        FeatureMap& fm = frames_[size_t(row.frame)];
        if (fm.data.empty()) fm = FeatureMap(shape_);
        std::copy(row.data.begin(), row.data.end(),
                  fm.data.begin() + size_t(row.row) * shape_.width * shape_.channels);
        return ++rows_seen_[size_t(row.frame)] == shape_.height;
    }

    const std::vector<FeatureMap>& frames() const { return frames_; }

private:
    FmShape shape_;
    std::vector<FeatureMap> frames_;
    std::vector<int> rows_seen_;
};

}  // namespace qsim
