// PCIe timing rules (tlm/pcie_timing): lane rates, encodings, TLP counts and transfer times,
// as pure functions of a PcieConfig (no simulation).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "tlm/pcie_timing.hpp"

namespace qsim {
namespace pcie_timing_test {

constexpr uint64_t kMiB = 1024 * 1024;

TEST(PcieTiming, LaneRatesAndEncodings) {
    EXPECT_DOUBLE_EQ(pcie_lane_gtps(1), 2.5);
    EXPECT_DOUBLE_EQ(pcie_lane_gtps(2), 5.0);
    EXPECT_DOUBLE_EQ(pcie_lane_gtps(3), 8.0);
    EXPECT_DOUBLE_EQ(pcie_lane_gtps(4), 16.0);
    EXPECT_DOUBLE_EQ(pcie_lane_gtps(5), 32.0);
    EXPECT_DOUBLE_EQ(pcie_encoding_efficiency(1), 0.8);
    EXPECT_DOUBLE_EQ(pcie_encoding_efficiency(2), 0.8);
    for (int g = 3; g <= 5; ++g) EXPECT_DOUBLE_EQ(pcie_encoding_efficiency(g), 128.0 / 130.0);
}

TEST(PcieTiming, Gen3x8DefaultCarries7877MBps) {
    const PcieConfig cfg;  // Gen3 x8, 256-byte payloads, 24 bytes per TLP
    ASSERT_EQ(cfg.generation, 3);
    ASSERT_EQ(cfg.lanes, 8);
    EXPECT_NEAR(pcie_raw_bytes_per_second(cfg), 7.877e9, 0.001e9);
    EXPECT_DOUBLE_EQ(pcie_raw_bytes_per_second(cfg), 8e9 * 128.0 / 130.0);
    // Large transfers: 256 of every 280 bytes are payload.
    EXPECT_NEAR(pcie_effective_bytes_per_second(cfg), 7.2017e9, 0.0001e9);
}

TEST(PcieTiming, Gen1And2Use8b10b) {
    PcieConfig cfg;
    cfg.generation = 1;
    cfg.lanes = 1;
    EXPECT_DOUBLE_EQ(pcie_raw_bytes_per_second(cfg), 250e6);  // 2.5 GT/s x 0.8 / 8
    cfg.generation = 2;
    cfg.lanes = 4;
    EXPECT_DOUBLE_EQ(pcie_raw_bytes_per_second(cfg), 2e9);
    cfg.generation = 4;
    cfg.lanes = 16;
    EXPECT_NEAR(pcie_raw_bytes_per_second(cfg), 31.508e9, 0.001e9);
}

TEST(PcieTiming, TlpCount) {
    PcieConfig cfg;
    EXPECT_EQ(pcie_tlp_count(0, cfg), 0u);
    EXPECT_EQ(pcie_tlp_count(1, cfg), 1u);
    EXPECT_EQ(pcie_tlp_count(256, cfg), 1u);
    EXPECT_EQ(pcie_tlp_count(257, cfg), 2u);
    EXPECT_EQ(pcie_tlp_count(kMiB, cfg), 4096u);
    cfg.max_payload_bytes = 128;
    EXPECT_EQ(pcie_tlp_count(kMiB, cfg), 8192u);
    EXPECT_EQ(pcie_tlp_count(kMiB + 1, cfg), 8193u);
}

TEST(PcieTiming, OneMiBTransferTimeMatchesHandComputation) {
    const PcieConfig cfg;
    // 1 MiB = 4096 TLPs of 256 B + 24 B = 1,146,880 bytes on the wire at 8e9 x 128/130 B/s:
    // 1,146,880 x 130 / (128 x 8) ns = 145,600 ns; plus 1,000 ns overhead and 500 ns latency.
    EXPECT_NEAR(pcie_wire_time_ns(kMiB, cfg), 145600.0, 1e-6);
    EXPECT_NEAR(pcie_transfer_time_ns(kMiB, cfg), 147100.0, 1e-6);
    // One full TLP: 280 B -> 35.546875 ns; an empty transfer costs only the fixed times.
    EXPECT_NEAR(pcie_wire_time_ns(uint64_t(cfg.max_payload_bytes), cfg), 35.546875, 1e-9);
    EXPECT_DOUBLE_EQ(pcie_transfer_time_ns(0, cfg), 1500.0);
}

TEST(PcieTiming, LargeTransfersHalveFromX4ToX8) {
    PcieConfig x4, x8;
    x4.lanes = 4;
    x8.lanes = 8;
    const uint64_t frame = 64 * kMiB;
    const double t4 = pcie_transfer_time_ns(frame, x4), t8 = pcie_transfer_time_ns(frame, x8);
    EXPECT_NEAR(t4 / t8, 2.0, 0.01);
    EXPECT_LT(t4 / t8, 2.0);  // the fixed costs do not scale
    EXPECT_DOUBLE_EQ(pcie_effective_bytes_per_second(x8), 2 * pcie_effective_bytes_per_second(x4));
    // Frames per second of a transfer-bound host: 1e9 / transfer time.
    EXPECT_NEAR((1e9 / t8) / (1e9 / t4), 2.0, 0.01);
}

TEST(PcieTiming, RejectsInvalidArguments) {
    EXPECT_THROW(pcie_lane_gtps(0), std::invalid_argument);
    EXPECT_THROW(pcie_lane_gtps(6), std::invalid_argument);
    EXPECT_THROW(pcie_encoding_efficiency(0), std::invalid_argument);
    auto bad = [](auto change) {
        PcieConfig c;
        change(c);
        return c;
    };
    EXPECT_THROW(pcie_raw_bytes_per_second(bad([](PcieConfig& c) { c.generation = 6; })), std::invalid_argument);
    EXPECT_THROW(pcie_raw_bytes_per_second(bad([](PcieConfig& c) { c.lanes = 3; })), std::invalid_argument);
    EXPECT_THROW(pcie_raw_bytes_per_second(bad([](PcieConfig& c) { c.lanes = 32; })), std::invalid_argument);
    EXPECT_THROW(pcie_tlp_count(1, bad([](PcieConfig& c) { c.max_payload_bytes = 0; })), std::invalid_argument);
    EXPECT_THROW(pcie_wire_time_ns(1, bad([](PcieConfig& c) { c.tlp_overhead_bytes = -1; })),
                 std::invalid_argument);
    EXPECT_THROW(pcie_transfer_time_ns(1, bad([](PcieConfig& c) { c.latency_ns = -1.0; })),
                 std::invalid_argument);
    EXPECT_THROW(pcie_transfer_time_ns(1, bad([](PcieConfig& c) { c.transfer_overhead_ns = -0.5; })),
                 std::invalid_argument);
    EXPECT_THROW(pcie_effective_bytes_per_second(bad([](PcieConfig& c) { c.latency_ns = std::nan(""); })),
                 std::invalid_argument);
    try {
        pcie_lane_gtps(7);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("generation must be 1..5"), std::string::npos) << e.what();
    }
    try {
        validate_pcie_config(bad([](PcieConfig& c) { c.lanes = 12; }));
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("lanes must be 1, 2, 4, 8 or 16, got 12"), std::string::npos)
            << e.what();
    }
}

}  // namespace pcie_timing_test
}  // namespace qsim
