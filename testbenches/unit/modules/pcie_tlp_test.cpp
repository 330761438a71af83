// The approximately-timed PCIe model at TLP grain: PcieRootPort -> PcieEndpoint with the
// four base-protocol phases per TLP, flow-control credits, stream windows moved beat by beat,
// and the DMA timing rule it shares with the loosely-timed mode (models/dma/dma_timing). Each
// SystemC test builds its own testbench:
//   initiators -> [Mux] -> PcieRootPort -> PhaseProbe -> PcieEndpoint -> DeviceModel
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/dma/dma_timing.hpp"
#include "tlm/pcie_endpoint.hpp"
#include "tlm/pcie_root_port.hpp"
#include "tlm/pcie_timing.hpp"
#include "tlm/timed_block.hpp"
#include "testbenches/unit/modules/pcie_link_testbench.hpp"

namespace qsim {
namespace pcie_tlp_test {

using sc_core::SC_NS;
using sc_core::SC_US;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

constexpr uint64_t kStreamA = 0x1000'0000;  // stream windows (AXI4-stream, 32-byte beats)
constexpr uint64_t kStreamB = 0x2000'0000;
constexpr uint64_t kWindow = 0x0100'0000;   // 16 MiB each
constexpr uint64_t kRegs = 0x0000'0000;     // memory-mapped
constexpr unsigned kBeat = 32;

using testbench::ns;
using testbench::pattern;

DmaConfig dma_250() { return DmaConfig{}; }  // 256 bit at 250 MHz: 4 ns per beat

// ---------------------------------------------------------------------------------------
// Testbench parts

// Behind the endpoint: a memory for each window. Every access costs `beat_time` per
// stream beat (`mm_delay` for memory-mapped ones); a stream window can be held (not ready)
// until a time; an address outside the windows gets TLM_ADDRESS_ERROR_RESPONSE.
class DeviceModel : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<DeviceModel> socket;
    struct Access {
        tlm::tlm_command cmd;
        uint64_t addr;
        unsigned length;
        sc_time time;
    };
    std::vector<Access> log;
    std::map<uint64_t, std::vector<uint8_t>> mem;  // window base -> bytes
    sc_time beat_time = sc_time(4, SC_NS);
    sc_time mm_delay = sc_time(8, SC_NS);
    std::map<uint64_t, sc_time> held_until;  // window base -> not ready before

