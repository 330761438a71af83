// Module tests of the memory-mapped register bank: a host initiator drives b_transport
// sequences from an SC_THREAD (and transport_dbg from the test body) against the
// accelerator's register map, fed by a fake accelerator whose sources the test changes
// between reads.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlm/register_bank.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {
namespace {

using Access = RegisterBank::Access;
constexpr unsigned kAccessCycles = 3;

sc_core::sc_time period() {
    ensure_time_resolution();
    return sc_core::sc_time(5, sc_core::SC_NS);  // 200 MHz
}

// ---------------------------------------------------------------------------------------
// One generic-payload transaction as the host builds it, and what came back.

struct Request {
    tlm::tlm_command cmd = tlm::TLM_READ_COMMAND;
    uint64_t address = 0;
    std::vector<unsigned char> data;          // its size is the data length
    unsigned streaming_width = 0;             // 0: the data length
    std::vector<unsigned char> byte_enables;  // empty: no byte-enable pointer
    bool null_data = false;
};

struct Response {
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    std::vector<unsigned char> data;
    sc_core::sc_time delay;             // b_transport: the delay argument on return
    sc_core::sc_time before, after;     // sc_time_stamp() around the b_transport call
    unsigned debug_bytes = 0;           // transport_dbg: its return value
    bool dmi_allowed = true;

    std::vector<uint32_t> words() const {
        std::vector<uint32_t> w(data.size() / 4);
        for (size_t k = 0; k < w.size(); ++k)
            w[k] = uint32_t(data[4 * k]) | uint32_t(data[4 * k + 1]) << 8 | uint32_t(data[4 * k + 2]) << 16 |
                   uint32_t(data[4 * k + 3]) << 24;
        return w;
    }
};

Request read_req(uint64_t address, unsigned words = 1) {
    Request r;
    r.address = address;
    r.data.assign(4 * words, 0xAA);
    return r;
}

Request write_req(uint64_t address, const std::vector<uint32_t>& words) {
    Request r;
    r.cmd = tlm::TLM_WRITE_COMMAND;
    r.address = address;
    for (uint32_t w : words)
        for (int b = 0; b < 4; ++b) r.data.push_back(static_cast<unsigned char>(w >> (8 * b)));
    return r;
}

// The host: runs `script` in its thread; every b_transport is followed by a wait for the
// annotated delay (a loosely-timed initiator that synchronises after each access).
class Host : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Host> socket;
    std::function<void(Host&)> script;
    bool finished = false;

    SC_HAS_PROCESS(Host);
    explicit Host(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") { SC_THREAD(run); }

    Response transport(Request r, sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
        tlm::tlm_generic_payload trans;
        Response out;
        prepare(trans, r);
        out.before = sc_core::sc_time_stamp();
        socket->b_transport(trans, delay);
        out.after = sc_core::sc_time_stamp();
        out.delay = delay;
        finish(trans, r, out);
        wait(delay);
        return out;
    }

    // Callable from the test body (no thread needed).
    Response debug(Request r) {
        tlm::tlm_generic_payload trans;
        Response out;
        prepare(trans, r);
        out.debug_bytes = socket->transport_dbg(trans);
        finish(trans, r, out);
        return out;
    }

    uint32_t read(uint64_t address) {
        Response r = transport(read_req(address));
        EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE) << "read at " << address;
        return r.words().at(0);
    }
    void write(uint64_t address, uint32_t value) {
        Response r = transport(write_req(address, {value}));
        EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE) << "write at " << address;
    }
    // The host driver's rule for a 64-bit counter: LO first (it latches), then HI.
    uint64_t read64(uint64_t lo) {
        const uint32_t low = read(lo);
        return uint64_t(read(lo + 4)) << 32 | low;
    }

