#include "sim/runner/memory_budget.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace qsim {

namespace {

constexpr uint64_t kCode = sizeof(int32_t);  // every value in flight is an int32 code

std::string size_text(uint64_t bytes) {  // "12.0 GiB", or "3.5 MiB" below a GiB
    char buf[32];
    if (bytes >= uint64_t(1) << 30)
        std::snprintf(buf, sizeof buf, "%.1f GiB", double(bytes) / double(uint64_t(1) << 30));
    else
        std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / double(uint64_t(1) << 20));
    return buf;
}

uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
uint64_t sat_mul(uint64_t a, uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

}  // namespace

void add_memory_need(MemoryNeed& need, uint64_t bytes, const std::string& what) {
    need.bytes = sat_add(need.bytes, bytes);
    if (bytes > need.largest_bytes) {
        need.largest_bytes = bytes;
        need.largest = what + " (" + size_text(bytes) + ")";
    }
}

MemoryNeed estimate_simulation_memory(const NetworkConfig& net, int frames, bool check, bool dataset_frames,
                                      bool keep_outputs) {
    MemoryNeed need;
    auto add = [&](uint64_t bytes, const std::string& what) { add_memory_need(need, bytes, what); };
    const FmShape& in = net.input.shape;
    const uint64_t frame = sat_mul(uint64_t(in.elements()), kCode);
    const std::string shape = std::to_string(in.height) + " x " + std::to_string(in.width) + " x " + std::to_string(in.channels);
    if (dataset_frames)
        add(sat_mul(frame, uint64_t(frames)), std::to_string(frames) + " data-set frames of " + shape + " values");
    else
        add(sat_mul(frame, check ? 2 : 1), "an input frame of " + shape + " values");  // and the golden's copy
    add(sat_mul(sat_mul(uint64_t(in.width) * in.channels, kCode), uint64_t(net.input.fifo_depth)), "the input FIFO");
    // --check compares each frame as it comes out (sim/runner/stream_check.hpp): it holds the
    // golden reference's outputs for the frames in flight, which the pipeline bounds (a frame
    // per layer and one entering, never more than the run's frames), and each layer's frame
    // being assembled (two when consecutive frames overlap at a layer's output).
    const uint64_t in_flight = std::min<uint64_t>(uint64_t(std::max(frames, 1)), net.layers.size() + 1);
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const LayerConfig& l = net.layers[i];
        const uint64_t out_row = sat_mul(uint64_t(l.out.width) * uint64_t(l.out.channels), kCode);
        const uint64_t out_frame = sat_mul(out_row, uint64_t(l.out.height));
        add(sat_mul(out_row, uint64_t(l.fifo_depth)), "the FIFO after " + l.name);
        const std::vector<size_t> readers = net.readers(i);
        if (readers.size() > 1)
            for (size_t r : readers)
                add(sat_mul(out_row, uint64_t(net.branch_fifo_depth(i, r))),
                    "the branch FIFO from " + l.name + " to " + net.layers[r].name);
        if (l.uses_swu()) {
            add(sat_mul(sat_mul(uint64_t(l.in.width) * uint64_t(l.in.channels), kCode), uint64_t(l.swu_buffer_rows)),
                "the line buffer of " + l.name);
            add(sat_mul(sat_mul(uint64_t(l.out.width), uint64_t(l.window_area()) * uint64_t(l.in.channels)), kCode),
                "a row of windows of " + l.name);
        }
        if (l.is_compute()) add(sat_mul(uint64_t(l.weight_count()), 2), "the weights of " + l.name);
        if (l.reuse > 1) add(out_frame, "the OFM buffer of " + l.name);
        if (check)
            add(sat_mul(out_frame, in_flight + 2), "the golden and simulated outputs of " + l.name + " in flight for --check");
    }
    if (!net.layers.empty()) {
        const LayerConfig& last = net.layers.back();
        if (keep_outputs)
            add(sat_mul(sat_mul(uint64_t(last.out.elements()), kCode), uint64_t(frames)), "the output frames");
        else
            add(sat_mul(uint64_t(last.out.elements()), kCode), "an output frame being assembled");
    }
    return need;
}

uint64_t default_memory_budget() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    uint64_t budget = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) / 2 : uint64_t(4) << 30;
    struct rlimit lim {};
    if (::getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        budget = std::min<uint64_t>(budget, uint64_t(lim.rlim_cur) / 10 * 8);
    return budget;
}

void check_memory_budget(const NetworkConfig& net, const MemoryNeed& need, uint64_t budget) {
    if (need.bytes <= budget) return;
    throw ConfigError(net.source_file, SourceLoc{}, "memory",
                      "simulating this design needs about " + size_text(need.bytes) + ", more than the memory budget of " +
                          size_text(budget) + " (the most: " + need.largest +
                          "); use a smaller design or fewer frames, or raise the budget with --memory-budget MIB");
}

}  // namespace qsim
