// Core tests of FIFO sizing (sim/sweep/fifo_sizing): the FIFO sites of a residual network, the
// two methods against a model of a design whose needs are known (a skip FIFO that must hold
// six rows for the rate, two FIFOs that may not both be one row), a deep FIFO that fills being
// made deeper, a target the bottleneck cannot reach, and the --point / YAML the depths give.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

#include "models/network/fifo_sites.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/sweep/fifo_sizing.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace fifo_sizing_test {

using sweep::FifoRun;

// conv a forks into conv b and the join; b feeds the join; conv c after the join.
NetworkConfig residual() {
    return parse_network_config(
        testing_support::net(
            "  - {name: a, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"
            "     activation: {type: thresholds, bits: 2}, folding: {pe: 4}}\n"
            "  - {name: b, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"
            "     activation: {type: thresholds, bits: 2}}\n"
            "  - {name: j, type: add, inputs: [b, a]}\n"),
        "t.yaml");
}

TEST(FifoSizing, EveryFifoOfAGraphIsASiteWithItsFieldAndWords) {
    const NetworkConfig net = residual();
    const std::vector<FifoSite> s = fifo_sites(net);
    ASSERT_EQ(s.size(), 6u);  // input, a -> fork, a -> b, a -> j, b -> j, j -> output
    EXPECT_EQ(s[0].field, "input.fifo_depth");
    EXPECT_EQ(s[1].label, "a -> fork");
    EXPECT_EQ(s[2].label, "a -> b");
    EXPECT_EQ(s[2].field, "layers[1].input_fifo_depths[0]");
    EXPECT_EQ(s[3].label, "a -> j");
    EXPECT_EQ(s[3].field, "layers[2].input_fifo_depths[1]");
    EXPECT_EQ(s[4].field, "layers[1].fifo_depth");
    // a's output word is its 4 PEs x 2 bits; a branch after the fork carries a whole pixel.
    const LayerConfig& a = net.layers[0];
    EXPECT_EQ(s[1].word_bits, 4u * 2);
    EXPECT_EQ(s[1].words_per_row(), uint64_t(a.out.width) * 8 / 4);
    EXPECT_EQ(s[3].word_bits, 8u * 2);
    EXPECT_EQ(s[3].words_per_row(), uint64_t(a.out.width));
    EXPECT_EQ(s[3].frame_rows, a.out.height);
    EXPECT_EQ(sweep::fifo_point(net, s, {3, 4, 5, 6, 7, 8}),
              "input.fifo_depth=3;a.fifo_depth=4;b.fifo_depth=7;j.fifo_depth=8;b.input_fifo_depths=[5];"
              "j.input_fifo_depths=[0 6]");
}

// A design whose needs are known: the skip FIFO (site 3) keeps the rate from six rows, stops
// below two; sites 1 and 4 may not both be one row (their rows are as wide, so the first is
// the one raised); the input FIFO fills whatever it is given in the first paced run.
struct Model {
    int runs = 0;
    bool input_filled = false;
    std::vector<FifoRun> operator()(const std::vector<std::vector<int>>& depths, uint64_t pace) {
        std::vector<FifoRun> out;
        for (const auto& d : depths) {
            ++runs;
            FifoRun r;
            r.completed = d[3] >= 2;
            if (!r.completed) {
                r.stall = "deadlock";
                out.push_back(r);
                continue;
            }
            r.interval = std::max<uint64_t>(pace, 1000 + 100 * uint64_t(std::max(0, 6 - d[3])) +
                                                      (d[1] == 1 && d[4] == 1 ? 50 : 0));
            for (size_t f = 0; f < d.size(); ++f) r.peaks.push_back(std::min(d[f], f == 3 ? 7 : 2));
            if (!input_filled && pace > 0) {
                r.peaks[0] = d[0];  // the first deep input FIFO fills: it must be made deeper
                input_filled = true;
            }
            out.push_back(r);
        }
        return out;
    }
};

TEST(FifoSizing, TheDeepMethodTakesPeaksAndTheMinimisingMethodTheSmallestDepthsThatKeepTheRate) {
    const NetworkConfig net = residual();
    Model model;
    const sweep::FifoSizingResult r = sweep::size_fifos(net, {}, std::ref(model));
    EXPECT_EQ(r.bottleneck_interval, 1000u);
    EXPECT_EQ(r.target_interval, 1000u);
    EXPECT_EQ(r.pace, 0u);
    ASSERT_EQ(r.fifos.size(), 6u);
    const int deep_input = 2 * net.input.shape.height + 2;
    EXPECT_EQ(r.fifos[0].deep, 2 * deep_input);  // it filled, so it was doubled
    EXPECT_EQ(r.fifos[3].peak, 7);
    EXPECT_EQ(r.fifos[1].peak, 2);
    EXPECT_TRUE(r.deep_keeps_rate);
    EXPECT_EQ(r.fifos[3].minimal, 6);
    // Sites 1 and 4 each may be one row alone, not together: one is raised back to its peak.
    EXPECT_EQ(r.fifos[1].minimal, 2);
    EXPECT_EQ(r.fifos[4].minimal, 1);
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes.back().find("together the FIFOs needed more than each alone"), std::string::npos);
    EXPECT_EQ(r.fifos[0].minimal, 1);
    EXPECT_TRUE(r.minimal_check.completed);
    EXPECT_EQ(r.minimal_check.interval, 1000u);
    EXPECT_EQ(r.simulations, model.runs);
}

TEST(FifoSizing, ASlowerTargetPacesTheInputAndNeedsLessAndAFasterOneIsRefused) {
    const NetworkConfig net = residual();
    Model model;
    sweep::FifoSizingRequest req;
    req.target_fps = net.clock_hz() / 1300.0;  // 1,300 cycles a frame
    const sweep::FifoSizingResult r = sweep::size_fifos(net, req, std::ref(model));
    EXPECT_EQ(r.pace, 1300u);
    EXPECT_EQ(r.fifos[3].minimal, 3);  // 1,000 + 3 x 100 <= 1,300
    req.target_fps = net.clock_hz() / 900.0;
    Model again;
    EXPECT_THROW(sweep::size_fifos(net, req, std::ref(again)), std::runtime_error);
}

}  // namespace fifo_sizing_test
}  // namespace qsim
