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
    // lane 1: 00->00 (0), 00->11 (2). Zeros: the two 0 codes.
    const std::vector<int32_t> codes{1, 0, 2, 0, 2, 3};
    BusMeter bus(2, 2, 0);
    bus.count(codes.data(), codes.size());
    const OperandActivity& a = bus.activity();
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
    BusMeter a(1, 4, 0);
    a.count(codes.data(), codes.size());
    EXPECT_EQ(a.activity().toggles, 8u);
    BusMeter b(1, 1, -1);
    const std::vector<int32_t> bipolar{0, 0, 1};
    b.count(bipolar.data(), bipolar.size());
    EXPECT_EQ(b.activity().zeros, 0u);
    EXPECT_EQ(b.activity().toggles, 1u);
}

TEST(BusActivity, EachLaneRemembersWhatItCarriedAcrossRuns) {
    // A bus as wide as each run (one word a run, as a PE array's output of one pixel): the
    // toggles are between successive runs, lane by lane. Run 2 is partial: lane 2 keeps 7.
    BusMeter bus(3, 3, 0);
    const std::vector<int32_t> r1{1, 2, 7}, r2{0, 3}, r3{1, 3, 0};
    bus.count(r1.data(), r1.size());
    EXPECT_EQ(bus.activity().toggles, 0u);
    bus.count(r2.data(), r2.size());  // 001->000 (1), 010->011 (1)
    EXPECT_EQ(bus.activity().toggles, 2u);
    bus.count(r3.data(), r3.size());  // 000->001 (1), 011->011 (0), 111->000 (3)
    EXPECT_EQ(bus.activity().toggles, 6u);
    EXPECT_EQ(bus.activity().words, 3u);
    EXPECT_EQ(bus.activity().bits, 27u);
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