    explicit DeviceModel(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {
        for (uint64_t base : {kRegs, kStreamA, kStreamB}) mem[base].assign(kWindow, 0);
        socket.register_b_transport(this, &DeviceModel::b_transport);
    }

    void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
        const uint64_t base = t.get_address() & ~(kWindow - 1);
        auto m = mem.find(base);
        if (m == mem.end() || t.get_address() + t.get_data_length() > base + kWindow) {
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        auto h = held_until.find(base);
        if (h != held_until.end() && h->second > sc_time_stamp() + delay) wait(h->second - sc_time_stamp());
        else wait(delay);
        delay = SC_ZERO_TIME;
        log.push_back({t.get_command(), t.get_address(), t.get_data_length(), sc_time_stamp()});
        uint8_t* cell = m->second.data() + (t.get_address() - base);
        if (t.is_write()) std::memcpy(cell, t.get_data_ptr(), t.get_data_length());
        if (t.is_read()) std::memcpy(t.get_data_ptr(), cell, t.get_data_length());
        delay = base == kRegs ? mm_delay : beat_time;
        t.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

// Between the root port and the endpoint: records every phase of every TLP.
class PhaseProbe : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<PhaseProbe> in;
    tlm_utils::simple_initiator_socket<PhaseProbe> out;
    struct Event {
        uint64_t sequence;
        tlm::tlm_phase phase;
        sc_time time;  // when the phase takes effect (call time + annotation)
        bool read;
        unsigned length;
    };
    std::vector<Event> events;

    explicit PhaseProbe(sc_core::sc_module_name n) : sc_core::sc_module(n), in("in"), out("out") {
        in.register_nb_transport_fw(this, &PhaseProbe::fw);
        out.register_nb_transport_bw(this, &PhaseProbe::bw);
    }

    // Events of one TLP, in the order they took effect.
    std::vector<Event> of(uint64_t sequence) const {
        std::vector<Event> v;
        for (const auto& e : events)
            if (e.sequence == sequence) v.push_back(e);
        std::stable_sort(v.begin(), v.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
        return v;
    }

private:
    void record(tlm::tlm_generic_payload& t, const tlm::tlm_phase& p, const sc_time& d) {
        const PcieTlpTag* tag = t.get_extension<PcieTlpTag>();
        events.push_back({tag ? tag->sequence : 0, p, sc_time_stamp() + d, t.is_read(), t.get_data_length()});
    }
    tlm::tlm_sync_enum fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& p, sc_time& d) {
        record(t, p, d);
        return out->nb_transport_fw(t, p, d);
    }
    tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& p, sc_time& d) {
        record(t, p, d);
        return in->nb_transport_bw(t, p, d);
    }
};

struct Request {
    tlm::tlm_command cmd;
    uint64_t addr;
    std::vector<uint8_t> data;  // write data; for a read, its size is the length
    sc_time start;
};
Request wr(uint64_t a, std::vector<uint8_t> d, sc_time at = SC_ZERO_TIME) { return {tlm::TLM_WRITE_COMMAND, a, std::move(d), at}; }
Request rd(uint64_t a, size_t n, sc_time at = SC_ZERO_TIME) { return {tlm::TLM_READ_COMMAND, a, std::vector<uint8_t>(n), at}; }

struct Result {
    bool done = false;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    std::vector<uint8_t> data;
    sc_time issued, finished;
    double span_ns() const { return ns(finished - issued); }
};

// Blocking host: each request with b_transport once its start time has come.
class Host : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Host> socket;
    std::vector<Result> results;

    SC_HAS_PROCESS(Host);
    Host(sc_core::sc_module_name n, std::vector<Request> reqs) : sc_core::sc_module(n), socket("socket"), reqs_(std::move(reqs)) {
        results.resize(reqs_.size());
        SC_THREAD(run);
    }

private:
    void run() {
        for (size_t i = 0; i < reqs_.size(); ++i) {
            Request& r = reqs_[i];
            if (r.start > sc_time_stamp()) wait(r.start - sc_time_stamp());
            tlm::tlm_generic_payload t;
            t.set_command(r.cmd);
            t.set_address(r.addr);
            t.set_data_ptr(r.data.data());
            t.set_data_length(unsigned(r.data.size()));
            t.set_streaming_width(unsigned(r.data.size()));
            t.set_byte_enable_ptr(nullptr);
            t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            Result& res = results[i];
            res.issued = sc_time_stamp();
            sc_time delay = SC_ZERO_TIME;
            socket->b_transport(t, delay);
            wait(delay);
            res.finished = sc_time_stamp();
            res.status = t.get_response_status();
            res.data = r.data;
            res.done = true;
        }
    }
    std::vector<Request> reqs_;
};

// Two hosts onto the root port's one socket (blocking transport only).
class Mux : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<Mux> in;
    tlm_utils::simple_initiator_socket<Mux> out;
    explicit Mux(sc_core::sc_module_name n) : sc_core::sc_module(n), in("in"), out("out") {
        in.register_b_transport(this, &Mux::b_transport);
    }

private:
    void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) { out->b_transport(t, d); }
};

// Root port -> probe -> endpoint -> device, with stream windows A and B.
struct Link {
    Link(const PcieConfig& cfg, PcieCredits credits = {})
        : rc("rc", cfg, credits), probe("probe"), ep("ep", cfg, credits), dev("dev") {
        rc.tlp_out.bind(probe.in);
        probe.out.bind(ep.tlp_in);
        ep.device_side.bind(dev.socket);
        ep.add_stream_window("a", kStreamA, kWindow, kBeat);
        ep.add_stream_window("b", kStreamB, kWindow, kBeat);
        ep.record_arrivals(true);
    }
    PcieRootPort rc;
    PhaseProbe probe;
    PcieEndpoint ep;
    DeviceModel dev;
};

