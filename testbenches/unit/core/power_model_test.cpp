// The power model's pure parts (models/power): bus activity counted from codes, the weight
// words a PE reads, and the estimate's response to duty, activity and the board.
#include <gtest/gtest.h>

#include <vector>

#include "models/power/operand_activity.hpp"
#include "models/power/power_model.hpp"
#include "models/resources/resource_model.hpp"
#include "sim/design/config_loader.hpp"

namespace qsim {
namespace power_model_test {

TEST(BusActivity, CountsTogglesPerLaneAndZeros) {
    // Two lanes of 2-bit codes: words (1,0) (2,0) (2,3). Lane 0: 01->10 (2 bits), 10->10 (0);
    // lane 1: 00->00 (0), 00->11 (2). Zeros: the three 0 codes.
    const std::vector<int32_t> codes{1, 0, 2, 0, 2, 3};
    OperandActivity a;
    count_bus_activity(codes.data(), codes.size(), 2, 2, 0, a);
    EXPECT_EQ(a.words, 3u);
    EXPECT_EQ(a.bits, 12u);
    EXPECT_EQ(a.toggles, 4u);
    EXPECT_EQ(a.codes, 6u);
    EXPECT_EQ(a.zeros, 2u);
    EXPECT_DOUBLE_EQ(a.toggle_rate(), 4.0 / 12.0);
}

TEST(BusActivity, MasksSignedCodesToTheirBitsAndBipolarHasNoZero) {
    // -1 and 0 as 4-bit codes differ in 4 bits, not 32.
    const std::vector<int32_t> codes{-1, 0, -1};
    OperandActivity a;
    count_bus_activity(codes.data(), codes.size(), 1, 4, 0, a);
    EXPECT_EQ(a.toggles, 8u);
    OperandActivity b;
    const std::vector<int32_t> bipolar{0, 0, 1};
    count_bus_activity(bipolar.data(), bipolar.size(), 1, 1, -1, b);
    EXPECT_EQ(b.zeros, 0u);
    EXPECT_EQ(b.toggles, 1u);
}

TEST(WeightActivity, FollowsEachPesReadOrder) {
    // fc layer 4 -> 2, PE 2, SIMD 2, 2-bit uniform weights: PE 0 reads channel 0's words
    // (1,-1) (0,1); PE 1 channel 1's (1,1) (1,1).
    LayerConfig l;
    l.name = "fc";
    l.type = LayerType::Fc;
    l.in = {1, 1, 4};
    l.out = {1, 1, 2};
    l.folding = {2, 2, 1};
    l.weights.quant = WeightQuant::Uniform;
    l.weights.bits = 2;
    LayerParams p;
    p.weights = {1, -1, 0, 1, 1, 1, 1, 1};
    const OperandActivity a = weight_read_activity(l, p);
    // PE 0: 01->00 (1 bit), 11->01 (1 bit); PE 1: none.
    EXPECT_EQ(a.toggles, 2u);
    EXPECT_EQ(a.words, 4u);
    EXPECT_EQ(a.zeros, 1u);
}

class PowerEstimate : public ::testing::Test {
protected:
    NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/resnet_cifar_tiny.yaml");
    ResourceReport res = estimate_resources(net);
    PowerInputs inputs(double duty, double toggle) {
        PowerInputs in;
        in.clock_hz = net.clock_hz();
        in.frames_per_second = 1000;
        for (const auto& l : net.layers) {
            LayerActivity a = random_activity(l);
            a.duty = duty;
            a.operand_toggle = a.weight_toggle = a.output_toggle = toggle;
            in.layers.push_back(a);
        }
        return in;
    }
};

TEST_F(PowerEstimate, IdleDataLeavesClockStaticAndBoard) {
    const PowerReport idle = estimate_power(net, res, inputs(0.0, 0.5));
    EXPECT_DOUBLE_EQ(idle.logic_w, 0.0);
    EXPECT_DOUBLE_EQ(idle.memory_w, 0.0);
    EXPECT_GT(idle.clock_w, 0.0);  // the clock tree runs regardless
    EXPECT_GT(idle.static_w, 0.0);
    EXPECT_NEAR(idle.total_w, idle.dynamic_w + idle.static_w + idle.pcie_w + idle.ddr_w + idle.board_extra_w, 1e-12);
}

TEST_F(PowerEstimate, LogicScalesWithDutyAndToggles) {
    const PowerReport half = estimate_power(net, res, inputs(0.5, 0.25));
    const PowerReport full = estimate_power(net, res, inputs(1.0, 0.25));
    const PowerReport busy = estimate_power(net, res, inputs(1.0, 0.5));
    EXPECT_NEAR(full.logic_w, 2.0 * half.logic_w, 1e-9);
    EXPECT_GT(busy.logic_w, full.logic_w);
    EXPECT_NEAR(full.clock_w, half.clock_w, 1e-12);
    EXPECT_NEAR(full.energy_per_frame_j, full.total_w / 1000.0, 1e-12);
}

TEST_F(PowerEstimate, StaticGrowsWithTemperatureAndTheBoardAddsItsParts) {
    const PowerReport cool = estimate_power(net, res, inputs(1.0, 0.5));
    net.power.junction_c = 100.0;
    net.power.ddr_channels = 2;
    net.power.board_w = 3.0;
    const PowerReport hot = estimate_power(net, res, inputs(1.0, 0.5));
    EXPECT_GT(hot.static_w, 4.0 * cool.static_w);  // 50 C more: over two doublings
    EXPECT_GT(hot.ddr_w, 0.0);
    EXPECT_NEAR(hot.total_w - cool.total_w, (hot.static_w - cool.static_w) + hot.ddr_w + 3.0, 1e-9);
}

}  // namespace power_model_test
}  // namespace qsim