private:
    void run() {
        if (script) script(*this);
        finished = true;
    }
    static void prepare(tlm::tlm_generic_payload& trans, Request& r) {
        trans.set_command(r.cmd);
        trans.set_address(r.address);
        trans.set_data_ptr(r.null_data ? nullptr : r.data.data());
        trans.set_data_length(unsigned(r.data.size()));
        trans.set_streaming_width(r.streaming_width != 0 ? r.streaming_width : unsigned(r.data.size()));
        if (!r.byte_enables.empty()) {
            trans.set_byte_enable_ptr(r.byte_enables.data());
            trans.set_byte_enable_length(unsigned(r.byte_enables.size()));
        }
        trans.set_dmi_allowed(true);  // the target must clear it
        trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    }
    static void finish(const tlm::tlm_generic_payload& trans, const Request& r, Response& out) {
        out.status = trans.get_response_status();
        out.data = r.data;
        out.dmi_allowed = trans.is_dmi_allowed();
    }
};

// ---------------------------------------------------------------------------------------
// A fake accelerator: plain values behind the register sources, and how often each source
// was called (to prove a refused transaction called none).

struct FakeAccelerator {
    std::vector<uint32_t> control_writes;
    uint32_t status = regs::kStatusIdle;
    uint64_t cycles = 0;
    uint32_t frames = 0;
    std::array<uint64_t, 3> dma{};
    std::vector<std::array<uint64_t, 3>> layers;  // busy, starved, blocked
    unsigned source_calls = 0;

    AcceleratorRegisterSources sources() {
        AcceleratorRegisterSources s;
        s.control = [this](uint32_t v) { control_writes.push_back(v); };
        s.status = [this] { ++source_calls; return status; };
        s.cycles = [this] { ++source_calls; return cycles; };
        s.frames = [this] { ++source_calls; return frames; };
        for (unsigned ch = 0; ch < 3; ++ch)
            s.dma_bytes[ch] = [this, ch] { ++source_calls; return dma[ch]; };
        s.layer_count = uint32_t(layers.size());
        s.layer_busy = [this](uint32_t i) { ++source_calls; return layers.at(i)[0]; };
        s.layer_starved = [this](uint32_t i) { ++source_calls; return layers.at(i)[1]; };
        s.layer_blocked = [this](uint32_t i) { ++source_calls; return layers.at(i)[2]; };
        return s;
    }
};

// The accelerator's bank with three layers, a host bound to it and the fake behind it.
struct AccelBench {
    sc_core::sc_time clock = period();  // first: it sets the time resolution
    FakeAccelerator accel;
    RegisterBank bank{"regs", clock * double(kAccessCycles)};
    Host host{"host"};

    explicit AccelBench(unsigned layers = 3) {
        accel.layers.resize(layers);
        for (unsigned i = 0; i < layers; ++i)
            accel.layers[i] = {0x100000000ull * (i + 1) + 1000 * i + 1, 0x200000000ull * (i + 1) + 1000 * i + 2,
                               uint64_t(1000 * i + 3)};
        add_accelerator_registers(bank, accel.sources());
        host.socket.bind(bank.socket);
    }
    void run(std::function<void(Host&)> script) {
        host.script = std::move(script);
        sc_core::sc_start();
        EXPECT_TRUE(host.finished);
    }
};

// ---------------------------------------------------------------------------------------

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

