// The unit of transfer on every stream between blocks: one row of a feature map
// (`pixels` pixels x `depth` codes), or one row of image-matrix windows from an SWU
// (`pixels` windows x `depth` = K*K*C codes). One transaction per row, not per clock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace qsim {

// Row buffers are recycled. Every block allocates a row for each row it emits and its reader
// drops it when done; the rows of a design come in a few lengths (one per stream). A dropped
// row's buffer goes to a small pool of the thread's, by length, and the next row of that length
// takes it instead of allocating (and zero-filling) a new one. Bounded: a few buffers a length,
// a few dozen lengths, 64 MiB in all; beyond that a buffer is freed as before.
class RowStoragePool {
public:
    // A buffer of n codes. Its contents are unspecified (a previous row's codes, or zeros).
    static std::vector<int32_t> take(size_t n) {
        Pool& p = pool();
        for (Bucket& b : p.buckets)
            if (b.length == n) {
                if (b.free.empty()) break;
                std::vector<int32_t> v = std::move(b.free.back());
                b.free.pop_back();
                p.bytes -= v.capacity() * sizeof(int32_t);
                return v;
            }
        return std::vector<int32_t>(n);
    }

    // Keeps `v`'s buffer for a later take(v.size()), or frees it.
    static void give(std::vector<int32_t>&& v) noexcept {
        if (v.empty()) return;
        Pool& p = pool();
        const size_t bytes = v.capacity() * sizeof(int32_t);
        if (p.bytes + bytes > kMaxBytes) return;
        try {
            Bucket* bucket = nullptr;
            for (Bucket& b : p.buckets)
                if (b.length == v.size()) bucket = &b;
            if (bucket == nullptr) {
                if (p.buckets.size() >= kMaxLengths) return;
                p.buckets.push_back(Bucket{v.size(), {}});
                bucket = &p.buckets.back();
                bucket->free.reserve(kPerLength);
            }
            if (bucket->free.size() >= kPerLength) return;
            bucket->free.push_back(std::move(v));
            p.bytes += bytes;
        } catch (...) {  // no room to keep it: freed as before
        }
    }

private:
    static constexpr size_t kPerLength = 8;
    static constexpr size_t kMaxLengths = 48;
    static constexpr size_t kMaxBytes = size_t(64) << 20;
    struct Bucket {
        size_t length;
        std::vector<std::vector<int32_t>> free;
    };
    struct Pool {
        std::vector<Bucket> buckets;
        size_t bytes = 0;
    };
    // Never destroyed: rows may be dropped during static destruction.
    static Pool& pool() {
        thread_local Pool* p = new Pool;
        return *p;
    }
};

struct StreamRow {
    int frame = 0;    // frame index, 0-based
    int row = 0;      // row index within the frame
    int pixels = 0;   // pixels (or windows) in the row
    int depth = 0;    // codes per pixel (channels, or window length)
    int pass = 0;     // PE-reuse pass the row belongs to (0 unless the layer reuses its PEs)
    std::vector<int32_t> data;  // pixels * depth codes, pixel-major

    StreamRow() = default;
    StreamRow(const StreamRow& o)
        : frame(o.frame), row(o.row), pixels(o.pixels), depth(o.depth), pass(o.pass),
          data(RowStoragePool::take(o.data.size())) {
        std::copy(o.data.begin(), o.data.end(), data.begin());
    }
    StreamRow(StreamRow&&) noexcept = default;
    StreamRow& operator=(const StreamRow& o) {
        if (this != &o) *this = StreamRow(o);
        return *this;
    }
    StreamRow& operator=(StreamRow&& o) noexcept {
        if (this != &o) {
            RowStoragePool::give(std::move(data));
            frame = o.frame;
            row = o.row;
            pixels = o.pixels;
            depth = o.depth;
            pass = o.pass;
            data = std::move(o.data);
        }
        return *this;
    }
    ~StreamRow() { RowStoragePool::give(std::move(data)); }

    // A row of `pixels` x `depth` codes, all `fill`.
    static StreamRow shaped(int frame, int row, int pixels, int depth, int32_t fill = 0) {
        StreamRow r = sized(frame, row, pixels, depth);
        std::fill(r.data.begin(), r.data.end(), fill);
        return r;
    }
    // A row of `pixels` x `depth` codes whose values are unspecified: for a caller that writes
    // every one of them.
    static StreamRow sized(int frame, int row, int pixels, int depth) {
        StreamRow r;
        r.frame = frame;
        r.row = row;
        r.pixels = pixels;
        r.depth = depth;
        r.data = RowStoragePool::take(size_t(pixels) * size_t(depth));
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