// ---------------------------------------------------------------------------------------
// The timing rule (no kernel)

TEST(DmaTiming, OneTlpWriteAndReadByHand) {
    const PcieConfig p;
    const DmaConfig d = dma_250();
    const double w256 = (256 + 24) / 7.876923076923077;  // Gen3 x8 raw bytes per ns
    EXPECT_NEAR(pcie_tlp_time_ns(256, p), w256, 1e-9);
    EXPECT_EQ(dma_beat_bytes(d), 32u);
    EXPECT_DOUBLE_EQ(dma_tlp_stream_ns(256, d), 8 * 4.0);
    // overhead, the TLP's wire time, latency, its 8 beats, the status back.
    EXPECT_NEAR(dma_stream_write_ns(256, p, d), 1000 + w256 + 500 + 32 + 500, 1e-9);
    // overhead, the request's header, latency, 8 beats gathered, the completion, latency.
    EXPECT_NEAR(dma_stream_read_ns(256, p, d), 1000 + pcie_tlp_time_ns(0, p) + 500 + 32 + w256 + 500, 1e-9);
}

TEST(DmaTiming, TheStreamOverlapsTheWireOfLaterTlps) {
    const PcieConfig p;
    const DmaConfig d = dma_250();
    // 300 bytes: 256 + 44. The second TLP arrives 9.7 ns after the first, before the first's
    // 8 beats are through (32 ns); its 2 beats follow them.
    const double a1 = 1000 + pcie_tlp_time_ns(256, p) + 500;
    EXPECT_NEAR(dma_stream_write_ns(300, p, d), a1 + 32 + 8 + 500, 1e-9);
    // Large transfers are wire bound: the link's time plus one TLP's beats and the status.
    const uint64_t n = 16384;
    EXPECT_NEAR(dma_stream_write_ns(n, p, d), pcie_transfer_time_ns(n, p) + 32 + 500, 1e-6);
    // A stream slower than the link bounds it: 16 KiB of 8-bit beats at 250 MHz.
    DmaConfig narrow = d;
    narrow.stream_bits = 8;
    EXPECT_GT(dma_stream_write_ns(n, p, narrow), 1000 + 500 + 16384 * 4.0);
    EXPECT_LT(dma_stream_write_ns(n, p, narrow), 1000 + 500 + 16384 * 4.0 + 2 * pcie_tlp_time_ns(256, p) + 500);
}

// ---------------------------------------------------------------------------------------
// The protocol

TEST(PcieTlp, EveryTlpGoesThroughTheFourPhasesOneAtATimeOnTheWire) {
    ensure_time_resolution();
    const PcieConfig cfg;
    Host host("host", {wr(kStreamA, pattern(1000, 1)), rd(kStreamA, 600)});
    Link link(cfg);
    host.socket.bind(link.rc.host_side);
    sc_core::sc_start();

    ASSERT_TRUE(host.results[0].done && host.results[1].done);
    EXPECT_EQ(host.results[0].status, tlm::TLM_OK_RESPONSE);
    const std::vector<uint8_t> written = pattern(1000, 1);
    EXPECT_EQ(host.results[1].data, std::vector<uint8_t>(written.begin(), written.begin() + 600));
    // 1000 bytes: 4 write TLPs (256, 256, 256, 232); 600 bytes: 3 read requests.
    EXPECT_EQ(link.rc.stats().write_tlps, 4u);
    EXPECT_EQ(link.rc.stats().read_tlps, 3u);
    EXPECT_EQ(link.ep.stats().completions, 3u);
    const std::vector<unsigned> lengths = {256, 256, 256, 232, 256, 256, 88};
    sc_time previous_end_req = SC_ZERO_TIME;
    for (uint64_t seq = 1; seq <= 7; ++seq) {
        const auto e = link.probe.of(seq);
        ASSERT_EQ(e.size(), 4u) << "TLP " << seq;
        EXPECT_EQ(e[0].phase, tlm::BEGIN_REQ);
        EXPECT_EQ(e[1].phase, tlm::END_REQ);
        EXPECT_EQ(e[2].phase, tlm::BEGIN_RESP);
        EXPECT_EQ(e[3].phase, tlm::END_RESP);
        EXPECT_EQ(e[0].length, lengths[seq - 1]);
        // END_REQ after the TLP's wire time: its data for a write, only its header for a read.
        const double wire = pcie_tlp_time_ns(e[0].read ? 0 : e[0].length, cfg);
        EXPECT_NEAR(ns(e[1].time - e[0].time), wire, 1e-3) << "TLP " << seq;
        // One TLP at a time on the down wire.
        EXPECT_GE(e[0].time, previous_end_req) << "TLP " << seq;
        previous_end_req = e[1].time;
        // The response comes after the latency (there and back).
        EXPECT_GE(ns(e[2].time - e[1].time), 2 * cfg.latency_ns) << "TLP " << seq;
    }
    // Each transfer takes the time of the rule the loosely-timed mode annotates.
    EXPECT_NEAR(host.results[0].span_ns(), dma_stream_write_ns(1000, cfg, dma_250()), 1e-3);
    EXPECT_NEAR(host.results[1].span_ns(), dma_stream_read_ns(600, cfg, dma_250()), 1e-3);
    // Beat by beat: 1000 bytes in 32 beats (31 full, one of 8), 600 in 19.
    EXPECT_EQ(link.dev.log.size(), 32u + 19u);
    EXPECT_EQ(link.ep.window_stats()[1].beats, 51u);
    EXPECT_EQ(link.rc.tlps_outstanding(), 0u);
    EXPECT_EQ(link.rc.in_flight(), 0u);
}