TEST(RegisterBank, ErrorResponsesHaveNoSideEffects) {
    AccelBench b;
    b.accel.cycles = 0x300000011ull;
    b.accel.status = regs::kStatusDone;
    struct Case {
        const char* what;
        Request req;
        tlm::tlm_response_status expected;
    };
    std::vector<Case> cases;
    auto add = [&](const char* what, Request r, tlm::tlm_response_status s) { cases.push_back({what, r, s}); };
    // Address errors: gaps, reserved words, past the end, wrap-around, burst into a gap.
    add("gap 0x01C", read_req(0x01C), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("gap 0x038", read_req(0x038), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("gap 0x044", read_req(0x044), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("layer 0 reserved", read_req(regs::layer_register(0, regs::kLayerReserved0)), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("layer 2 reserved", read_req(regs::layer_register(2, regs::kLayerReserved1)), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("past the last layer", read_req(regs::layer_register(3, regs::kLayerBusyLo)), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("far past the end", read_req(0xFFFFFFF0ull), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("wraps the address space", read_req(0xFFFFFFFFFFFFFFFCull, 2), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("burst CYCLES_LO..gap", read_req(regs::kCyclesLo, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    add("write CONTROL..gap", write_req(regs::kControl, {1, 0, 0, 0, 0, 0}), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    // Burst errors: misaligned, partial word, streaming.
    add("misaligned", read_req(regs::kVersion + 2), tlm::TLM_BURST_ERROR_RESPONSE);
    add("misaligned write", write_req(regs::kControl + 1, {1}), tlm::TLM_BURST_ERROR_RESPONSE);
    Request two = read_req(regs::kVersion);
    two.data.resize(2);
    add("length 2", two, tlm::TLM_BURST_ERROR_RESPONSE);
    Request two_w = write_req(regs::kControl, {1});
    two_w.data.resize(2);
    add("length 2 write", two_w, tlm::TLM_BURST_ERROR_RESPONSE);
    Request empty = read_req(regs::kId);
    empty.data.clear();
    add("length 0", empty, tlm::TLM_BURST_ERROR_RESPONSE);
    Request streaming = read_req(regs::kCyclesLo, 2);
    streaming.streaming_width = 4;
    add("streaming width 4 of 8", streaming, tlm::TLM_BURST_ERROR_RESPONSE);
    // Byte enables.
    Request be = write_req(regs::kControl, {1});
    be.byte_enables = {0xFF, 0x00, 0xFF, 0xFF};
    add("byte lane disabled", be, tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    Request be_short = read_req(regs::kCyclesLo, 2);
    be_short.byte_enables = {0xFF, 0xFF, 0xFF, 0x00};  // pattern repeated over 8 bytes
    add("byte enable pattern", be_short, tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    // Access rights.
    add("write ID", write_req(regs::kId, {0}), tlm::TLM_COMMAND_ERROR_RESPONSE);
    add("write STATUS", write_req(regs::kStatus, {0}), tlm::TLM_COMMAND_ERROR_RESPONSE);
    add("write CONTROL+STATUS", write_req(regs::kControl, {regs::kControlStart, 0}), tlm::TLM_COMMAND_ERROR_RESPONSE);
    add("write CYCLES_HI", write_req(regs::kCyclesHi, {0}), tlm::TLM_COMMAND_ERROR_RESPONSE);
    // Order of the checks: the first failing one decides.
    Request order1 = read_req(0x01E);
    order1.byte_enables = {0, 0, 0, 0};
    add("byte enables before alignment", order1, tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    add("alignment before address", read_req(0x01E), tlm::TLM_BURST_ERROR_RESPONSE);
    Request order2 = read_req(0x01C, 2);
    order2.streaming_width = 4;
    add("streaming before address", order2, tlm::TLM_BURST_ERROR_RESPONSE);
    add("address before access", write_req(regs::kId, {0, 0, 0, 0, 0, 0, 0, 0}), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    Request ign_gap = read_req(0x01C);
    ign_gap.cmd = tlm::TLM_IGNORE_COMMAND;
    add("ignore on a gap", ign_gap, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    Request no_data = read_req(regs::kId);
    no_data.null_data = true;
    add("no data pointer", no_data, tlm::TLM_GENERIC_ERROR_RESPONSE);

    std::vector<Response> got;
    uint32_t latched_hi = 0, control_after = 0;
    unsigned calls_before = 0, calls_after = 0;
    std::vector<uint32_t> control_writes_during;
    b.run([&](Host& h) {
        h.write(regs::kControl, regs::control_mode(regs::kModeLoopback));
        EXPECT_EQ(h.read(regs::kCyclesLo), 0x11u);  // latches 0x3_00000011
        b.accel.cycles = 0x900000000ull;
        const size_t writes_before = b.accel.control_writes.size();
        calls_before = b.accel.source_calls;
        for (const Case& c : cases) got.push_back(h.transport(c.req));
        calls_after = b.accel.source_calls;
        control_writes_during.assign(b.accel.control_writes.begin() + long(writes_before),
                                     b.accel.control_writes.end());
        latched_hi = h.read(regs::kCyclesHi);
        control_after = h.read(regs::kControl);
    });
    ASSERT_EQ(got.size(), cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
        EXPECT_EQ(got[i].status, cases[i].expected) << cases[i].what;
        if (cases[i].req.cmd == tlm::TLM_READ_COMMAND && !cases[i].req.null_data) {
            EXPECT_EQ(got[i].data, std::vector<unsigned char>(cases[i].req.data.size(), 0xAA))
                << cases[i].what << ": data written into a refused read";
        }
        EXPECT_EQ(got[i].delay, b.bank.access_delay()) << cases[i].what << ": one access delay per error";
    }
    EXPECT_EQ(calls_after, calls_before) << "a refused transaction called a register source";
    EXPECT_TRUE(control_writes_during.empty()) << "a refused transaction wrote CONTROL";
    EXPECT_EQ(control_after, regs::control_mode(regs::kModeLoopback));
    EXPECT_EQ(latched_hi, 3u) << "a refused burst over CYCLES_LO re-latched the counter";

    const RegisterBankStats& s = b.bank.stats();
    EXPECT_EQ(s.address_errors, 12u);
    EXPECT_EQ(s.burst_errors, 8u);
    EXPECT_EQ(s.byte_enable_errors, 3u);
    EXPECT_EQ(s.command_errors, 4u);
    EXPECT_EQ(s.generic_errors, 1u);
    EXPECT_EQ(b.bank.errors(), cases.size());
    EXPECT_EQ(b.bank.accesses(), 4u);  // the four accesses of the script itself
}

TEST(RegisterBank, ByteEnablesAllOnAndIgnoreCommandAreAccepted) {
    AccelBench b;
    b.accel.cycles = 0xABCDEF0123ull;
    Response all_on, ignore;
    unsigned calls_before = 0, calls_after = 0;
    b.run([&](Host& h) {
        Request r = read_req(regs::kCyclesLo, 2);
        r.byte_enables = {0xFF, 0xFF, 0xFF, 0xFF};  // all enabled, pattern over 8 bytes
        all_on = h.transport(r);
        Request ign = write_req(regs::kControl, {regs::kControlStart});
        ign.cmd = tlm::TLM_IGNORE_COMMAND;
        calls_before = b.accel.source_calls;
        ignore = h.transport(ign);
        calls_after = b.accel.source_calls;
    });
    EXPECT_EQ(all_on.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(all_on.words(), (std::vector<uint32_t>{0xCDEF0123u, 0xABu}));
    EXPECT_EQ(ignore.status, tlm::TLM_OK_RESPONSE);
    EXPECT_TRUE(b.accel.control_writes.empty());
    EXPECT_EQ(calls_after, calls_before);
    EXPECT_EQ(b.bank.stats().ignores, 1u);
    EXPECT_EQ(b.bank.accesses(), 2u);
}

TEST(RegisterBank, AnnotatesTheAccessDelayWithoutWaiting) {
    AccelBench b;
    const sc_core::sc_time in(7, sc_core::SC_NS);
    Response one, burst, error, write;
    sc_core::sc_time end_of_script;
    b.run([&](Host& h) {
        one = h.transport(read_req(regs::kId), in);
        burst = h.transport(read_req(regs::kId, 4), in);
        error = h.transport(read_req(0x01C), in);
        write = h.transport(write_req(regs::kControl, {0}));
        end_of_script = sc_core::sc_time_stamp();
    });
    const sc_core::sc_time per_word = b.clock * double(kAccessCycles);  // 15 ns
    EXPECT_EQ(b.bank.access_delay(), per_word);
    EXPECT_EQ(one.delay, in + per_word);
    EXPECT_EQ(burst.delay, in + per_word * 4.0);
    EXPECT_EQ(error.delay, in + per_word);
    EXPECT_EQ(write.delay, per_word);
    for (const Response* r : {&one, &burst, &error, &write}) EXPECT_EQ(r->before, r->after) << "the bank waited";
    // The host waited each annotated delay in turn.
    EXPECT_EQ(end_of_script, one.delay + burst.delay + error.delay + write.delay);
}

TEST(RegisterBank, DebugTransportFromTheTestBody) {
    AccelBench b;
    b.accel.cycles = 0x5000000AAull;
    uint32_t lo = 0, hi = 0;
    b.host.script = [&](Host& h) {
        lo = h.read(regs::kCyclesLo);  // latches 0x5_000000AA
        sc_core::wait(sc_core::sc_time(1, sc_core::SC_US));
        hi = h.read(regs::kCyclesHi);
    };
    sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_NS));
    ASSERT_EQ(lo, 0xAAu);

    // Between the two reads, a debugger looks at the bank.
    b.accel.cycles = 0x7000000BBull;
    Response id = b.host.debug(read_req(regs::kId, 2));
    EXPECT_EQ(id.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(id.debug_bytes, 8u);
    EXPECT_EQ(id.words(), (std::vector<uint32_t>{regs::kIdValue, regs::kVersionValue}));
    Response cyc = b.host.debug(read_req(regs::kCyclesLo, 2));  // a consistent 64-bit value...
    EXPECT_EQ(cyc.words(), (std::vector<uint32_t>{0xBB, 7}));
    Response cyc_hi = b.host.debug(read_req(regs::kCyclesHi));  // ...that left the host's latch alone
    EXPECT_EQ(cyc_hi.words(), (std::vector<uint32_t>{5}));
    Response gap = b.host.debug(read_req(0x01C));
    EXPECT_EQ(gap.status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(gap.debug_bytes, 0u);
    Response ro = b.host.debug(write_req(regs::kVersion, {2}));
    EXPECT_EQ(ro.status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(ro.debug_bytes, 0u);
    Request be_req = read_req(regs::kId);
    be_req.byte_enables = {0xFF, 0xFF, 0x00, 0xFF};
    Response be = b.host.debug(be_req);
    EXPECT_EQ(be.status, tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    Response ctl = b.host.debug(write_req(regs::kControl, {regs::control_mode(regs::kModeLoopback)}));
    EXPECT_EQ(ctl.debug_bytes, 4u);
    EXPECT_EQ(b.accel.control_writes, (std::vector<uint32_t>{regs::control_mode(regs::kModeLoopback)}));
    EXPECT_EQ(b.host.debug(read_req(regs::kControl)).words().at(0), regs::control_mode(regs::kModeLoopback));

    sc_core::sc_start();
    EXPECT_TRUE(b.host.finished);
    EXPECT_EQ(hi, 5u);  // the b_transport HI read still sees the sample of its LO read
    // Debug accesses are counted apart from the bus accesses.
    EXPECT_EQ(b.bank.stats().debug_accesses, 5u);
    EXPECT_EQ(b.bank.stats().debug_errors, 3u);
    EXPECT_EQ(b.bank.accesses(), 2u);
    EXPECT_EQ(b.bank.errors(), 0u);
}

TEST(RegisterBank, DmiIsNotSupported) {
    AccelBench b;
    b.run([](Host&) {});
    tlm::tlm_generic_payload trans;
    trans.set_command(tlm::TLM_READ_COMMAND);
    trans.set_address(regs::kId);
    tlm::tlm_dmi dmi;
    EXPECT_FALSE(b.host.socket->get_direct_mem_ptr(trans, dmi));
    EXPECT_EQ(dmi.get_granted_access(), tlm::tlm_dmi::DMI_ACCESS_NONE);
    EXPECT_EQ(dmi.get_start_address(), 0u);
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

}  // namespace
}  // namespace qsim
