// The analytical tier's doubts (models/accelerator/dataflow_doubts.hpp): a burst larger than
// the buffers after it is marked `needs simulation` with the interval the coupled blocks may
// need; enough buffering clears the mark. The simulated figures quoted are in docs/timelines.md
// and are checked by SweepTiers.SimulationTierTakesBottleneckAndBalanceFromTheSimulation.
#include <gtest/gtest.h>

#include <string>

#include "models/accelerator/dataflow_doubts.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/design/yaml_front_end.hpp"
#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace qsim::sweep {
namespace dataflow_doubts_test {

const std::string kAlexNet = std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pruned40.yaml";
const std::string kMlp = std::string(QSIM_SOURCE_DIR) + "/configs/finn_mlp.yaml";

PointResult point(const std::string& config, const std::vector<std::string>& axes) {
    DesignSpace s;
    s.config = config;
    for (const auto& a : axes) s.axes.push_back(parse_axis(a));
    return evaluate_point(s, design::read_yaml_spec(config), 0);
}

TEST(EstimateDoubts, PeReuseBurstPastTheBuffersIsMarkedWithTheCoupledInterval) {
    // conv1 reused twice: 54 rows in a 23,328-cycle pass (432 a row), conv2 takes one in 900
    // cycles past 2 FIFO + 6 line-buffer rows, and frees none while it emits its first 2 window
    // rows (padding 2); the last row takes 108 cycles to write:
    // 23,328 + 432 + (54 + 2 - 8 - 1) * 900 + 108 = 66,168 (simulated: 66,636).
    const PointResult r = point(kAlexNet, {"conv1.reuse=2"});
    ASSERT_TRUE(r.valid) << r.reason;
    EXPECT_EQ(r.interval_cycles, 66168u);
    EXPECT_EQ(r.bottleneck, "conv1 burst");
    EXPECT_NE(r.needs_simulation.find("conv1 reused 2x sends its last pass as a burst of 54 rows in 23,328 cycles; "
                                      "conv2 takes a row in 900 cycles past the 8 rows"),
              std::string::npos)
        << r.needs_simulation;
    // An 8-row FIFO: 23,328 + 432 + 41 * 900 + 108 = 60,768 (simulated: 61,236), still marked.
    const PointResult r8 = point(kAlexNet, {"conv1.reuse=2", "conv1.fifo_depth=8"});
    EXPECT_EQ(r8.interval_cycles, 60768u);
    EXPECT_FALSE(r8.needs_simulation.empty());
    // A FIFO that holds the burst: the closed form holds (simulated: 51,040, 1.7% above).
    const PointResult r27 = point(kAlexNet, {"conv1.reuse=2", "conv1.fifo_depth=27"});
    EXPECT_EQ(r27.interval_cycles, 50176u);
    EXPECT_EQ(r27.needs_simulation, "");
    EXPECT_EQ(r27.bottleneck, "source");
    // Without reuse nothing is in doubt.
    EXPECT_EQ(point(kAlexNet, {"conv1.reuse=1"}).needs_simulation, "");
}

TEST(EstimateDoubts, FcLayerTakingItsInputInOneFoldNeedsAFifoForTheRest) {
    // finn_mlp's fc1 takes the 28 image rows in its first neuron fold (49 cycles) and computes
    // 1,519 more; with the shipped 28-row input FIFO the source is never held.
    EXPECT_EQ(point(kMlp, {"input.fifo_depth=28"}).needs_simulation, "");
    // With 2 rows the other 26 arrive at the source's 28 cycles a row: 728 + 1,519 = 2,247
    // (docs/designs.md: about 2,220 simulated).
    const PointResult r = point(kMlp, {"input.fifo_depth=2"});
    EXPECT_EQ(r.interval_cycles, 2247u);
    EXPECT_NE(r.needs_simulation.find("fc1 takes its 28 input rows during its first neuron fold only; the source "
                                      "sends a row in 28 cycles and the FIFO holds 2"),
              std::string::npos)
        << r.needs_simulation;
}

}  // namespace dataflow_doubts_test
}  // namespace qsim::sweep