TEST(PcieTlp, MemoryMappedAccessesAreOneTransactionPerTlp) {
    ensure_time_resolution();
    const PcieConfig cfg;
    std::vector<uint8_t> word = {1, 2, 3, 4};
    Host host("host", {wr(kRegs + 0x40, word), rd(kRegs + 0x40, 4)});
    Link link(cfg);
    host.socket.bind(link.rc.host_side);
    sc_core::sc_start();
    ASSERT_EQ(link.dev.log.size(), 2u);
    EXPECT_EQ(link.dev.log[0].length, 4u);
    EXPECT_EQ(host.results[1].data, word);
    // The register's own delay (8 ns) adds to the round trip.
    const double w4 = pcie_tlp_time_ns(4, cfg), w0 = pcie_tlp_time_ns(0, cfg);
    EXPECT_NEAR(host.results[0].span_ns(), 1000 + w4 + 500 + 8 + 500, 1e-3);
    EXPECT_NEAR(host.results[1].span_ns(), 1000 + w0 + 500 + 8 + w4 + 500, 1e-3);
    // DMI would bypass the link: denied.
    tlm::tlm_generic_payload t;
    t.set_address(kRegs);
    tlm::tlm_dmi dmi;
    EXPECT_FALSE(host.socket->get_direct_mem_ptr(t, dmi));
}

TEST(PcieTlp, CreditsBoundTheTlpsInFlight) {
    ensure_time_resolution();
    const PcieConfig cfg;
    PcieCredits few;
    few.posted = 4;
    few.non_posted = 2;
    Host host("host", {wr(kStreamA, pattern(16384, 3)), rd(kStreamA, 4096)});
    Link link(cfg, few);
    link.dev.beat_time = sc_time(50, SC_NS);  // a slow stream: 0.64 GB/s
    host.socket.bind(link.rc.host_side);
    sc_core::sc_start();

    const std::vector<uint8_t> written = pattern(16384, 3);
    EXPECT_EQ(host.results[1].data, std::vector<uint8_t>(written.begin(), written.begin() + 4096));
    EXPECT_EQ(link.rc.stats().peak_posted_in_flight, 4);
    EXPECT_EQ(link.rc.stats().peak_non_posted_in_flight, 2);
    EXPECT_LE(link.ep.stats().peak_posted, 4);
    EXPECT_LE(link.ep.stats().peak_non_posted, 2);
    EXPECT_GT(ns(link.rc.stats().credit_stall), 1000.0);
    // The stream bounds the write: 512 beats of 50 ns.
    EXPECT_GT(host.results[0].span_ns(), 512 * 50.0);
    EXPECT_LT(host.results[0].span_ns(), 512 * 50.0 + 4000.0);
}

