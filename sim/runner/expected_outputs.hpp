// `sim --expect FILE.npy`: every simulated frame's final output compared, value for value, with
// the outputs a model is expected to give (an importer's run of the source network, say). The
// comparison is exact on the integer codes the last layer delivers (RunResult::outputs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/common/feature_map.hpp"

namespace qsim {

// The expected final outputs of the first `frames` frames, frame after frame, each
// shape.height x shape.width x shape.channels values in HWC order (npy_frames.hpp reads them).
struct ExpectedOutputs {
    std::string file;
    FmShape shape;
    int frames = 0;
    std::vector<int64_t> values;
    int64_t at(int frame, int y, int x, int c) const {
        return values[((size_t(frame) * size_t(shape.height) + size_t(y)) * size_t(shape.width) + size_t(x)) *
                          size_t(shape.channels) +
                      size_t(c)];
    }
};

struct ExpectResult {
    bool done = false;    // compared (not when the pipeline stopped early)
    bool passed = false;  // every value equal
    std::string file;
    int frames = 0;                 // frames compared
    uint64_t values_per_frame = 0;  // H x W x C of the output
    uint64_t values = 0;            // compared in all
    uint64_t mismatches = 0;        // values that differ
    struct Mismatch {
        int frame = 0, y = 0, x = 0, channel = 0;
        int64_t expected = 0;
        int32_t simulated = 0;
    };
    std::optional<Mismatch> first;  // the first value that differs, in frame and HWC order
    std::string problem;            // a simulated output of another shape than the expected (none so far)
};

// Compares outputs[f] with frame f of `expected` for every simulated frame (at most
// expected.frames of them).
ExpectResult compare_outputs(const std::vector<FeatureMap>& outputs, const ExpectedOutputs& expected);

// The report's line after "expect         ": "PASS  20 frames x 10 values equal FILE", or
// "FAIL  frame 3, pixel (0, 0), channel 7: expected 12, simulated 11 (5 of 200 values differ from FILE)".
std::string expect_summary(const ExpectResult& r);

}  // namespace qsim
