// Module tests of how the register bank handles a generic-payload transaction: every error
// response and that a refused transaction has no side effect, byte enables and the ignore
// command, the access delay it annotates without waiting, transport_dbg from the test body
// between two b_transport reads, and DMI (not supported). The register map itself:
// register_bank_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "tlm/register_bank.hpp"
#include "testbenches/unit/modules/register_bank_testbench.hpp"

namespace qsim {
namespace register_bank_transport_test {

using namespace register_bank_testbench;

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

}  // namespace register_bank_transport_test
}  // namespace qsim
