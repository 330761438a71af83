// One run of the Verilated word-level skeleton of the residual block (rtl/skeleton/,
// docs/fifo_words.md): N frames through it with given FIFO depths in words and source pacing,
// the cycle each frame's last word reached the sink, and whether it deadlocked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qsim::words {

// The skeleton's geometry (its Verilog parameters, fixed at build time by wordlevel.cmake).
constexpr int kHeight = 8, kWidth = 8, kWordsPerRow = kWidth;
constexpr int kMaxDepth = 256;  // the FIFOs' storage: the deepest depth a run may ask for

struct Depths {  // words; 0 = no FIFO (a wire)
    int in = 16, stem = 16, branch = 16, c1 = 16, c2 = 16, skip = 16, out = 16;
};

// The FIFOs in the order of Depths, by the streams they sit on.
constexpr int kFifos = 7;
constexpr const char* kFifoNames[kFifos] = {"source -> stem", "stem -> fork",  "fork -> c1",    "c1 -> c2",
                                            "c2 -> join",     "fork -> join", "join -> sink"};

struct RunSpec {
    Depths depths;
    uint64_t interval = 0;        // source pacing in cycles per frame, 0 = as fast as taken
    int frames = 16;
    uint64_t stall_limit = 10000;  // cycles without any word moving (beyond `interval`) = deadlock
};

struct RunResult {
    bool deadlock = false;
    bool mismatch = false;              // the join took words of two different pixels
    uint64_t cycles = 0;                // cycles simulated
    std::vector<uint64_t> frame_done;   // cycle each frame's last word reached the sink
    // On a deadlock: the words each FIFO held and its depth (order of kFifoNames).
    int fill[kFifos] = {}, depth[kFifos] = {};
    // Steady state: the spacing of the last `span` frames' completions, total and per frame.
    uint64_t span = 0, span_cycles = 0;
    double interval() const { return span ? double(span_cycles) / double(span) : 0.0; }
    // Completed every frame, without a mismatch, at `target` cycles a frame or faster.
    bool keeps(uint64_t target) const { return !deadlock && !mismatch && span && span_cycles <= span * target; }
    std::string text() const;           // "576 cycles/frame", "deadlock after 0 frames (cycle 10123)"
    // On a deadlock, the FIFOs that stopped it: "the skip FIFO fork -> join is full (18/18
    // words) while the join's other input c2 -> join is empty (0/16 words); ...".
    std::string diagnosis() const;
};

RunResult run(const RunSpec& spec);

}  // namespace qsim::words
