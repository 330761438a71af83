#include "models/accelerator/dataflow_doubts.hpp"

#include <algorithm>

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
// stretch is the layer's frame time.
void reuse_burst(const LayerConfig& l, const LayerConfig& next, uint64_t interval, double tolerance,
                 std::vector<EstimateDoubt>& out) {
    const uint64_t pass = unit_cycles_per_frame(l) / uint64_t(l.reuse);
    const uint64_t rows = uint64_t(std::max(1, l.out.height));
    const uint64_t consumer_row = layer_cycles_per_frame(next) / uint64_t(std::max(1, next.in.height));
    const uint64_t buffered = uint64_t(l.fifo_depth) + (next.uses_swu() ? uint64_t(swu_buffer_rows(next)) : 0u);
    const uint64_t drain = rows > buffered ? (rows - buffered) * consumer_row : 0;
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

}  // namespace

std::vector<EstimateDoubt> estimate_doubts(const NetworkConfig& net, const DataflowEstimate& est, double tolerance) {
    std::vector<EstimateDoubt> out;
    const uint64_t interval = est.interval_cycles;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const LayerConfig& l = net.layers[i];
        if (l.reuse > 1 && i + 1 < net.layers.size()) reuse_burst(l, net.layers[i + 1], interval, tolerance, out);
        if (l.type == LayerType::Fc && !l.decompressor.enabled) {
            if (i == 0)
                fc_input_burst(l, source_row_cycles(net.input) * uint64_t(net.input.shape.height), net.input.fifo_depth,
                               "the source", interval, tolerance, out);
            else
                fc_input_burst(l, layer_cycles_per_frame(net.layers[i - 1]), net.layers[i - 1].fifo_depth,
                               net.layers[i - 1].name, interval, tolerance, out);
        }
    }
    return out;
}

}  // namespace qsim
