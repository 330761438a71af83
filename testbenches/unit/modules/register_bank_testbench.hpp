// The testbench of the register-bank module tests (register_bank_test.cpp,
// register_bank_transport_test.cpp): one generic-payload transaction as the host builds it and
// what came back, a loosely-timed host initiator that runs a script in its SC_THREAD (and
// transport_dbg from the test body), a fake accelerator behind the register sources that counts
// their calls, and AccelBench, the accelerator's register map with both bound to it.
// Header-only; everything is inline.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlm/register_bank.hpp"
#include "tlm/timed_block.hpp"

namespace qsim::register_bank_testbench {

using Access = RegisterBank::Access;
inline constexpr unsigned kAccessCycles = 3;

inline sc_core::sc_time period() {
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

inline Request read_req(uint64_t address, unsigned words = 1) {
    Request r;
    r.address = address;
    r.data.assign(4 * words, 0xAA);
    return r;
}

inline Request write_req(uint64_t address, const std::vector<uint32_t>& words) {
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

}  // namespace qsim::register_bank_testbench
