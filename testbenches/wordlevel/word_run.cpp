#include "testbenches/wordlevel/word_run.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "Vresidual_block.h"
#include "verilated.h"

namespace qsim::words {

std::string RunResult::text() const {
    char buf[128];
    if (mismatch)
        std::snprintf(buf, sizeof buf, "MISMATCH at the join");
    else if (deadlock)
        std::snprintf(buf, sizeof buf, "deadlock after %zu frames (no word moved from cycle %llu)", frame_done.size(),
                      (unsigned long long)cycles);
    else if (span_cycles % span == 0)
        std::snprintf(buf, sizeof buf, "%llu cycles/frame", (unsigned long long)(span_cycles / span));
    else
        std::snprintf(buf, sizeof buf, "%.2f cycles/frame", interval());
    return buf;
}

std::string RunResult::diagnosis() const {
    if (!deadlock) return "";
    auto words = [&](int i) {
        return std::string(kFifoNames[i]) + " (" + std::to_string(fill[i]) + "/" + std::to_string(depth[i]) + " words)";
    };
    std::string full, empty;
    for (int i = 0; i < kFifos; ++i) {
        if (depth[i] == 0) continue;  // a wire holds nothing
        if (fill[i] == depth[i]) full += (full.empty() ? "" : ", ") + words(i);
        if (fill[i] == 0) empty += (empty.empty() ? "" : ", ") + words(i);
    }
    constexpr int kMain = 4, kSkip = 5;  // the join's two inputs
    std::string text;
    if (depth[kSkip] > 0 && fill[kSkip] == depth[kSkip] && fill[kMain] == 0)
        text = "the fork cannot write the full skip FIFO " + words(kSkip) + " while the join waits on its empty input " +
               words(kMain) + "; ";
    else if (depth[kMain] > 0 && fill[kMain] == depth[kMain] && fill[kSkip] == 0)
        text = "the join's input " + words(kMain) + " is full while the skip FIFO " + words(kSkip) + " is empty; ";
    return text + "full: " + (full.empty() ? "none" : full) + "; empty: " + (empty.empty() ? "none" : empty);
}

RunResult run(const RunSpec& spec) {
    const Depths& d = spec.depths;
    for (int v : {d.in, d.stem, d.branch, d.c1, d.c2, d.skip, d.out})
        if (v < 0 || v > kMaxDepth) throw std::invalid_argument("FIFO depth out of 0.." + std::to_string(kMaxDepth));
    if (spec.frames < 2) throw std::invalid_argument("at least 2 frames are needed for an interval");

    auto context = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<Vresidual_block>(context.get());
    top->interval = uint32_t(spec.interval);
    top->d_in = uint16_t(d.in);
    top->d_stem = uint16_t(d.stem);
    top->d_branch = uint16_t(d.branch);
    top->d_c1 = uint16_t(d.c1);
    top->d_c2 = uint16_t(d.c2);
    top->d_skip = uint16_t(d.skip);
    top->d_out = uint16_t(d.out);
    auto edge = [&] {
        top->clk = 0;
        top->eval();
        top->clk = 1;
        top->eval();
    };
    top->rst = 1;
    edge();
    edge();
    top->rst = 0;
    top->clk = 0;
    top->eval();

    RunResult r;
    // Cycle c is the clock period ending at the (c+1)-th rising edge after reset; the outputs
    // sampled before that edge say what moves in it.
    uint64_t last_move = 0;
    for (uint64_t c = 0; int(r.frame_done.size()) < spec.frames; ++c) {
        if (top->moved) last_move = c;
        if (top->frame_done) r.frame_done.push_back(c);
        if (c - last_move >= spec.stall_limit + spec.interval) {  // a paced source may idle a frame
            r.deadlock = true;
            r.cycles = last_move + 1;
            const uint16_t fills[kFifos] = {top->fill_in, top->fill_stem, top->fill_branch, top->fill_c1,
                                            top->fill_c2, top->fill_skip, top->fill_out};
            const int depths[kFifos] = {d.in, d.stem, d.branch, d.c1, d.c2, d.skip, d.out};
            for (int i = 0; i < kFifos; ++i) {
                r.fill[i] = fills[i];
                r.depth[i] = depths[i];
            }
            break;
        }
        edge();
        top->clk = 0;
        top->eval();
        r.cycles = c + 1;
        if (top->mismatch) {
            r.mismatch = true;
            break;
        }
    }
    top->final();
    if (!r.deadlock && !r.mismatch) {
        // The last half of the frames (at least one spacing): the pipeline has filled by then.
        r.span = uint64_t(std::max(1, spec.frames / 2));
        r.span_cycles = r.frame_done.back() - r.frame_done[r.frame_done.size() - 1 - r.span];
    }
    return r;
}

}  // namespace qsim::words
