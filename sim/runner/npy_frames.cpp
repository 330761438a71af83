#include "sim/runner/npy_frames.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "models/network/npy.hpp"

namespace qsim {

namespace {

std::string shape_text(const std::vector<size_t>& dims) {
    NpyArray a;
    a.shape = dims;
    return a.shape_string();
}

std::string map_text(const FmShape& s) {
    return std::to_string(s.height) + " x " + std::to_string(s.width) + " x " + std::to_string(s.channels);
}

std::string frames_text(uint64_t n) { return std::to_string(n) + (n == 1 ? " frame" : " frames"); }

std::string value_text(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// Whether `shape` is that of an array of frames of `fm`: (N, H, W, C), or with `hw_form`
// (N, H, W), or with `c_form` (N, C).
bool fits(const std::vector<size_t>& shape, const FmShape& fm, bool hw_form, bool c_form) {
    const size_t h = size_t(fm.height), w = size_t(fm.width), c = size_t(fm.channels);
    if (shape.size() == 4) return shape[1] == h && shape[2] == w && shape[3] == c;
    if (shape.size() == 3 && hw_form) return shape[1] == h && shape[2] == w;
    if (shape.size() == 2 && c_form) return shape[1] == c;
    return false;
}

// The header of an array of frames of `fm` (of the short forms `fits` takes); `about` names the
// frames in messages ("the network's input 28 x 28 x 1 ...").
NpyFramesPlan plan_frames(const std::string& path, const FmShape& fm, bool hw_form, bool c_form,
                          const std::string& about) {
    const NpyArray head = read_npy_header(path);
    NpyFramesPlan p;
    p.file = path;
    p.shape = head.shape;
    if (!fits(head.shape, fm, hw_form, c_form)) {
        const std::string n = "N", h = std::to_string(fm.height), w = std::to_string(fm.width),
                          c = std::to_string(fm.channels);
        std::string expected = "(" + n + ", " + h + ", " + w + ", " + c + ")";
        if (hw_form) expected += " or (" + n + ", " + h + ", " + w + ")";
        if (c_form) expected += " or (" + n + ", " + c + ")";
        throw NpyError(path, head.header_offset,
                       "shape " + head.shape_string() + " does not match " + about + ": expected " + expected +
                           " for N frames");
    }
    p.count = head.shape[0];
    p.values = 1;
    for (size_t d : head.shape) p.values *= uint64_t(d);
    if (p.count == 0) throw NpyError(path, head.header_offset, "holds no frames (shape " + head.shape_string() + ")");
    return p;
}

// The planned array read again, its shape as planned (the file may have changed since).
NpyArray read_planned(const NpyFramesPlan& plan) {
    NpyArray a = read_npy(plan.file);
    if (a.shape != plan.shape)
        throw NpyError(plan.file, a.header_offset,
                       "shape " + a.shape_string() + ": the file changed while it was read (it had " +
                           shape_text(plan.shape) + ")");
    return a;
}

// "frame 3, pixel (y, x), channel c" of value `i` of an array of frames of `fm`.
std::string position_text(uint64_t i, const FmShape& fm) {
    const uint64_t c = i % uint64_t(fm.channels), pixel = i / uint64_t(fm.channels);
    const uint64_t x = pixel % uint64_t(fm.width), row = pixel / uint64_t(fm.width);
    const uint64_t y = row % uint64_t(fm.height), frame = row / uint64_t(fm.height);
    return "frame " + std::to_string(frame) + ", pixel (" + std::to_string(y) + ", " + std::to_string(x) +
           "), channel " + std::to_string(c);
}

// Value `i` of `a` as an integer; fails naming its position when it is not one.
double integral_value(const NpyArray& a, uint64_t i, const FmShape& fm, const std::string& file) {
    const double v = a.values[size_t(i)];
    if (!std::isfinite(v) || v != std::floor(v))
        throw NpyError(file, a.data_offset + i * npy_item_size(a.dtype),
                       position_text(i, fm) + ": value " + value_text(v) +
                           " is not an integer: expected integer codes (an integer dtype, or floats whose values are "
                           "all integral)");
    return v;
}

}  // namespace

NpyFramesPlan plan_npy_inputs(const std::string& path, int frames, const InputConfig& input) {
    const FmShape& in = input.shape;
    NpyFramesPlan p = plan_frames(path, in, in.channels == 1, false,
                                  "the network's input " + map_text(in) + " (the config's input section)");
    if (frames > 0 && uint64_t(frames) > p.count)
        throw std::invalid_argument("--frames " + std::to_string(frames) + " but " + path + " holds " +
                                    frames_text(p.count));
    p.frames = frames > 0 ? frames : int(std::min<uint64_t>(p.count, uint64_t(INT_MAX)));
    return p;
}

std::vector<FeatureMap> load_npy_inputs(const NpyFramesPlan& plan, const InputConfig& input) {
    const NpyArray a = read_planned(plan);
    const FmShape& in = input.shape;
    const int bits = input.bits;
    const double lo = input.is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
    const double hi = input.is_signed ? std::ldexp(1.0, bits - 1) - 1.0 : std::ldexp(1.0, bits) - 1.0;
    std::vector<FeatureMap> frames;
    frames.reserve(size_t(plan.frames));
    const uint64_t per_frame = uint64_t(in.elements());
    for (int f = 0; f < plan.frames; ++f) {
        FeatureMap fm(in);
        for (uint64_t k = 0; k < per_frame; ++k) {
            const uint64_t i = uint64_t(f) * per_frame + k;
            const double v = integral_value(a, i, in, plan.file);
            if (v < lo || v > hi)
                throw NpyError(plan.file, a.data_offset + i * npy_item_size(a.dtype),
                               position_text(i, in) + ": value " + value_text(v) + " is outside the input's range " +
                                   value_text(lo) + ".." + value_text(hi) + " (input.bits " + std::to_string(bits) +
                                   (input.is_signed ? ", signed)" : ", unsigned)"));
            fm.data[size_t(k)] = int32_t(v);
        }
        frames.push_back(std::move(fm));
    }
    return frames;
}

NpyFramesPlan plan_expected_outputs(const std::string& path, int frames, const FmShape& out, const std::string& layer) {
    NpyFramesPlan p = plan_frames(path, out, out.channels == 1, out.height == 1 && out.width == 1,
                                  "the network's output " + map_text(out) + " (layer '" + layer + "')");
    if (uint64_t(frames) > p.count)
        throw std::invalid_argument("--expect " + path + " holds " + frames_text(p.count) + ", fewer than the " +
                                    std::to_string(frames) + " simulated");
    p.frames = frames;
    return p;
}

ExpectedOutputs load_expected_outputs(const NpyFramesPlan& plan, const FmShape& out) {
    const NpyArray a = read_planned(plan);
    ExpectedOutputs e;
    e.file = plan.file;
    e.shape = out;
    e.frames = plan.frames;
    const uint64_t count = uint64_t(plan.frames) * uint64_t(out.elements());
    e.values.resize(size_t(count));
    for (uint64_t i = 0; i < count; ++i) {
        const double v = integral_value(a, i, out, plan.file);
        // Values beyond int64 cannot equal an output code: kept at the bound, they differ.
        e.values[size_t(i)] = v >= 9.2e18 ? INT64_MAX : v <= -9.2e18 ? INT64_MIN : int64_t(v);
    }
    return e;
}

}  // namespace qsim
