// Core tests of PE reuse (ch. 4.5.1, eq. 4.5-4.7) and filter pruning (ch. 4.5.2) as the loader,
// the timing rules and the resource model see them, and of the OFM buffer's kernel.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/buffer/ofm_store.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "sim/design/config_loader.hpp"
#include "models/resources/resource_model.hpp"
#include "models/swu/swu_timing.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace reuse_pruning_test {

using testing_support::expect_error;
using testing_support::net;

std::string read_config(const std::string& name) {
    std::ifstream f(std::string(QSIM_SOURCE_DIR) + "/configs/" + name);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// AlexNet pruned-40 with conv4 at folding.pe 8 and `reuse: r` (the sweep of docs/validation.md).
NetworkConfig alexnet_conv4_reuse(int r) {
    std::string text = read_config("alexnet_pruned40.yaml");
    const std::string line = "    folding: { pe: 2, simd: 116, mmv: 7 }\n";
    const size_t at = text.find(line);
    if (at == std::string::npos) throw std::runtime_error("conv4's folding is not in alexnet_pruned40.yaml");
    text.replace(at, line.size(), "    folding: { pe: 8, simd: 116, mmv: 7 }\n    reuse: " + std::to_string(r) + "\n");
    return parse_network_config(text, "alexnet_reuse.yaml", {}, std::string(QSIM_SOURCE_DIR) + "/configs");
}

TEST(PeReuse, PesFallAndOfmBufferGrowsAsEquations46And47Predict) {
    uint64_t base_cycles = 0, previous_buffer = 0;
    for (int r : {1, 2, 4, 8}) {
        const NetworkConfig cfg = alexnet_conv4_reuse(r);
        const LayerConfig& l = *cfg.find_layer("conv4");
        // Eq. 4.6: Reuse = OPS / PE, so at fixed cycles per pass the PEs built fall as 1/R.
        EXPECT_EQ(l.physical_pe(), 8 / r);
        EXPECT_EQ(mvtu_lanes(l), uint64_t(8 / r) * 116 * 7);
        if (r == 1) base_cycles = mvtu_cycles_per_frame(l);
        EXPECT_EQ(mvtu_cycles_per_frame(l), base_cycles * uint64_t(r));
        EXPECT_EQ(swu_window_cycles_per_frame(l), swu_window_cycles_per_row(l) * 14 * uint64_t(r));
        // The SWU keeps the whole input frame for the passes.
        EXPECT_EQ(swu_buffer_rows(l), r > 1 ? l.in.height : l.kernel + l.stride);

        const ResourceReport rep = estimate_resources(cfg);
        const uint64_t buffer = rep.block_total("conv4", "ofm_buffer").bram18;
        // Eq. 4.7 with ideal packing: ceil(I x F x F x (R-1) / (R x B_w)), B_w = 18,432 / bits.
        const uint64_t values = uint64_t(l.out.height) * l.out.width * l.out.channels * uint64_t(r - 1) / uint64_t(r);
        const uint64_t eq47 = (values * uint64_t(l.out_bits) + 18431) / 18432;
        if (r == 1) {
            EXPECT_EQ(buffer, 0u);
        } else {
            EXPECT_GE(buffer, eq47) << "R " << r;
            EXPECT_LE(buffer, eq47 + eq47 / 2 + 1) << "R " << r << ": aspect-ratio rounding only";
            EXPECT_GT(buffer, previous_buffer) << "R " << r;
        }
        previous_buffer = buffer;
        // The PE datapaths shrink with the PEs.
        EXPECT_EQ(rep.block_total("conv4", "mvtu").lut < estimate_resources(alexnet_conv4_reuse(1)).block_total("conv4", "mvtu").lut,
                  r > 1);
    }
    // R = 8 leaves conv4 the slowest block: the frame rate pays for the reuse.
    const DataflowEstimate slow = estimate_dataflow(alexnet_conv4_reuse(8));
    EXPECT_EQ(slow.blocks[slow.bottleneck].layer, "conv4");
    EXPECT_EQ(slow.interval_cycles, 8 * base_cycles);
}

TEST(PeReuseConfig, DefaultsApplyToConvLayersAndErrorsNameTheField) {
    // defaults.reuse applies to conv layers only (the fc layer keeps reuse 1).
    const NetworkConfig cfg = parse_network_config(
        "name: t\ndevice: {clock_mhz: 100}\ninput: {height: 8, width: 8, channels: 4}\ndefaults: {reuse: 2}\n"
        "layers:\n"
        "  - {name: c, type: conv, kernel: 3, filters: 8, weights: {quant: binary}, activation: {type: thresholds},"
        " folding: {pe: 4}}\n"
        "  - {name: f, type: fc, filters: 4, weights: {quant: binary}, activation: {type: thresholds}}\n",
        "d.yaml");
    EXPECT_EQ(cfg.layers[0].reuse, 2);
    EXPECT_EQ(cfg.layers[0].physical_pe(), 2);
    EXPECT_EQ(cfg.layers[1].reuse, 1);

    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n    weights: {quant: binary}\n"
                     "    activation: {type: thresholds}\n    folding: {pe: 4}\n    reuse: 3\n"),
                 "12:12", "layers[0].reuse", {"must divide folding.pe = 4", "time-shared"});
    expect_error(net("  - {name: f, type: fc, filters: 8, weights: {quant: binary}, activation: {type: thresholds},"
                     " folding: {pe: 4}, reuse: 2}\n"),
                 "5", "layers[0].reuse", {"applies to conv layers", "lower folding.pe"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n    weights: {quant: binary}\n"
                     "    activation: {type: thresholds}\n    folding: {pe: 4}\n    reuse: 2\n"
                     "    swu_buffer_rows: 5\n"),
                 "13:22", "layers[0].swu_buffer_rows", {"must be >= the input height 8", "reuse 2"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n    weights: {quant: binary}\n"
                     "    activation: {type: thresholds}\n    reuse: 0\n"),
                 "11:12", "layers[0].reuse", {"must be in 1..65536 (got 0)"});
}