TEST(PcieTlp, EnoughCreditsAndAFastStreamNeverStallAWrite) {
    ensure_time_resolution();
    const PcieConfig cfg;
    // 64 credits cover the round trip of a posted TLP (wire, latency, 8 beats, latency).
    Host host("host", {wr(kStreamA, pattern(65536, 4))});
    Link link(cfg);
    host.socket.bind(link.rc.host_side);
    sc_core::sc_start();
    EXPECT_EQ(link.rc.stats().credit_stall, SC_ZERO_TIME);
    EXPECT_NEAR(host.results[0].span_ns(), dma_stream_write_ns(65536, cfg, dma_250()), 1e-3);
    EXPECT_NEAR(ns(link.rc.stats().down_busy), pcie_wire_time_ns(65536, cfg), 1e-3);
    // The endpoint frees a buffer when its beats are through; the credit is back later.
    EXPECT_LE(link.ep.stats().peak_posted, link.rc.stats().peak_posted_in_flight);
    EXPECT_LT(link.rc.stats().peak_posted_in_flight, 64);
}

TEST(PcieTlp, ReadRequestsRunAheadOfTheirCompletions) {
    ensure_time_resolution();
    const PcieConfig cfg;
    // 256 read requests: the non-posted credits hold back the later ones, but they still reach
    // the endpoint before it has gathered the data of the earlier ones: the rule's time.
    Host host("host", {rd(kStreamA, 65536)});
    Link link(cfg);
    host.socket.bind(link.rc.host_side);
    sc_core::sc_start();
    EXPECT_EQ(link.rc.stats().peak_non_posted_in_flight, 64);
    EXPECT_NEAR(host.results[0].span_ns(), dma_stream_read_ns(65536, cfg, dma_250()), 1e-3);
    EXPECT_NEAR(ns(link.rc.stats().down_busy), 256 * pcie_tlp_time_ns(0, cfg), 1e-3);
    EXPECT_NEAR(ns(link.ep.stats().up_busy), pcie_wire_time_ns(65536, cfg), 1e-3);
}

TEST(PcieTlp, BackpressureFromAHeldStreamStopsTheLink) {
    ensure_time_resolution();
    const PcieConfig cfg;
    PcieCredits credits;
    credits.posted = 8;
    Host host("host", {wr(kStreamA, pattern(8192, 5))});
    Link link(cfg, credits);
    link.dev.held_until[kStreamA] = sc_time(20, SC_US);  // not ready before 20 us
    host.socket.bind(link.rc.host_side);
    sc_core::sc_start();

    // Eight TLPs fill the receive buffer; no TLP is sent again until the stream takes beats.
    std::vector<sc_time> begins;
    for (const auto& e : link.probe.events)
        if (e.phase == tlm::BEGIN_REQ) begins.push_back(e.time);
    ASSERT_EQ(begins.size(), 32u);
    EXPECT_LT(ns(begins[7]), 2000.0);
    EXPECT_GE(ns(begins[8]), 20000.0 + cfg.latency_ns);  // a credit back: beats taken, then the latency
    EXPECT_EQ(ns(link.dev.log.front().time), 20000.0);
    EXPECT_GT(ns(link.rc.stats().credit_stall), 17000.0);
    EXPECT_EQ(link.dev.mem[kStreamA][8191], pattern(8192, 5)[8191]);
}

