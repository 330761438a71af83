// The unit of transfer on every stream between blocks: one row of a feature map
// (`pixels` pixels x `depth` codes), or one row of image-matrix windows from an SWU
// (`pixels` windows x `depth` = K*K*C codes). One transaction per row, not per clock.
#pragma once

#include <cstdint>
#include <vector>

namespace qsim {

struct StreamRow {
    int frame = 0;    // frame index, 0-based
    int row = 0;      // row index within the frame
    int pixels = 0;   // pixels (or windows) in the row
    int depth = 0;    // codes per pixel (channels, or window length)
    int pass = 0;     // PE-reuse pass the row belongs to (0 unless the layer reuses its PEs)
    std::vector<int32_t> data;  // pixels * depth codes, pixel-major

    // A row of `pixels` x `depth` codes, all `fill`.
    static StreamRow shaped(int frame, int row, int pixels, int depth, int32_t fill = 0) {
        StreamRow r;
        r.frame = frame;
        r.row = row;
        r.pixels = pixels;
        r.depth = depth;
        r.data.assign(size_t(pixels) * size_t(depth), fill);
        return r;
    }

    const int32_t* pixel(int p) const { return data.data() + size_t(p) * depth; }
    int32_t* pixel(int p) { return data.data() + size_t(p) * depth; }
};

// Receives a copy of every row a block emits (tests and `sim --check` assemble them into
// frames to compare with the golden reference).
class RowProbe {
public:
    virtual ~RowProbe() = default;
    virtual void add(const StreamRow& row) = 0;
};

}  // namespace qsim
