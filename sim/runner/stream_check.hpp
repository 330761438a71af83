// sim --check as the simulation runs: each layer's output frame is compared with the golden
// reference's as soon as it is produced, and dropped. The golden reference of a frame runs
// layer by layer, from that frame's input alone: when layer L's output appears, every golden
// layer up to L not run yet is run. A golden output is dropped once it was compared and every
// layer that reads it has run, so what is held is a few layers of each frame in flight in the
// pipeline, not the frames of the run nor every layer of a frame.
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
#include "sim/golden/golden_reference.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {

class StreamingCheck : public LayerFrameObserver {
public:
    StreamingCheck(const NetworkConfig& net, const NetworkParams& params)
        : net_(net), params_(params), plans_(net.layers.size()) {}

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
        FeatureMap input;                // the frame's input, until every layer reading it has run
        std::vector<FeatureMap> golden;  // golden outputs still needed (compared or read later)
        std::vector<size_t> unread;      // per layer: the layers reading it that have not run
        size_t unread_input = 0;         // the layers reading the input that have not run
        size_t next = 0;                 // the next golden layer to run
        std::vector<bool> seen;
        size_t left = 0;                 // layers not compared yet
    };
    Pending start(int frame) const;
    void run_golden_to(Pending& p, size_t layer);
    void drop_if_done(Pending& p, size_t layer) const;
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
    std::vector<golden::LayerPlan> plans_;  // per layer, built by the first frame, used by all
    std::map<int, Pending> pending_;
    size_t peak_pending_ = 0;
    int finished_below_ = 0;     // every frame below it was compared on every layer
    std::set<int> finished_above_;  // frames compared out of order, above finished_below_
    Failure failure_;            // the first in (frame, layer) order so far; frame -1: none
    std::exception_ptr error_;
    double seconds_ = 0.0;
};

}  // namespace qsim
