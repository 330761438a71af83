// Module tests of the memory-mapped register bank: the accelerator's register map read and
// written by a host initiator's b_transport sequences from an SC_THREAD (identification,
// CONTROL, STATUS, the latched 64-bit counters, per-layer counters, bursts), with a fake
// accelerator whose sources the test changes between reads; the map's description and the
// declarations the bank refuses. Protocol handling (error responses, byte enables, timing
// annotation, debug transport, DMI): register_bank_transport_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <systemc>
#include <tlm>

#include "tlm/register_bank.hpp"
#include "testbenches/unit/modules/register_bank_testbench.hpp"

namespace qsim {
namespace register_bank_test {

using namespace register_bank_testbench;

TEST(RegisterBank, ReadsIdAndVersionLittleEndian) {
    AccelBench b;
    Response id, burst;
    uint32_t version = 0, layer_count = 0;
    b.run([&](Host& h) {
        id = h.transport(read_req(regs::kId));
        version = h.read(regs::kVersion);
        layer_count = h.read(regs::kLayerCount);
    });
    ASSERT_EQ(id.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(id.words().at(0), regs::kIdValue);
    // Little endian: 0x514E4E53 is the bytes 'S' 'N' 'N' 'Q' at ascending addresses.
    EXPECT_EQ(id.data, (std::vector<unsigned char>{0x53, 0x4E, 0x4E, 0x51}));
    EXPECT_FALSE(id.dmi_allowed);
    EXPECT_EQ(version, regs::kVersionValue);
    EXPECT_EQ(layer_count, 3u);
    EXPECT_EQ(b.bank.stats().reads, 3u);
    EXPECT_EQ(b.bank.errors(), 0u);
}

TEST(RegisterBank, ControlRoundTripAndStartSelfClears) {
    AccelBench b;
    std::vector<uint32_t> readback;
    b.run([&](Host& h) {
        readback.push_back(h.read(regs::kControl));  // reset value
        h.write(regs::kControl, regs::kControlStart | regs::control_mode(regs::kModeLoopback));
        readback.push_back(h.read(regs::kControl));
        h.write(regs::kControl, regs::kControlReset);
        readback.push_back(h.read(regs::kControl));
        h.write(regs::kControl, 0);
        readback.push_back(h.read(regs::kControl));
        h.write(regs::kControl, 0xFFFFFFFFu);  // undefined bits are dropped
        readback.push_back(h.read(regs::kControl));
    });
    EXPECT_EQ(readback, (std::vector<uint32_t>{0, regs::control_mode(regs::kModeLoopback), regs::kControlReset, 0,
                                               regs::kControlReset | regs::kControlModeMask}));
    // The accelerator sees START as written (the pulse), masked to the defined bits.
    EXPECT_EQ(b.accel.control_writes,
              (std::vector<uint32_t>{regs::kControlStart | (regs::kModeLoopback << regs::kControlModeShift),
                                     regs::kControlReset, 0, regs::kControlWriteMask}));
    EXPECT_EQ(b.bank.stats().writes, 4u);
    EXPECT_EQ(b.bank.stats().reads, 5u);
}

TEST(RegisterBank, StatusAndFramesFollowTheSources) {
    AccelBench b;
    std::vector<uint32_t> status;
    uint32_t frames = 0;
    b.run([&](Host& h) {
        status.push_back(h.read(regs::kStatus));
        b.accel.status = regs::kStatusBusy;
        status.push_back(h.read(regs::kStatus));
        b.accel.status = regs::kStatusDone | regs::kStatusIdle | 0xF0;  // undefined bits masked
        status.push_back(h.read(regs::kStatus));
        b.accel.frames = 12345;
        frames = h.read(regs::kFrames);
    });
    EXPECT_EQ(status, (std::vector<uint32_t>{regs::kStatusIdle, regs::kStatusBusy,
                                             regs::kStatusDone | regs::kStatusIdle}));
    EXPECT_EQ(frames, 12345u);
}

TEST(RegisterBank, Counter64LoLatchesTheValueForHi) {
    AccelBench b;
    uint32_t lo = 0, hi = 0, hi_again = 0, lo2 = 0, hi2 = 0;
    uint64_t dma1 = 0;
    b.run([&](Host& h) {
        b.accel.cycles = 0x1FFFFFFF0ull;
        lo = h.read(regs::kCyclesLo);
        b.accel.cycles = 0x200000005ull;  // the counter carries into the high word meanwhile
        hi = h.read(regs::kCyclesHi);
        hi_again = h.read(regs::kCyclesHi);  // still the latched sample
        lo2 = h.read(regs::kCyclesLo);       // a new sample
        hi2 = h.read(regs::kCyclesHi);
        b.accel.dma[1] = 0xDEADBEEFCAFEF00Dull;
        dma1 = h.read64(regs::dma_bytes_lo(1));
    });
    EXPECT_EQ(lo, 0xFFFFFFF0u);
    EXPECT_EQ(hi, 1u);  // not 2: the high word of the sample taken by the LO read
    EXPECT_EQ(hi_again, 1u);
    EXPECT_EQ(lo2, 5u);
    EXPECT_EQ(hi2, 2u);
    EXPECT_EQ(dma1, 0xDEADBEEFCAFEF00Dull);
}

TEST(RegisterBank, Counter64IsConsistentWhileTimeAdvancesBetweenTheReads) {
    // A cycle counter driven by simulated time, 16 cycles below a carry into the high word;
    // the host waits 100 cycles between LO and HI.
    sc_core::sc_time clk = period();
    RegisterBank bank("regs", clk * 2.0);
    Host host("host");
    host.socket.bind(bank.socket);
    const uint64_t base = 0xFFFFFFF0ull;
    auto now = [clk, base] { return base + uint64_t(sc_core::sc_time_stamp() / clk); };
    bank.add_counter64(0x10, "CYCLES", now);
    uint64_t seen = 0, live_at_hi = 0, lo_time_value = 0;
    host.script = [&](Host& h) {
        sc_core::wait(clk * 4.0);
        lo_time_value = now();
        const uint32_t lo = h.read(0x10);
        sc_core::wait(clk * 100.0);
        live_at_hi = now();
        seen = uint64_t(h.read(0x14)) << 32 | lo;
    };
    sc_core::sc_start();
    EXPECT_EQ(seen, lo_time_value);  // 0x00000000_FFFFFFF4, not 0x00000001_FFFFFFF4
    EXPECT_EQ(seen >> 32, 0u);
    EXPECT_EQ(live_at_hi >> 32, 1u);
}

TEST(RegisterBank, PerLayerCountersForThreeLayers) {
    AccelBench b(3);
    std::vector<std::array<uint64_t, 3>> seen(3);
    uint32_t layer_count = 0;
    b.run([&](Host& h) {
        layer_count = h.read(regs::kLayerCount);
        for (uint32_t i = 0; i < 3; ++i) {
            seen[i][0] = h.read64(regs::layer_register(i, regs::kLayerBusyLo));
            seen[i][1] = h.read64(regs::layer_register(i, regs::kLayerStarvedLo));
            seen[i][2] = h.read64(regs::layer_register(i, regs::kLayerBlockedLo));
        }
    });
    EXPECT_EQ(layer_count, 3u);
    EXPECT_EQ(seen, b.accel.layers);
    EXPECT_EQ(regs::layer_register(2, regs::kLayerBlockedHi), 0x154u);
    EXPECT_FALSE(b.bank.has_register(regs::layer_register(3, regs::kLayerBusyLo)));
}

TEST(RegisterBank, MultiRegisterBursts) {
    AccelBench b;
    b.accel.status = regs::kStatusBusy;
    b.accel.cycles = 0x0000000700000009ull;
    b.accel.frames = 42;
    b.accel.dma = {0x1111111122222222ull, 0x3333333344444444ull, 0x5555555566666666ull};
    Response head, dma, layer1;
    b.run([&](Host& h) {
        head = h.transport(read_req(regs::kId, 7));  // ID .. FRAMES
        dma = h.transport(read_req(regs::kDmaCh0BytesLo, 6));
        layer1 = h.transport(read_req(regs::layer_register(1, 0), 6));
    });
    ASSERT_EQ(head.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(head.words(), (std::vector<uint32_t>{regs::kIdValue, regs::kVersionValue, 0, regs::kStatusBusy, 9,
                                                   7, 42}));
    ASSERT_EQ(dma.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(dma.words(), (std::vector<uint32_t>{0x22222222, 0x11111111, 0x44444444, 0x33333333, 0x66666666,
                                                  0x55555555}));
    ASSERT_EQ(layer1.status, tlm::TLM_OK_RESPONSE);
    const auto& l = b.accel.layers[1];
    EXPECT_EQ(layer1.words(), (std::vector<uint32_t>{uint32_t(l[0]), uint32_t(l[0] >> 32), uint32_t(l[1]),
                                                     uint32_t(l[1] >> 32), uint32_t(l[2]), uint32_t(l[2] >> 32)}));
    EXPECT_EQ(b.bank.stats().reads, 3u);
    EXPECT_EQ(b.bank.stats().words_read, 19u);
}

TEST(RegisterBank, BurstWriteOverConsecutiveRegisters) {
    sc_core::sc_time clk = period();
    RegisterBank bank("regs", clk);
    Host host("host");
    host.socket.bind(bank.socket);
    std::array<uint32_t, 3> store{};
    uint32_t command = 0;
    for (unsigned k = 0; k < 3; ++k)
        bank.add(0x40 + 4 * k, "R" + std::to_string(k), Access::ReadWrite, [&store, k] { return store[k]; },
                 [&store, k](uint32_t v) { store[k] = v; });
    bank.add(0x4C, "DOORBELL", Access::WriteOnly, {}, [&command](uint32_t v) { command = v; });
    Response wr, rd, wo_read, wo_write;
    host.script = [&](Host& h) {
        wr = h.transport(write_req(0x40, {0x01020304, 0xA0B0C0D0, 7}));
        rd = h.transport(read_req(0x40, 3));
        wo_read = h.transport(read_req(0x48, 2));  // R2 + DOORBELL: a write-only word in a read
        wo_write = h.transport(write_req(0x48, {9, 0x600D}));
    };
    sc_core::sc_start();
    EXPECT_EQ(wr.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(rd.words(), (std::vector<uint32_t>{0x01020304, 0xA0B0C0D0, 7}));
    EXPECT_EQ(wo_read.status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(wo_read.data, std::vector<unsigned char>(8, 0xAA));  // untouched
    EXPECT_EQ(wo_write.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(store[2], 9u);
    EXPECT_EQ(command, 0x600Du);
    EXPECT_EQ(bank.stats().words_written, 5u);
    EXPECT_EQ(bank.stats().command_errors, 1u);
}


TEST(RegisterBank, DescribeListsTheMap) {
    AccelBench b(3);
    const std::vector<RegisterInfo> map = b.bank.describe();
    // 14 fixed registers + 3 layers x 6.
    ASSERT_EQ(map.size(), 14u + 18u);
    const std::vector<std::tuple<uint64_t, std::string, std::string>> head{
        {0x000, "ID", "RO"},
        {0x004, "VERSION", "RO"},
        {0x008, "CONTROL", "RW"},
        {0x00C, "STATUS", "RO"},
        {0x010, "CYCLES_LO", "RO"},
        {0x014, "CYCLES_HI", "RO"},
        {0x018, "FRAMES", "RO"},
        {0x020, "DMA_CH0_BYTES_LO", "RO"},
        {0x024, "DMA_CH0_BYTES_HI", "RO"},
        {0x028, "DMA_CH1_BYTES_LO", "RO"},
        {0x02C, "DMA_CH1_BYTES_HI", "RO"},
        {0x030, "DMA_CH2_BYTES_LO", "RO"},
        {0x034, "DMA_CH2_BYTES_HI", "RO"},
        {0x040, "LAYER_COUNT", "RO"},
        {0x100, "LAYER0_BUSY_LO", "RO"},
        {0x104, "LAYER0_BUSY_HI", "RO"},
        {0x108, "LAYER0_STARVED_LO", "RO"},
        {0x10C, "LAYER0_STARVED_HI", "RO"},
        {0x110, "LAYER0_BLOCKED_LO", "RO"},
        {0x114, "LAYER0_BLOCKED_HI", "RO"},
        {0x120, "LAYER1_BUSY_LO", "RO"},
    };
    for (size_t i = 0; i < head.size(); ++i) {
        EXPECT_EQ(map[i].offset, std::get<0>(head[i])) << i;
        EXPECT_EQ(map[i].name, std::get<1>(head[i])) << i;
        EXPECT_EQ(map[i].access, std::get<2>(head[i])) << i;
    }
    EXPECT_EQ(map.back().offset, 0x154u);
    EXPECT_EQ(map.back().name, "LAYER2_BLOCKED_HI");
    for (size_t i = 1; i < map.size(); ++i) EXPECT_LT(map[i - 1].offset, map[i].offset);
    const std::string table = b.bank.describe_table();
    EXPECT_NE(table.find("| 0x008 | CONTROL | RW |"), std::string::npos) << table;
    EXPECT_NE(table.find("| 0x154 | LAYER2_BLOCKED_HI | RO |"), std::string::npos) << table;
}

TEST(RegisterBank, AddRejectsBadDeclarations) {
    sc_core::sc_time clk = period();
    RegisterBank bank("regs", clk);
    Host host("host");
    host.socket.bind(bank.socket);
    auto zero = [] { return 0u; };
    bank.add(0x10, "A", Access::ReadOnly, zero);
    EXPECT_THROW(bank.add(0x12, "B", Access::ReadOnly, zero), std::invalid_argument);   // misaligned
    EXPECT_THROW(bank.add(0x10, "B", Access::ReadOnly, zero), std::invalid_argument);   // duplicate offset
    EXPECT_THROW(bank.add(0x14, "A", Access::ReadOnly, zero), std::invalid_argument);   // duplicate name
    EXPECT_THROW(bank.add(0x14, "", Access::ReadOnly, zero), std::invalid_argument);    // no name
    EXPECT_THROW(bank.add(0x14, "B", Access::ReadOnly, {}), std::invalid_argument);     // no read
    EXPECT_THROW(bank.add(0x14, "B", Access::ReadWrite, zero), std::invalid_argument);  // no write
    EXPECT_THROW(bank.add(0x14, "B", Access::WriteOnly, {}), std::invalid_argument);    // no write
    // A counter whose HI word collides declares neither half.
    EXPECT_THROW(bank.add_counter64(0x0C, "C", [] { return uint64_t(1); }), std::invalid_argument);
    EXPECT_FALSE(bank.has_register(0x0C));
    EXPECT_THROW(bank.add_counter64(0x16, "C", [] { return uint64_t(1); }), std::invalid_argument);
    bank.add_counter64(0x18, "C", [] { return uint64_t(1); });
    EXPECT_EQ(bank.describe().size(), 3u);

    // The accelerator map cannot be declared twice, nor hold more than kMaxLayers layers.
    RegisterBank accel("accel_regs", clk);
    Host accel_host("accel_host");
    accel_host.socket.bind(accel.socket);
    AcceleratorRegisterSources too_many;
    too_many.layer_count = regs::kMaxLayers + 1;
    EXPECT_THROW(add_accelerator_registers(accel, too_many), std::invalid_argument);
    EXPECT_TRUE(accel.describe().empty());
    add_accelerator_registers(accel, AcceleratorRegisterSources{});
    EXPECT_THROW(add_accelerator_registers(accel, AcceleratorRegisterSources{}), std::invalid_argument);

    // Declarations end when simulation starts.
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    EXPECT_THROW(bank.add(0x40, "LATE", Access::ReadOnly, zero), std::logic_error);
}

TEST(RegisterBank, UnwiredSourcesReadAsZero) {
    sc_core::sc_time clk = period();
    RegisterBank bank("regs", clk);
    Host host("host");
    host.socket.bind(bank.socket);
    AcceleratorRegisterSources none;
    none.layer_count = 1;
    add_accelerator_registers(bank, none);
    Response all, layer;
    uint32_t control = 1;
    host.script = [&](Host& h) {
        all = h.transport(read_req(regs::kStatus, 4));
        layer = h.transport(read_req(regs::layer_register(0, 0), 6));
        h.write(regs::kControl, regs::kControlReset);
        control = h.read(regs::kControl);
    };
    sc_core::sc_start();
    EXPECT_EQ(all.words(), (std::vector<uint32_t>{0, 0, 0, 0}));
    EXPECT_EQ(layer.words(), std::vector<uint32_t>(6, 0));
    EXPECT_EQ(control, regs::kControlReset);
}

}  // namespace register_bank_test
}  // namespace qsim