TEST(PcieTlp, ConcurrentTransfersShareTheWireTlpByTlp) {
    ensure_time_resolution();
    PcieConfig cfg;
    cfg.transfer_overhead_ns = 0.0;
    cfg.latency_ns = 0.0;
    const size_t n = 65536;
    Host ch0("ch0", {wr(kStreamA, pattern(n, 6))});
    Host ch1("ch1", {wr(kStreamB, pattern(n, 7))});
    Mux mux("mux");
    Link link(cfg);
    ch0.socket.bind(mux.in);
    ch1.socket.bind(mux.in);
    mux.out.bind(link.rc.host_side);
    sc_core::sc_start();

    // Round robin: the TLPs of the two transfers alternate on the wire.
    const auto& arrivals = link.ep.arrivals();
    ASSERT_EQ(arrivals.size(), 512u);
    for (size_t i = 0; i + 1 < arrivals.size(); i += 2) {
        const uint64_t a = arrivals[i].address & ~(kWindow - 1), b = arrivals[i + 1].address & ~(kWindow - 1);
        ASSERT_NE(a, b) << "arrivals " << i << ", " << i + 1;
        ASSERT_LT(arrivals[i].sequence, arrivals[i + 1].sequence);
    }
    // Both end when the wire has carried both: each takes about twice its time alone.
    const double alone = dma_stream_write_ns(n, cfg, dma_250());
    const double both = 2 * pcie_wire_time_ns(n, cfg);
    EXPECT_NEAR(ch0.results[0].span_ns(), both, 2 * pcie_tlp_time_ns(256, cfg) + 40.0);
    EXPECT_NEAR(ch1.results[0].span_ns(), both, 2 * pcie_tlp_time_ns(256, cfg) + 40.0);
    EXPECT_GT(ch0.results[0].span_ns(), 1.9 * alone);
    EXPECT_EQ(link.dev.mem[kStreamA][n - 1], pattern(n, 6)[n - 1]);
    EXPECT_EQ(link.dev.mem[kStreamB][n - 1], pattern(n, 7)[n - 1]);
}

TEST(PcieTlp, AHeldWindowKeepsItsOrderAndDoesNotBlockTheOthers) {
    ensure_time_resolution();
    const PcieConfig cfg;
    // Window A is held for 30 us: its write waits, and the read behind it returns the written
    // data. Window B's write and read meanwhile complete at once.
    Host a("a", {wr(kStreamA, pattern(2048, 8)), rd(kStreamA, 2048)});
    Host b("b", {wr(kStreamB, pattern(2048, 9), sc_time(1, SC_US)), rd(kStreamB, 2048)});
    Mux mux("mux");
    Link link(cfg);
    link.dev.held_until[kStreamA] = sc_time(30, SC_US);
    a.socket.bind(mux.in);
    b.socket.bind(mux.in);
    mux.out.bind(link.rc.host_side);
    sc_core::sc_start();

    EXPECT_EQ(a.results[1].data, pattern(2048, 8));
    EXPECT_EQ(b.results[1].data, pattern(2048, 9));
    EXPECT_GT(ns(a.results[0].finished), 30000.0);
    EXPECT_LT(ns(b.results[1].finished), 15000.0);
    // The device saw every beat of A's write before the first of A's read.
    size_t last_write = 0, first_read = link.dev.log.size();
    for (size_t i = 0; i < link.dev.log.size(); ++i) {
        const auto& x = link.dev.log[i];
        if ((x.addr & ~(kWindow - 1)) != kStreamA) continue;
        if (x.cmd == tlm::TLM_WRITE_COMMAND) last_write = i;
        else first_read = std::min(first_read, i);
    }
    EXPECT_LT(last_write, first_read);
}

