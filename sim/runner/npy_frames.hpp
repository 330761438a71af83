// Integer NumPy arrays as frames: `sim --inputs FILE.npy` feeds a run with the frames of an
// array instead of the generator's, and `sim --expect FILE.npy` reads the final outputs the run
// must give (expected_outputs.hpp compares them). README, "The two commands" and docs/errors.md.
//
// Both are planned from the file's header alone (shape, dtype, size), so that a bad shape or
// too few frames is found before anything large is read or simulated, and the memory a run
// will take is known; the values are read after that.
//
// Values: any dtype npy.hpp reads (|i1 <i2 <i4 <i8 |u1, or <f4 <f8 whose values are all
// integral); each frame's values in C order, (y, x, c) with c fastest, as a FeatureMap holds them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/common/feature_map.hpp"
#include "models/network/network_config.hpp"
#include "sim/runner/expected_outputs.hpp"

namespace qsim {

// What a run will read from an array of frames, from its header.
struct NpyFramesPlan {
    std::string file;
    uint64_t count = 0;           // frames the file holds (its first dimension)
    int frames = 0;               // the first frames to read
    std::vector<size_t> shape;    // the array's shape
    uint64_t values = 0;          // elements of the whole array (read as 8-byte doubles)
};

// --inputs: the header of `path` against the network's input H x W x C: shape (N, H, W, C), or
// (N, H, W) when C = 1. `frames` 0 reads all N. Throws NpyError (FILE:@OFFSET: ...) for a file
// that cannot be read, a shape that does not fit or no frames, and std::invalid_argument (a
// usage error) for more frames than the file holds.
NpyFramesPlan plan_npy_inputs(const std::string& path, int frames, const InputConfig& input);
// The planned frames, each value checked: an integer within the input's range (input.bits,
// input.signed); an error names the frame, the pixel (y, x), the channel and the value.
std::vector<FeatureMap> load_npy_inputs(const NpyFramesPlan& plan, const InputConfig& input);

// --expect: the header of `path` against the last layer's output H x W x C (`layer` names it in
// messages): shape (N, H, W, C), or (N, C) when H = W = 1 (a 1 x 1 x C vector: fc, global
// pooling, topk's labels), or (N, H, W) when C = 1. Throws NpyError as plan_npy_inputs and
// std::invalid_argument (a usage error) when N is below `frames`, the frames simulated.
NpyFramesPlan plan_expected_outputs(const std::string& path, int frames, const FmShape& out, const std::string& layer);
// The planned frames' expected values, each an integer (the outputs are compared exactly).
ExpectedOutputs load_expected_outputs(const NpyFramesPlan& plan, const FmShape& out);

}  // namespace qsim
