// Collects the rows of a stream back into whole feature maps, one per frame, for the
// output sink and for per-layer probes that tests compare with the golden reference.
// With an observer (sim --check), a completed frame is handed to it and dropped: only the
// frames still being assembled are held, however many frames the run has.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/feature_map.hpp"
#include "tlm/stream_row.hpp"

namespace qsim {

// Told of every layer's output frame as soon as its last row is produced.
class LayerFrameObserver {
public:
    virtual ~LayerFrameObserver() = default;
    virtual void layer_frame(size_t layer, int frame, const FeatureMap& output) = 0;
};

class FrameAssembler : public RowProbe {
public:
    explicit FrameAssembler(FmShape shape) : shape_(shape) {}
    // Streaming: completed frames go to observer->layer_frame(layer, ...), and are kept in
    // frames() only when `keep`.
    FrameAssembler(FmShape shape, LayerFrameObserver* observer, size_t layer, bool keep = false)
        : shape_(shape), observer_(observer), layer_(layer), keep_(keep) {}

    void add(const StreamRow& row) override { add_row(row); }
    // Returns true when the row completed its frame.
    bool add_row(const StreamRow& row) {
        if (row.pixels != shape_.width || row.depth != shape_.channels || row.row < 0 ||
            row.row >= shape_.height)
            throw std::logic_error("row " + std::to_string(row.row) + " does not fit the frame shape");
        if (observer_ != nullptr) return add_streaming(row);
        if (int(frames_.size()) <= row.frame) {
            frames_.resize(size_t(row.frame) + 1);
            rows_seen_.resize(size_t(row.frame) + 1, 0);
        }
        FeatureMap& fm = frames_[size_t(row.frame)];
        if (fm.data.empty()) fm = FeatureMap(shape_);
        copy_row(row, fm);
        return ++rows_seen_[size_t(row.frame)] == shape_.height;
    }

    // The completed frames (kept only without an observer).
    const std::vector<FeatureMap>& frames() const { return frames_; }
    // Feature maps held at most at once: every frame without an observer, the incomplete ones
    // with one.
    size_t peak_frames_held() const { return observer_ != nullptr ? peak_partial_ + frames_.size() : frames_.size(); }

private:
    void copy_row(const StreamRow& row, FeatureMap& fm) const {
        std::copy(row.data.begin(), row.data.end(),
                  fm.data.begin() + size_t(row.row) * shape_.width * shape_.channels);
    }
    bool add_streaming(const StreamRow& row) {
        auto it = partial_.find(row.frame);
        if (it == partial_.end()) {
            it = partial_.emplace(row.frame, Partial{FeatureMap(shape_), 0}).first;
            peak_partial_ = std::max(peak_partial_, partial_.size());
        }
        copy_row(row, it->second.map);
        if (++it->second.rows < shape_.height) return false;
        FeatureMap done = std::move(it->second.map);
        partial_.erase(it);
        observer_->layer_frame(layer_, row.frame, done);
        if (keep_) {
            if (int(frames_.size()) <= row.frame) frames_.resize(size_t(row.frame) + 1);
            frames_[size_t(row.frame)] = std::move(done);
        }
        return true;
    }

    struct Partial {
        FeatureMap map;
        int rows = 0;
    };
    FmShape shape_;
    LayerFrameObserver* observer_ = nullptr;
    size_t layer_ = 0;
    bool keep_ = false;
    std::vector<FeatureMap> frames_;
    std::vector<int> rows_seen_;
    std::map<int, Partial> partial_;  // streaming: frames still being assembled
    size_t peak_partial_ = 0;
};

}  // namespace qsim