TEST(PcieTlp, ErrorResponsesReachTheHost) {
    ensure_time_resolution();
    const PcieConfig cfg;
    // 0x3000_0000 is in no window of the device model; the second TLP of the last write runs
    // past the end of stream window B.
    Host host("host", {wr(0x3000'0000, pattern(512, 1)), rd(0x3000'0000, 64), wr(kStreamA, pattern(64, 2)),
                       wr(kStreamB + kWindow - 256, pattern(512, 3))});
    Link link(cfg);
    host.socket.bind(link.rc.host_side);
    sc_core::sc_start();
    EXPECT_EQ(host.results[0].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(host.results[1].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(host.results[2].status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(host.results[3].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(link.rc.stats().error_responses, 3u);
    EXPECT_EQ(link.rc.tlps_outstanding(), 0u);
}

// A transfer-level initiator that pipelines its requests with nb_transport_fw.
class NbHost : public sc_core::sc_module, public tlm::tlm_mm_interface {
public:
    tlm_utils::simple_initiator_socket<NbHost> socket;
    std::vector<std::vector<uint8_t>> buffers;
    std::vector<tlm::tlm_response_status> status;
    std::vector<sc_time> finished;
    int freed = 0;

    SC_HAS_PROCESS(NbHost);
    NbHost(sc_core::sc_module_name n, std::vector<Request> reqs) : sc_core::sc_module(n), socket("socket"), reqs_(std::move(reqs)) {
        socket.register_nb_transport_bw(this, &NbHost::bw);
        status.assign(reqs_.size(), tlm::TLM_INCOMPLETE_RESPONSE);
        finished.resize(reqs_.size());
        SC_THREAD(run);
    }
    ~NbHost() override {
        for (auto* p : payloads_) delete p;
    }
    void free(tlm::tlm_generic_payload*) override { ++freed; }

private:
    void run() {
        for (size_t i = 0; i < reqs_.size(); ++i) {
            buffers.push_back(reqs_[i].data);
            auto* t = new tlm::tlm_generic_payload();
            payloads_.push_back(t);
            t->set_mm(this);
            t->acquire();
            t->set_command(reqs_[i].cmd);
            t->set_address(reqs_[i].addr);
            t->set_data_ptr(buffers.back().data());
            t->set_data_length(unsigned(buffers.back().size()));
            t->set_streaming_width(unsigned(buffers.back().size()));
            index_[t] = i;
            tlm::tlm_phase phase = tlm::BEGIN_REQ;
            sc_time delay = SC_ZERO_TIME;
            EXPECT_EQ(socket->nb_transport_fw(*t, phase, delay), tlm::TLM_UPDATED);
            EXPECT_EQ(phase, tlm::END_REQ);
        }
    }
    tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& phase, sc_time& delay) {
        EXPECT_EQ(phase, tlm::BEGIN_RESP);
        const size_t i = index_.at(&t);
        status[i] = t.get_response_status();
        finished[i] = sc_time_stamp() + delay;
        t.release();
        return tlm::TLM_COMPLETED;
    }
    std::vector<Request> reqs_;
    std::vector<tlm::tlm_generic_payload*> payloads_;
    std::map<const tlm::tlm_generic_payload*, size_t> index_;
};

TEST(PcieTlp, NonBlockingTransfersArePipelined) {
    ensure_time_resolution();
    const PcieConfig cfg;
    // Four 4 KiB writes issued at once share the wire and their fixed costs overlap: all done
    // in about the time of one 16 KiB write, not four times a 4 KiB write.
    std::vector<Request> reqs;
    for (int i = 0; i < 4; ++i) reqs.push_back(wr(kStreamA + uint64_t(i) * 4096, pattern(4096, unsigned(i))));
    NbHost host("host", reqs);
    Link link(cfg);
    host.socket.bind(link.rc.host_side);
    sc_core::sc_start();
    for (int i = 0; i < 4; ++i) EXPECT_EQ(host.status[size_t(i)], tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(host.freed, 4);
    const double last = ns(*std::max_element(host.finished.begin(), host.finished.end()));
    EXPECT_NEAR(last, dma_stream_write_ns(16384, cfg, dma_250()), 2 * pcie_tlp_time_ns(256, cfg));
    EXPECT_LT(last, 2 * dma_stream_write_ns(4096, cfg, dma_250()));
    EXPECT_EQ(link.dev.mem[kStreamA][16383], pattern(4096, 3)[4095]);
    EXPECT_EQ(link.rc.in_flight(), 0u);
}

TEST(PcieTlp, RejectsBadCreditsAndConfigurations) {
    ensure_time_resolution();
    PcieCredits none;
    none.posted = 0;
    EXPECT_THROW(PcieRootPort("bad", PcieConfig{}, none), std::invalid_argument);
    PcieConfig bad;
    bad.lanes = 3;
    EXPECT_THROW(PcieEndpoint("bad_ep", bad), std::invalid_argument);
}

}  // namespace pcie_tlp_test
}  // namespace qsim
