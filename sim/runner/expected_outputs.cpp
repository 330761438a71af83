#include "sim/runner/expected_outputs.hpp"

#include <algorithm>

namespace qsim {

namespace {

std::string shape_text(const FmShape& s) {
    return std::to_string(s.height) + " x " + std::to_string(s.width) + " x " + std::to_string(s.channels);
}

}  // namespace

ExpectResult compare_outputs(const std::vector<FeatureMap>& outputs, const ExpectedOutputs& expected) {
    ExpectResult r;
    r.done = true;
    r.file = expected.file;
    r.frames = std::min(int(outputs.size()), expected.frames);
    r.values_per_frame = uint64_t(expected.shape.elements());
    for (int f = 0; f < r.frames; ++f) {
        const FeatureMap& out = outputs[size_t(f)];
        if (out.shape != expected.shape || out.data.size() != r.values_per_frame) {
            r.problem = "frame " + std::to_string(f) + ": the simulated output is " + shape_text(out.shape) + ", " +
                        expected.file + " holds " + shape_text(expected.shape) + " values a frame";
            return r;
        }
        for (int y = 0; y < out.shape.height; ++y)
            for (int x = 0; x < out.shape.width; ++x)
                for (int c = 0; c < out.shape.channels; ++c) {
                    const int32_t simulated = out.at(y, x, c);
                    const int64_t want = expected.at(f, y, x, c);
                    ++r.values;
                    if (simulated == want) continue;
                    if (!r.first) r.first = ExpectResult::Mismatch{f, y, x, c, want, simulated};
                    ++r.mismatches;
                }
    }
    r.passed = r.mismatches == 0;
    return r;
}

std::string expect_summary(const ExpectResult& r) {
    if (!r.problem.empty()) return "FAIL  " + r.problem;
    if (r.passed)
        return "PASS  " + std::to_string(r.frames) + " frames x " + std::to_string(r.values_per_frame) +
               " values equal " + r.file;
    const ExpectResult::Mismatch& m = *r.first;
    return "FAIL  frame " + std::to_string(m.frame) + ", pixel (" + std::to_string(m.y) + ", " + std::to_string(m.x) +
           "), channel " + std::to_string(m.channel) + ": expected " + std::to_string(m.expected) + ", simulated " +
           std::to_string(m.simulated) + " (" + std::to_string(r.mismatches) + " of " + std::to_string(r.values) +
           " values differ from " + r.file + ")";
}

}  // namespace qsim
