// sim --check as the simulation runs: each layer's output frame is compared with the golden
// reference's as soon as it is produced, and dropped. The golden reference runs a frame
// (every layer, from that frame's input alone) when the first of its outputs appears and is
// dropped once every layer of the frame was compared, so what is held is bounded by the
// frames in flight in the pipeline, not by the frames of the run.
//
// The verdict is the one a comparison after the run, frame by frame and layer by layer,
// would give: the first mismatch (or missing output) in (frame, layer) order, with the
// values compared before it.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <set>
#include <vector>

#include "models/common/frame_assembler.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {

class StreamingCheck : public LayerFrameObserver {
public:
    StreamingCheck(const NetworkConfig& net, const NetworkParams& params) : net_(net), params_(params) {}

    void layer_frame(size_t layer, int frame, const FeatureMap& output) override;

    // The verdict over frames 0 .. frames-1; rethrows what the golden reference threw.
    CheckResult finish(int frames) const;

    // Golden frames held now (frames in flight), and at most at once.
    size_t golden_frames_held() const { return pending_.size(); }
    size_t peak_golden_frames() const { return peak_pending_; }
    // Seconds spent in the golden reference and the comparisons.
    double seconds() const { return seconds_; }

private:
    struct Pending {
        std::vector<FeatureMap> golden;  // every layer's output of the frame
        std::vector<bool> seen;
        size_t left = 0;                 // layers not compared yet
    };
    struct Failure {
        int frame = -1;
        size_t layer = 0;
        uint64_t index = 0;  // the value that differs
        int32_t golden = 0, simulated = 0;
        bool incomplete = false;  // the output had the wrong size
    };
    bool before_failure(int frame, size_t layer) const;
    bool finished(int frame) const;
    void mark_finished(int frame);
    uint64_t values_before(int frame, size_t layer) const;

    const NetworkConfig& net_;
    const NetworkParams& params_;
    std::map<int, Pending> pending_;
    size_t peak_pending_ = 0;
    int finished_below_ = 0;     // every frame below it was compared on every layer
    std::set<int> finished_above_;  // frames compared out of order, above finished_below_
    Failure failure_;            // the first in (frame, layer) order so far; frame -1: none
    std::exception_ptr error_;
    double seconds_ = 0.0;
};

}  // namespace qsim