TEST(OfmStore, MergesThePassesInChannelOrderAndCountsWhatItHolds) {
    // 3 passes of 2 channels over rows of 2 pixels.
    OfmStore store(3, 2, 2);
    store.store(0, 0, 0, {0, 1, 10, 11});   // pixel 0: ch 0,1; pixel 1: ch 0,1
    store.store(0, 0, 1, {2, 3, 12, 13});
    EXPECT_EQ(store.held_values(), 8u);
    store.store(0, 1, 0, {100, 101, 110, 111});
    EXPECT_EQ(store.peak_values(), 12u);
    EXPECT_EQ(store.complete(0, 0, {4, 5, 14, 15}), (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}));
    EXPECT_EQ(store.held_values(), 4u);
    EXPECT_THROW(store.complete(0, 1, {0, 0, 0, 0}), std::logic_error);  // pass 1 of row 1 missing
    EXPECT_THROW(store.store(0, 2, 1, {0, 0, 0, 0}), std::logic_error);  // pass 1 before pass 0
}

// A conv layer with `filters`, `prune` and extra keys, on an 8x8x4 input.
std::string pruned(const std::string& filters_prune_and_more) {
    return net("  - {name: c, type: conv, kernel: 3, " + filters_prune_and_more +
               ", weights: {quant: binary}, activation: {type: thresholds}}\n");
}

// Channels after pruning `filters` by `prune` with PE `pe` and the extra keys.
int pruned_channels(int filters, double prune, int pe, const std::string& extra = "") {
    std::ostringstream keys;
    keys << "filters: " << filters << ", prune: " << prune << ", folding: {pe: " << pe << "}" << extra;
    return parse_network_config(pruned(keys.str()), "p.yaml").layers[0].out.channels;
}

TEST(Pruning, RoundsTheKeptFiltersToAPeMultiple) {
    // 96 filters, 40% pruned: 57.6 kept; PE 12: up 60, down 48, nearest 60.
    EXPECT_EQ(pruned_channels(96, 0.4, 12), 60);
    EXPECT_EQ(pruned_channels(96, 0.4, 12, ", prune_round: up"), 60);
    EXPECT_EQ(pruned_channels(96, 0.4, 12, ", prune_round: down"), 48);
    EXPECT_EQ(pruned_channels(96, 0.4, 12, ", prune_round: nearest"), 60);
    // 50 kept of 100 with PE 8: 6.25 per PE: up 56, down 48, nearest 48.
    EXPECT_EQ(pruned_channels(100, 0.5, 8), 56);
    EXPECT_EQ(pruned_channels(100, 0.5, 8, ", prune_round: down"), 48);
    EXPECT_EQ(pruned_channels(100, 0.5, 8, ", prune_round: nearest"), 48);
}

TEST(Pruning, GrowsAnUnprunedLayerToAPeMultiple) {
    // ch. 4.5.2: cheap layers may grow so that N % PE == 0.
    const NetworkConfig cfg = parse_network_config(pruned("filters: 10, grow_to_pe: true, folding: {pe: 4}"), "g.yaml");
    EXPECT_EQ(cfg.layers[0].out.channels, 12);
    EXPECT_EQ(cfg.layers[0].filters, 10);
    expect_error(pruned("filters: 10, folding: {pe: 4}"), "5", "layers[0].folding.pe",
                 {"must divide out_channels/groups = 10", "grow_to_pe: true"});
    expect_error(pruned("filters: 10, prune: 0.2, grow_to_pe: true, folding: {pe: 4}"), "5", "layers[0].grow_to_pe",
                 {"unpruned layers"});
    expect_error(pruned("filters: 10, prune_round: down, folding: {pe: 2}"), "5", "layers[0].prune_round",
                 {"only applies with prune > 0"});
    expect_error(pruned("filters: 10, prune: 0.5, prune_round: sideways, folding: {pe: 2}"), "5",
                 "layers[0].prune_round", {"sideways"});
}

TEST(Pruning, FewerFiltersMeanFewerOperationsAndResources) {
    // The what-if of ch. 4.5: pruning AlexNet's first three layers.
    uint64_t last_ops = ~uint64_t(0), last_lut = ~uint64_t(0), last_bram = ~uint64_t(0);
    for (const char* c : {"alexnet_original.yaml", "alexnet_pruned30.yaml", "alexnet_pruned40.yaml"}) {
        const NetworkConfig cfg = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/" + c);
        uint64_t ops = 0;
        for (const auto& l : cfg.layers)
            if (l.is_compute()) ops += mvtu_ops_per_frame(l);
        const ResourceReport rep = estimate_resources(cfg);
        EXPECT_LT(ops, last_ops) << c;
        EXPECT_LT(rep.total.lut, last_lut) << c;
        EXPECT_LT(rep.total.bram18, last_bram) << c;
        last_ops = ops;
        last_lut = rep.total.lut;
        last_bram = rep.total.bram18;
    }
}

}  // namespace reuse_pruning_test
}  // namespace qsim
