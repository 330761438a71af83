// The shape of a feature map and a feature map in HWC order (channel fastest), holding
// stream codes as int32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qsim {

struct FmShape {
    int height = 0;
    int width = 0;
    int channels = 0;
    int64_t elements() const { return int64_t(height) * width * channels; }
    bool operator==(const FmShape& o) const { return height == o.height && width == o.width && channels == o.channels; }
    bool operator!=(const FmShape& o) const { return !(*this == o); }
};

struct FeatureMap {
    FmShape shape;
    std::vector<int32_t> data;

    FeatureMap() = default;
    explicit FeatureMap(FmShape s, int32_t fill = 0) : shape(s), data(size_t(s.elements()), fill) {}

    int32_t& at(int y, int x, int c) {
        return data[(size_t(y) * shape.width + x) * shape.channels + c];
    }
    int32_t at(int y, int x, int c) const {
        return data[(size_t(y) * shape.width + x) * shape.channels + c];
    }
};

}  // namespace qsim
