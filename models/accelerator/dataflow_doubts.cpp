#include "models/accelerator/dataflow_doubts.hpp"

#include <algorithm>
#include <array>

#include "models/common/text_format.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "models/source/source_timing.hpp"
#include "models/swu/swu_timing.hpp"

namespace qsim {

namespace {

// PE reuse (ch. 4.7.2): the layer's SWU keeps the whole frame and its OFM buffer releases the
// output rows only in the last of R passes, at R times the layer's average row rate. The next
// layer takes them at its own pace; what its FIFO and line buffer cannot hold stretches the
// last pass, and as the SWU cannot take the next frame before the last pass is out, the
// stretch is the layer's frame time: the last row leaves when the next layer has taken all
// but the buffered rows, counting from the first row's arrival, plus the rows its line buffer
// keeps while it emits its first pad_begin window rows, plus the last row's write.
void reuse_burst(const LayerConfig& l, const LayerConfig& next, uint64_t interval, double tolerance,
                 std::vector<EstimateDoubt>& out) {
    const uint64_t pass = unit_cycles_per_frame(l) / uint64_t(l.reuse);
    const uint64_t rows = uint64_t(std::max(1, l.out.height));
    const uint64_t consumer_row = layer_cycles_per_frame(next) / uint64_t(std::max(1, next.in.height));
    const uint64_t buffered = uint64_t(l.fifo_depth) + (next.uses_swu() ? uint64_t(swu_buffer_rows(next)) : 0u);
    // The first row arrives after a row of the pass; the next layer's line buffer frees no row
    // while it emits its first pad_begin window rows; the last row still has to be written.
    const uint64_t late = next.uses_swu() ? uint64_t(std::max(0, next.pad_begin)) : 0u;
    const uint64_t write = next.uses_swu() ? swu_input_cycles_per_row(next) : 0u;
    const uint64_t drain =
        rows + late > buffered + 1 ? pass / rows + (rows + late - buffered - 1) * consumer_row + write : 0;
    const uint64_t coupled = uint64_t(l.reuse - 1) * pass + std::max(pass, drain);
    if (double(coupled) <= (1.0 + tolerance) * double(interval)) return;
    out.push_back({l.name, coupled,
                   l.name + " reused " + std::to_string(l.reuse) + "x sends its last pass as a burst of " +
                       std::to_string(rows) + " rows in " + grouped(pass) + " cycles; " + next.name + " takes a row in " +
                       grouped(consumer_row) + " cycles past the " + std::to_string(buffered) +
                       " rows of FIFO and line buffer, so " + l.name + " may need " + grouped(coupled) +
                       " cycles a frame, more than the " + grouped(interval) + " estimated"});
}

// An fc layer takes its input vector during its first neuron fold only (mvtu.cpp); while it
// computes the other folds its producer can send no more than the FIFO holds, so the rest of
// the next frame arrives at the producer's pace during the next first fold.
void fc_input_burst(const LayerConfig& l, uint64_t producer_frame, int fifo_depth, const std::string& producer,
                    uint64_t interval, double tolerance, std::vector<EstimateDoubt>& out) {
    const uint64_t rows = uint64_t(std::max(1, l.in.height));
    if (rows <= 1 || uint64_t(fifo_depth) >= rows) return;
    const uint64_t first_fold = mvtu_synapse_folds(l), total = unit_cycles_per_frame(l);
    const uint64_t producer_row = producer_frame / rows;
    const uint64_t arrival = (rows - uint64_t(fifo_depth)) * producer_row;
    const uint64_t coupled = std::max(first_fold, arrival) + (total > first_fold ? total - first_fold : 0);
    if (double(coupled) <= (1.0 + tolerance) * double(interval)) return;
    out.push_back({l.name, coupled,
                   l.name + " takes its " + std::to_string(rows) + " input rows during its first neuron fold only; " +
                       producer + " sends a row in " + grouped(producer_row) + " cycles and the FIFO holds " +
                       std::to_string(fifo_depth) + ", so " + l.name + " may need " + grouped(coupled) +
                       " cycles a frame, more than the " + grouped(interval) + " estimated"});
}

// One path of a residual block, from the fork's output to one input of the join: the rows of
// the fork's output it must take before it delivers its first row plus each line buffer's
// lookahead (what keeps it busy), and the rows it can hold.
struct PathRows {
    uint64_t need = 2;  // the row in the join and one row of slack (measured: docs/graphs.md)
    uint64_t hold = 0;
};

PathRows path_rows(const NetworkConfig& net, int fork, size_t join, int input) {
    std::vector<size_t> path;  // the layers after the fork, last first
    for (int l = input; l != fork && l >= 0; l = net.inputs_of(size_t(l)).front()) path.push_back(size_t(l));
    PathRows r;
    uint64_t scale = 1;  // rows of the fork's output per input row of the current layer
    const size_t first = path.empty() ? join : path.back();
    r.hold = uint64_t(net.branch_fifo_depth(size_t(fork), first));
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
        const LayerConfig& l = net.layers[*it];
        if (l.uses_swu()) {
            const int64_t before = std::max(0, l.kernel - l.pad_begin - 1) + l.stride;
            r.need += uint64_t(before) * scale;
            r.hold += uint64_t(swu_buffer_rows(l)) * scale;
            scale *= uint64_t(l.stride);
        } else if (l.is_global_pool() || l.type == LayerType::Fc) {
            scale *= uint64_t(std::max(1, l.in.height));
        }
        r.hold += uint64_t(l.fifo_depth) * scale;
    }
    return r;
}

// A join (add, concat): the path that reaches it with fewer rows in flight must hold what the
// other path takes before its first row, or the fork stalls on it (and with too little, the
// pipeline deadlocks: docs/graphs.md).
void join_pair_buffering(const NetworkConfig& net, size_t j, std::array<int, 2> from, uint64_t interval,
                         std::vector<EstimateDoubt>& out) {
    // The nearest layer both inputs come from (layers are in dataflow order).
    auto ancestors = [&](int l) {
        std::vector<int> a;
        for (; l >= 0; l = net.inputs_of(size_t(l)).front()) a.push_back(l);
        return a;
    };
    const std::vector<int> a = ancestors(from[0]), b = ancestors(from[1]);
    int fork = -1;
    for (int x : a)
        if (x > fork && std::find(b.begin(), b.end(), x) != b.end()) fork = x;
    if (fork < 0) return;
    const PathRows p0 = path_rows(net, fork, j, from[0]), p1 = path_rows(net, fork, j, from[1]);
    const bool short0 = p0.need <= p1.need;
    const PathRows& s = short0 ? p0 : p1;
    const PathRows& l = short0 ? p1 : p0;
    if (s.hold >= l.need) return;
    const std::string sname = net.layers[size_t(short0 ? from[0] : from[1])].name;
    const std::string lname = net.layers[size_t(short0 ? from[1] : from[0])].name;
    const std::string jname = net.layers[j].name;
    out.push_back({jname, interval,
                   "the path from '" + net.layers[size_t(fork)].name + "' through '" + lname + "' to the join '" +
                       jname + "' takes about " + std::to_string(l.need) +
                       " rows before it delivers one and keeps its line buffers fed, but the path through '" + sname +
                       "' holds " + std::to_string(s.hold) +
                       " rows: the fork stalls (with far too few, the pipeline deadlocks); the interval needs "
                       "simulation"});
}

// Every pair of a join's inputs (two for an add; a concat may join more).
void join_buffering(const NetworkConfig& net, size_t j, uint64_t interval, std::vector<EstimateDoubt>& out) {
    const std::vector<int> from = net.inputs_of(j);
    for (size_t x = 0; x < from.size(); ++x)
        for (size_t y = x + 1; y < from.size(); ++y) join_pair_buffering(net, j, {from[x], from[y]}, interval, out);
}

}  // namespace

std::vector<EstimateDoubt> estimate_doubts(const NetworkConfig& net, const DataflowEstimate& est, double tolerance) {
    return estimate_doubts(net, est.interval_cycles, tolerance);
}

std::vector<EstimateDoubt> estimate_doubts(const NetworkConfig& net, uint64_t interval, double tolerance) {
    std::vector<EstimateDoubt> out;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const LayerConfig& l = net.layers[i];
        if (l.reuse > 1)
            for (size_t reader : net.readers(i)) reuse_burst(l, net.layers[reader], interval, tolerance, out);
        if (l.is_join()) join_buffering(net, i, interval, out);
        if (l.type == LayerType::Fc && !l.decompressor.enabled) {
            const int from = net.inputs_of(i).front();
            if (from < 0) {
                fc_input_burst(l, source_row_cycles(net.input) * uint64_t(net.input.shape.height), net.input.fifo_depth,
                               "the source", interval, tolerance, out);
            } else {
                const LayerConfig& p = net.layers[size_t(from)];
                fc_input_burst(l, layer_cycles_per_frame(p), p.fifo_depth, p.name, interval, tolerance, out);
            }
        }
    }
    return out;
}

}  // namespace qsim
