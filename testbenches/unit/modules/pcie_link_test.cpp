// PCIe link (tlm/pcie_link), loosely timed: what b_transport carries and the time it annotates.
// Each test builds its own LinkBench (pcie_link_testbench.hpp): a blocking initiator, with or
// without a quantum keeper, -> PcieLink -> MemoryTarget.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/network/network_config.hpp"
#include "testbenches/unit/modules/pcie_link_testbench.hpp"
#include "tlm/pcie_link.hpp"
#include "tlm/pcie_timing.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {
namespace pcie_link_test {

using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_time;
using testbench::BlockingInitiator;
using testbench::kBase;
using testbench::kSize;
using testbench::LinkBench;
using testbench::ns;
using testbench::pattern;
using testbench::read_req;
using testbench::Request;
using testbench::write_req;

TEST(PcieLink, RejectsAnInvalidConfiguration) {
    ensure_time_resolution();
    PcieConfig cfg;
    cfg.lanes = 5;
    EXPECT_THROW(PcieLink("bad", cfg), std::invalid_argument);
}

std::vector<size_t> transfer_sizes() { return {1, 64, 256, 257, 4096, 65536 + 3, 300000}; }

TEST(PcieLinkLt, BytesInEqualBytesOut) {
    ensure_time_resolution();
    std::vector<Request> reqs;
    std::vector<std::vector<uint8_t>> written;
    uint64_t addr = kBase, total = 0;
    std::vector<uint64_t> addrs;
    for (size_t n : transfer_sizes()) {
        written.push_back(pattern(n, unsigned(n)));
        addrs.push_back(addr);
        reqs.push_back(write_req(addr, written.back()));
        addr += n + 16;
        total += n;
    }
    for (size_t i = 0; i < written.size(); ++i) reqs.push_back(read_req(addrs[i], written[i].size()));
    LinkBench<BlockingInitiator> tb("tb", PcieConfig{}, reqs);
    sc_core::sc_start();

    const size_t n = written.size();
    for (size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(tb.init.results[i].done);
        EXPECT_EQ(tb.init.results[i].status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(tb.init.results[n + i].status, tlm::TLM_OK_RESPONSE);
        EXPECT_TRUE(std::equal(written[i].begin(), written[i].end(), tb.mem.mem.begin() + ptrdiff_t(addrs[i] - kBase)))
            << "write " << i;
        EXPECT_EQ(tb.init.results[n + i].data, written[i]) << "read " << i;
    }
    EXPECT_EQ(tb.link.bytes_host_to_device(), total);
    EXPECT_EQ(tb.link.bytes_device_to_host(), total);
    EXPECT_EQ(tb.link.transactions_host_to_device(), n);
    EXPECT_EQ(tb.link.transactions_device_to_host(), n);
    EXPECT_EQ(tb.link.stats().error_responses, 0u);
    EXPECT_EQ(tb.mem.log.size(), 2 * n);
    // Busy time is the wire time of everything carried.
    double wire = 0.0;
    for (size_t s : transfer_sizes()) wire += pcie_wire_time_ns(s, PcieConfig{});
    EXPECT_NEAR(ns(tb.link.busy_host_to_device()), wire, 1e-3);
    EXPECT_NEAR(ns(tb.link.busy_device_to_host()), wire, 1e-3);
}

TEST(PcieLinkLt, AnnotatedDelayIsTheTransferTimeNoWaitInside) {
    ensure_time_resolution();
    std::vector<Request> reqs;
    for (size_t n : transfer_sizes()) reqs.push_back(write_req(kBase, pattern(n, 1)));
    for (size_t n : transfer_sizes()) reqs.push_back(read_req(kBase, n));
    LinkBench<BlockingInitiator> tb("tb", PcieConfig{}, reqs);
    tb.mem.access_delay = sc_time(20, SC_NS);
    sc_core::sc_start();

    double sum = 0.0;
    for (size_t i = 0; i < reqs.size(); ++i) {
        const auto& r = tb.init.results[i];
        const double expect = pcie_transfer_time_ns(reqs[i].data.size(), PcieConfig{}) + 20.0;
        EXPECT_NEAR(ns(r.annotated), expect, 1e-3) << "request " << i;
        EXPECT_EQ(r.annotated, tb.link.transfer_time(reqs[i].data.size()) + sc_time(20, SC_NS));
        // The link did not wait: the call returned at the time it was made.
        EXPECT_EQ(r.finished - r.annotated, r.issued);
        // The target saw the transaction at the issue time plus the link's delay.
        EXPECT_EQ(tb.mem.log[i].time, r.issued + tb.link.transfer_time(reqs[i].data.size()));
        sum += expect;
    }
    EXPECT_NEAR(ns(tb.init.end_time), sum, 1e-3);
}

TEST(PcieLinkLt, OutOfRangeAddressGivesAddressError) {
    ensure_time_resolution();
    std::vector<Request> reqs = {write_req(kBase + kSize, pattern(64, 2)), read_req(kBase - 64, 64),
                                 write_req(kBase + kSize - 32, pattern(64, 3)),  // straddles the end
                                 write_req(kBase, pattern(64, 4)), read_req(kBase, 64)};
    LinkBench<BlockingInitiator> tb("tb", PcieConfig{}, reqs);
    sc_core::sc_start();
    const auto& r = tb.init.results;
    EXPECT_EQ(r[0].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(r[1].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(r[2].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(r[3].status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(r[4].status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(r[4].data, pattern(64, 4));
    EXPECT_EQ(tb.link.stats().error_responses, 3u);
}

TEST(PcieLinkLt, IncompleteResponseBecomesGenericError) {
    ensure_time_resolution();
    LinkBench<BlockingInitiator> tb(
        "tb", PcieConfig{}, std::vector<Request>{write_req(kBase + 128, pattern(16, 1)), write_req(kBase, pattern(16, 1))});
    tb.mem.incomplete_at = kBase + 128;
    sc_core::sc_start();
    EXPECT_EQ(tb.init.results[0].status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(tb.init.results[1].status, tlm::TLM_OK_RESPONSE);
}

TEST(PcieLinkLt, QuantumKeeperEndsAtTheSumOfDelays) {
    ensure_time_resolution();
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(HostConfig{}.quantum_ns * 10, SC_NS));
    PcieConfig cfg;
    cfg.transfer_overhead_ns = 50.0;  // short MMIO-like transfers: many fit in one quantum
    cfg.latency_ns = 100.0;
    std::vector<Request> reqs;
    for (int i = 0; i < 200; ++i) {
        const size_t n = size_t(8 + (i * 37) % 600);
        reqs.push_back(i % 3 == 2 ? read_req(kBase + uint64_t(i) * 1024, n) : write_req(kBase + uint64_t(i) * 1024, pattern(n, unsigned(i))));
    }
    LinkBench<BlockingInitiator> tb("tb", cfg, reqs, true);
    tb.mem.access_delay = sc_time(3, SC_NS);
    sc_core::sc_start();

    sc_time sum = SC_ZERO_TIME;
    double sum_formula = 0.0;
    for (size_t i = 0; i < reqs.size(); ++i) {
        sum += tb.init.results[i].annotated;
        sum_formula += pcie_transfer_time_ns(reqs[i].data.size(), cfg) + 3.0;
    }
    EXPECT_EQ(tb.init.end_time, sum);
    EXPECT_NEAR(ns(tb.init.end_time), sum_formula, 0.001);
    // Temporal decoupling happened: far fewer synchronisations than transactions.
    EXPECT_GT(tb.init.syncs, 0);
    EXPECT_LT(tb.init.syncs, int(reqs.size()) / 5);
    // The target saw each transaction at its decoupled local time.
    for (size_t i = 0; i < reqs.size(); ++i)
        EXPECT_EQ(tb.mem.log[i].time, tb.init.results[i].issued + tb.link.transfer_time(reqs[i].data.size()));
}

TEST(PcieLinkLt, ByteEnablesAndStreamingWidthPassThrough) {
    ensure_time_resolution();
    Request r = write_req(kBase + 16, {1, 2, 3, 4, 5, 6, 7, 8});
    r.byte_enable = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};  // every other byte
    LinkBench<BlockingInitiator> tb("tb", PcieConfig{}, std::vector<Request>{r});
    std::fill(tb.mem.mem.begin(), tb.mem.mem.begin() + 32, 0xEE);
    sc_core::sc_start();
    ASSERT_EQ(tb.mem.log.size(), 1u);
    EXPECT_NE(tb.mem.log[0].byte_enable, nullptr);
    EXPECT_EQ(tb.mem.log[0].byte_enable_length, 2u);
    EXPECT_EQ(tb.mem.log[0].streaming_width, 8u);
    const std::vector<uint8_t> expect = {1, 0xEE, 3, 0xEE, 5, 0xEE, 7, 0xEE};
    EXPECT_TRUE(std::equal(expect.begin(), expect.end(), tb.mem.mem.begin() + 16));
    EXPECT_EQ(tb.init.results[0].status, tlm::TLM_OK_RESPONSE);
}

}  // namespace pcie_link_test
}  // namespace qsim
