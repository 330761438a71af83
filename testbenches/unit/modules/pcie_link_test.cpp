// PCIe link: the timing rules (tlm/pcie_timing) and the TLM link model (tlm/pcie_link) in its
// loosely-timed and approximately-timed styles. Each SystemC test builds its own testbench:
// initiators (blocking with or without a quantum keeper, or non-blocking with a memory
// manager) -> [HostMux when there are two or more] -> PcieLink -> MemoryTarget.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/network/network_config.hpp"
#include "tlm/pcie_link.hpp"
#include "tlm/pcie_timing.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {
namespace {

using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kBase = 0x40000000;      // the target's window
constexpr uint64_t kSize = 4 * kMiB;

double ns(const sc_time& t) { return t.to_seconds() * 1e9; }

std::vector<uint8_t> pattern(size_t n, unsigned seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 1;
    for (auto& b : v) {
        x = x * 1664525u + 1013904223u;
        b = uint8_t(x >> 24);
    }
    return v;
}

// ---------------------------------------------------------------------------------------
// Testbench parts

// Memory manager of the non-blocking initiators: counts payloads handed out and not yet back.
class PayloadPool : public tlm::tlm_mm_interface {
public:
    ~PayloadPool() override {
        for (auto* p : free_) delete p;
    }
    tlm::tlm_generic_payload* allocate() {
        tlm::tlm_generic_payload* p;
        if (free_.empty()) {
            p = new tlm::tlm_generic_payload();
            p->set_mm(this);
        } else {
            p = free_.back();
            free_.pop_back();
        }
        ++outstanding_;
        return p;
    }
    void free(tlm::tlm_generic_payload* p) override {
        p->reset();
        free_.push_back(p);
        --outstanding_;
    }
    int outstanding() const { return outstanding_; }

private:
    std::vector<tlm::tlm_generic_payload*> free_;
    int outstanding_ = 0;
};

// A memory of kSize bytes at kBase; other addresses get TLM_ADDRESS_ERROR_RESPONSE. Each
// access adds `access_delay`. An access at `incomplete_at` leaves the response incomplete.
class MemoryTarget : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<MemoryTarget> socket;

    struct Access {
        tlm::tlm_command cmd;
        uint64_t addr;
        unsigned length;
        const unsigned char* byte_enable;
        unsigned byte_enable_length;
        unsigned streaming_width;
        sc_time time;
    };
    std::vector<Access> log;
    std::vector<uint8_t> mem = std::vector<uint8_t>(kSize, 0);
    sc_time access_delay = SC_ZERO_TIME;
    uint64_t incomplete_at = ~uint64_t(0);
    bool grant_dmi = false;

    explicit MemoryTarget(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {
        socket.register_b_transport(this, &MemoryTarget::b_transport);
        socket.register_transport_dbg(this, &MemoryTarget::transport_dbg);
        socket.register_get_direct_mem_ptr(this, &MemoryTarget::get_direct_mem_ptr);
    }

    void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
        log.push_back({t.get_command(), t.get_address(), t.get_data_length(), t.get_byte_enable_ptr(),
                       t.get_byte_enable_length(), t.get_streaming_width(), sc_time_stamp() + delay});
        if (t.get_address() == incomplete_at) return;
        if (!access(t)) return;
        t.set_dmi_allowed(grant_dmi);
        delay += access_delay;
    }

    unsigned transport_dbg(tlm::tlm_generic_payload& t) {
        return access(t) ? t.get_data_length() : 0;
    }

    bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
        dmi.set_start_address(kBase);
        dmi.set_end_address(kBase + kSize - 1);
        if (!grant_dmi) return false;
        dmi.set_dmi_ptr(mem.data());
        dmi.allow_read_write();
        dmi.set_read_latency(sc_time(5, SC_NS));
        dmi.set_write_latency(sc_time(7, SC_NS));
        return true;
    }

private:
    // Byte i of the payload is at address + i % streaming width; disabled bytes are skipped.
    bool access(tlm::tlm_generic_payload& t) {
        const uint64_t a = t.get_address();
        const unsigned len = t.get_data_length();
        const unsigned sw = t.get_streaming_width() == 0 ? len : t.get_streaming_width();
        const unsigned span = std::min(len, sw);
        if (a < kBase || a + span > kBase + kSize) {
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return false;
        }
        if (t.is_write() || t.is_read()) {
            for (unsigned i = 0; i < len; ++i) {
                const unsigned char* be = t.get_byte_enable_ptr();
                if (be != nullptr && be[i % t.get_byte_enable_length()] != TLM_BYTE_ENABLED) continue;
                uint8_t& cell = mem[size_t(a - kBase + i % sw)];
                if (t.is_write())
                    cell = t.get_data_ptr()[i];
                else
                    t.get_data_ptr()[i] = cell;
            }
        }
        t.set_response_status(tlm::TLM_OK_RESPONSE);
        return true;
    }
};

struct Request {
    tlm::tlm_command cmd = tlm::TLM_WRITE_COMMAND;
    uint64_t addr = kBase;
    std::vector<uint8_t> data;  // write data; for a read, its size is the length
    sc_time start = SC_ZERO_TIME;
    std::vector<uint8_t> byte_enable;  // empty: none
};

Request write_req(uint64_t addr, std::vector<uint8_t> data, sc_time start = SC_ZERO_TIME) {
    Request r;
    r.cmd = tlm::TLM_WRITE_COMMAND;
    r.addr = addr;
    r.data = std::move(data);
    r.start = start;
    return r;
}

Request read_req(uint64_t addr, size_t n, sc_time start = SC_ZERO_TIME) {
    Request r;
    r.cmd = tlm::TLM_READ_COMMAND;
    r.addr = addr;
    r.data.assign(n, 0);
    r.start = start;
    return r;
}

struct Result {
    bool done = false;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    std::vector<uint8_t> data;
    sc_time issued, finished;
    sc_time annotated;  // blocking: delay added by the call
    sc_time span() const { return finished - issued; }
};

void fill(tlm::tlm_generic_payload& t, const Request& r, std::vector<uint8_t>& buffer,
          std::vector<uint8_t>& byte_enable) {
    buffer = r.data;
    byte_enable = r.byte_enable;
    t.set_command(r.cmd);
    t.set_address(r.addr);
    t.set_data_ptr(buffer.data());
    t.set_data_length(unsigned(buffer.size()));
    t.set_streaming_width(unsigned(buffer.size()));
    t.set_byte_enable_ptr(byte_enable.empty() ? nullptr : byte_enable.data());
    t.set_byte_enable_length(unsigned(byte_enable.size()));
    t.set_dmi_allowed(false);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

// Issues its requests with b_transport on payloads without a memory manager. Without a
// quantum keeper it waits for each annotated delay (and for each request's start time); with
// one it decouples and synchronises only when the quantum is used up.
class BlockingInitiator : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<BlockingInitiator> socket;
    std::vector<Result> results;
    int syncs = 0;
    sc_time end_time;

    SC_HAS_PROCESS(BlockingInitiator);
    BlockingInitiator(sc_core::sc_module_name n, std::vector<Request> requests, bool quantum_keeper = false)
        : sc_core::sc_module(n), socket("socket"), requests_(std::move(requests)), use_qk_(quantum_keeper) {
        results.resize(requests_.size());
        SC_THREAD(run);
    }

private:
    void run() {
        tlm_utils::tlm_quantumkeeper qk;
        qk.reset();
        for (size_t i = 0; i < requests_.size(); ++i) {
            const Request& r = requests_[i];
            if (!use_qk_ && r.start > sc_time_stamp()) wait(r.start - sc_time_stamp());
            tlm::tlm_generic_payload t;
            std::vector<uint8_t> buffer, be;
            fill(t, r, buffer, be);
            sc_time delay = use_qk_ ? qk.get_local_time() : SC_ZERO_TIME;
            const sc_time before = delay;
            Result& res = results[i];
            res.issued = sc_time_stamp() + delay;
            socket->b_transport(t, delay);
            res.annotated = delay - before;
            res.status = t.get_response_status();
            res.data = buffer;
            res.done = true;
            if (use_qk_) {
                qk.set(delay);
                if (qk.need_sync()) {
                    qk.sync();
                    ++syncs;
                }
                res.finished = qk.get_current_time();
            } else {
                wait(delay);
                res.finished = sc_time_stamp();
            }
        }
        if (use_qk_) qk.sync();
        end_time = sc_time_stamp();
    }

    std::vector<Request> requests_;
    bool use_qk_;
};

// How a non-blocking initiator answers BEGIN_RESP.
enum class RespStyle { Completed, UpdatedEndResp, AcceptedThenEndResp };

// Issues its requests with nb_transport_fw (base protocol). Pipelined: every request is sent
// at its start time without waiting for earlier responses; otherwise one at a time.
class AtInitiator : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<AtInitiator> socket;
    std::vector<Result> results;
    PayloadPool pool;
    int completed_at_begin_req = 0;

    SC_HAS_PROCESS(AtInitiator);
    AtInitiator(sc_core::sc_module_name n, std::vector<Request> requests, RespStyle style = RespStyle::Completed,
                bool pipelined = false, bool use_mm = true, sc_time end_resp_hold = SC_ZERO_TIME)
        : sc_core::sc_module(n),
          socket("socket"),
          requests_(std::move(requests)),
          style_(style),
          pipelined_(pipelined),
          use_mm_(use_mm),
          hold_(end_resp_hold),
          end_resp_peq_("end_resp_peq") {
        results.resize(requests_.size());
        buffers_.resize(requests_.size());
        enables_.resize(requests_.size());
        own_.resize(requests_.size());
        socket.register_nb_transport_bw(this, &AtInitiator::nb_transport_bw);
        SC_THREAD(run);
        SC_THREAD(end_resp_thread);
    }

private:
    void run() {
        for (size_t i = 0; i < requests_.size(); ++i) {
            const Request& r = requests_[i];
            if (r.start > sc_time_stamp()) wait(r.start - sc_time_stamp());
            tlm::tlm_generic_payload* t;
            if (use_mm_) {
                t = pool.allocate();
                t->acquire();
            } else {
                own_[i] = std::make_unique<tlm::tlm_generic_payload>();
                t = own_[i].get();
            }
            fill(*t, r, buffers_[i], enables_[i]);
            index_[t] = i;
            results[i].issued = sc_time_stamp();
            tlm::tlm_phase phase = tlm::BEGIN_REQ;
            sc_time delay = SC_ZERO_TIME;
            const tlm::tlm_sync_enum s = socket->nb_transport_fw(*t, phase, delay);
            if (s == tlm::TLM_COMPLETED) {
                ++completed_at_begin_req;
                record(*t, delay);
                done(*t);
                continue;
            }
            if (s == tlm::TLM_UPDATED) {
                EXPECT_EQ(phase, tlm::END_REQ);
                if (delay > SC_ZERO_TIME) wait(delay);
            } else {
                wait(end_req_);
            }
            if (!pipelined_) {
                while (!results[i].done) wait(response_);
            }
        }
    }

    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& phase, sc_time& delay) {
        if (phase == tlm::END_REQ) {
            end_req_.notify(delay);
            return tlm::TLM_ACCEPTED;
        }
        EXPECT_EQ(phase, tlm::BEGIN_RESP);
        record(t, delay);
        switch (style_) {
            case RespStyle::Completed:
                done(t);
                return tlm::TLM_COMPLETED;
            case RespStyle::UpdatedEndResp:
                phase = tlm::END_RESP;
                done(t);
                return tlm::TLM_UPDATED;
            case RespStyle::AcceptedThenEndResp:
                end_resp_peq_.notify(t, delay + hold_);
                return tlm::TLM_ACCEPTED;
        }
        return tlm::TLM_ACCEPTED;
    }

    void end_resp_thread() {
        for (;;) {
            tlm::tlm_generic_payload* t = end_resp_peq_.get_next_transaction();
            if (t == nullptr) {
                wait(end_resp_peq_.get_event());
                continue;
            }
            tlm::tlm_phase phase = tlm::END_RESP;
            sc_time delay = SC_ZERO_TIME;
            EXPECT_EQ(socket->nb_transport_fw(*t, phase, delay), tlm::TLM_COMPLETED);
            done(*t);
        }
    }

    void record(tlm::tlm_generic_payload& t, const sc_time& delay) {
        Result& res = results[index_.at(&t)];
        res.finished = sc_time_stamp() + delay;
        res.status = t.get_response_status();
        res.data = buffers_[index_.at(&t)];
    }

    void done(tlm::tlm_generic_payload& t) {
        results[index_.at(&t)].done = true;
        index_.erase(&t);
        if (use_mm_) t.release();
        response_.notify(SC_ZERO_TIME);
    }

    std::vector<Request> requests_;
    RespStyle style_;
    bool pipelined_;
    bool use_mm_;
    sc_time hold_;
    std::vector<std::vector<uint8_t>> buffers_, enables_;
    std::vector<std::unique_ptr<tlm::tlm_generic_payload>> own_;
    std::map<const tlm::tlm_generic_payload*, size_t> index_;
    sc_core::sc_event end_req_, response_;
    tlm_utils::peq_with_get<tlm::tlm_generic_payload> end_resp_peq_;
};

// Several initiators onto the link's one host_side socket (e.g. two DMA channels). Routes the
// backward path to the initiator that sent the transaction.
class HostMux : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<HostMux> in;
    tlm_utils::simple_initiator_socket<HostMux> out;

    explicit HostMux(sc_core::sc_module_name n) : sc_core::sc_module(n), in("in"), out("out") {
        in.register_b_transport(this, &HostMux::b_transport);
        in.register_nb_transport_fw(this, &HostMux::nb_transport_fw);
        out.register_nb_transport_bw(this, &HostMux::nb_transport_bw);
    }

private:
    void b_transport(int, tlm::tlm_generic_payload& t, sc_time& delay) { out->b_transport(t, delay); }

    tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& t, tlm::tlm_phase& phase, sc_time& delay) {
        if (phase == tlm::BEGIN_REQ) route_[&t] = id;
        const tlm::tlm_sync_enum s = out->nb_transport_fw(t, phase, delay);
        if (s == tlm::TLM_COMPLETED) route_.erase(&t);
        return s;
    }

    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& phase, sc_time& delay) {
        const int id = route_.at(&t);
        const tlm::tlm_sync_enum s = in[id]->nb_transport_bw(t, phase, delay);
        if (s == tlm::TLM_COMPLETED || (s == tlm::TLM_UPDATED && phase == tlm::END_RESP)) route_.erase(&t);
        return s;
    }

    std::map<const tlm::tlm_generic_payload*, int> route_;
};

// One initiator -> link -> memory.
template <class Initiator>
struct Chain : sc_core::sc_module {
    template <class... Args>
    Chain(sc_core::sc_module_name n, const PcieConfig& cfg, TimingMode mode, Args&&... initiator_args)
        : sc_core::sc_module(n), init("init", std::forward<Args>(initiator_args)...), link("link", cfg, mode), mem("mem") {
        init.socket.bind(link.host_side);
        link.device_side.bind(mem.socket);
    }
    Initiator init;
    PcieLink link;
    MemoryTarget mem;
};

PcieConfig no_fixed_costs() {
    PcieConfig c;
    c.latency_ns = 0.0;
    c.transfer_overhead_ns = 0.0;
    return c;
}

// Time of one full TLP of `cfg`, in ns.
double tlp_ns(const PcieConfig& cfg) { return pcie_wire_time_ns(uint64_t(cfg.max_payload_bytes), cfg); }

// ---------------------------------------------------------------------------------------
// Timing rules

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
    EXPECT_NEAR(tlp_ns(cfg), 35.546875, 1e-9);
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

TEST(PcieLink, RejectsAnInvalidConfiguration) {
    ensure_time_resolution();
    PcieConfig cfg;
    cfg.lanes = 5;
    EXPECT_THROW(PcieLink("bad", cfg, TimingMode::LooselyTimed), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------
// Loosely timed

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
    Chain<BlockingInitiator> tb("tb", PcieConfig{}, TimingMode::LooselyTimed, reqs);
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
    Chain<BlockingInitiator> tb("tb", PcieConfig{}, TimingMode::LooselyTimed, reqs);
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
    Chain<BlockingInitiator> tb("tb", PcieConfig{}, TimingMode::LooselyTimed, reqs);
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
    Chain<BlockingInitiator> tb("tb", PcieConfig{}, TimingMode::LooselyTimed,
                                std::vector<Request>{write_req(kBase + 128, pattern(16, 1)), write_req(kBase, pattern(16, 1))});
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
    Chain<BlockingInitiator> tb("tb", cfg, TimingMode::LooselyTimed, reqs, true);
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
    Chain<BlockingInitiator> tb("tb", PcieConfig{}, TimingMode::LooselyTimed, std::vector<Request>{r});
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

TEST(PcieLinkLt, DebugTransportAndDmiAreForwarded) {
    ensure_time_resolution();
    Chain<BlockingInitiator> tb("tb", PcieConfig{}, TimingMode::LooselyTimed,
                                std::vector<Request>{write_req(kBase + 100, {9, 8, 7, 6})});
    tb.mem.grant_dmi = true;
    sc_core::sc_start();
    EXPECT_EQ(tb.init.results[0].status, tlm::TLM_OK_RESPONSE);

    std::vector<uint8_t> buf(4, 0);
    tlm::tlm_generic_payload t;
    t.set_read();
    t.set_address(kBase + 100);
    t.set_data_ptr(buf.data());
    t.set_data_length(4);
    t.set_streaming_width(4);
    EXPECT_EQ(tb.init.socket->transport_dbg(t), 4u);
    EXPECT_EQ(buf, (std::vector<uint8_t>{9, 8, 7, 6}));
    EXPECT_EQ(tb.link.transactions_device_to_host(), 0u);  // debug accesses are not traffic

    tlm::tlm_dmi dmi;
    t.set_address(kBase);
    ASSERT_TRUE(tb.init.socket->get_direct_mem_ptr(t, dmi));
    EXPECT_EQ(dmi.get_dmi_ptr(), tb.mem.mem.data());
    EXPECT_EQ(dmi.get_read_latency(), sc_time(5 + 500, SC_NS));   // target's + link latency
    EXPECT_EQ(dmi.get_write_latency(), sc_time(7 + 500, SC_NS));

    tb.mem.grant_dmi = false;
    tlm::tlm_dmi denied;
    EXPECT_FALSE(tb.init.socket->get_direct_mem_ptr(t, denied));
}

// ---------------------------------------------------------------------------------------
// Approximately timed

TEST(PcieLinkAt, SingleTransferTakesTheFormulaTime) {
    ensure_time_resolution();
    const PcieConfig cfg;
    std::vector<Request> reqs = {write_req(kBase, pattern(kMiB, 5)), read_req(kBase + 4096, 65536),
                                 write_req(kBase, pattern(1000, 6), sc_time(400, sc_core::SC_US))};
    Chain<AtInitiator> tb("tb", cfg, TimingMode::ApproximatelyTimed, reqs);
    sc_core::sc_start();
    const auto& r = tb.init.results;
    for (size_t i = 0; i < reqs.size(); ++i) {
        ASSERT_TRUE(r[i].done) << i;
        EXPECT_EQ(r[i].status, tlm::TLM_OK_RESPONSE);
        EXPECT_NEAR(ns(r[i].span()), pcie_transfer_time_ns(reqs[i].data.size(), cfg), 1.0) << "request " << i;
    }
    EXPECT_NEAR(ns(r[0].span()), 147100.0, 1.0);
    EXPECT_EQ(r[2].issued, sc_time(400, sc_core::SC_US));
    // The target saw the write when its last TLP had crossed plus the latency.
    EXPECT_NEAR(ns(tb.mem.log[0].time), 147100.0, 1.0);
    EXPECT_NEAR(ns(tb.link.busy_host_to_device()), pcie_wire_time_ns(kMiB, cfg) + pcie_wire_time_ns(1000, cfg), 0.01);
    EXPECT_NEAR(ns(tb.link.busy_device_to_host()), pcie_wire_time_ns(65536, cfg), 0.01);
    EXPECT_EQ(tb.link.stats().h2d_tlps, 4096u + 4u);
    EXPECT_EQ(tb.link.stats().d2h_tlps, 256u);
    EXPECT_EQ(tb.init.pool.outstanding(), 0);
    EXPECT_EQ(tb.link.in_flight(), 0u);
    // DMI would bypass the contention model: denied.
    tlm::tlm_generic_payload t;
    t.set_address(kBase);
    tlm::tlm_dmi dmi;
    EXPECT_FALSE(tb.init.socket->get_direct_mem_ptr(t, dmi));
}

TEST(PcieLinkAt, TargetDelayAddsToTheTransferTime) {
    ensure_time_resolution();
    const PcieConfig cfg;
    Chain<AtInitiator> tb("tb", cfg, TimingMode::ApproximatelyTimed,
                          std::vector<Request>{write_req(kBase, pattern(5000, 1)), read_req(kBase, 5000)});
    tb.mem.access_delay = sc_time(40, SC_NS);
    sc_core::sc_start();
    for (int i = 0; i < 2; ++i)
        EXPECT_NEAR(ns(tb.init.results[size_t(i)].span()), pcie_transfer_time_ns(5000, cfg) + 40.0, 1.0);
    EXPECT_EQ(tb.init.results[1].data, pattern(5000, 1));
}

// Two DMA channels write at the same time through a mux: the link interleaves their TLPs.
struct TwoChannels {
    TwoChannels(const PcieConfig& cfg, std::vector<Request> a, std::vector<Request> b)
        : ch0("ch0", std::move(a)), ch1("ch1", std::move(b)), mux("mux"), link("link", cfg, TimingMode::ApproximatelyTimed),
          mem("mem") {
        ch0.socket.bind(mux.in);
        ch1.socket.bind(mux.in);
        mux.out.bind(link.host_side);
        link.device_side.bind(mem.socket);
    }
    AtInitiator ch0, ch1;
    HostMux mux;
    PcieLink link;
    MemoryTarget mem;
};

TEST(PcieLinkAt, TwoConcurrentTransfersShareTheLinkNoFixedCosts) {
    ensure_time_resolution();
    const PcieConfig cfg = no_fixed_costs();
    const uint64_t a = kMiB, b = kMiB / 2 + 100;
    TwoChannels tb(cfg, {write_req(kBase, pattern(a, 1))}, {write_req(kBase + 2 * kMiB, pattern(b, 2))});
    sc_core::sc_start();
    const Result& ra = tb.ch0.results[0];
    const Result& rb = tb.ch1.results[0];
    ASSERT_TRUE(ra.done && rb.done);
    const double alone_a = pcie_transfer_time_ns(a, cfg), alone_b = pcie_transfer_time_ns(b, cfg);
    EXPECT_GT(ns(ra.span()), alone_a + 1.0);
    EXPECT_GT(ns(rb.span()), alone_b + 1.0);
    // The later one ends when the link has carried both: the sum of the times alone.
    const double later = std::max(ns(ra.finished), ns(rb.finished));
    EXPECT_NEAR(later, alone_a + alone_b, tlp_ns(cfg));
    // Round-robin: the shorter one ends after about twice its own wire time.
    EXPECT_NEAR(ns(rb.finished), 2 * pcie_wire_time_ns(b, cfg), 2 * tlp_ns(cfg));
    // The link was busy the whole time, and both payloads arrived intact.
    EXPECT_NEAR(ns(tb.link.busy_host_to_device()), alone_a + alone_b, 0.01);
    EXPECT_TRUE(std::equal(tb.mem.mem.begin(), tb.mem.mem.begin() + ptrdiff_t(a), pattern(a, 1).begin()));
    EXPECT_TRUE(std::equal(tb.mem.mem.begin() + ptrdiff_t(2 * kMiB), tb.mem.mem.begin() + ptrdiff_t(2 * kMiB + b),
                           pattern(b, 2).begin()));
    EXPECT_EQ(tb.link.bytes_host_to_device(), a + b);
    EXPECT_EQ(tb.ch0.pool.outstanding() + tb.ch1.pool.outstanding(), 0);
}

TEST(PcieLinkAt, TwoConcurrentTransfersOverlapTheirFixedCosts) {
    ensure_time_resolution();
    const PcieConfig cfg;  // 1000 ns overhead + 500 ns latency per transfer
    const uint64_t n = 256 * 1024;
    TwoChannels tb(cfg, {write_req(kBase, pattern(n, 1))}, {write_req(kBase + kMiB, pattern(n, 2))});
    sc_core::sc_start();
    const Result& ra = tb.ch0.results[0];
    const Result& rb = tb.ch1.results[0];
    const double alone = pcie_transfer_time_ns(n, cfg);
    EXPECT_GT(ns(ra.span()), alone + 1.0);
    EXPECT_GT(ns(rb.span()), alone + 1.0);
    // Both wait their overhead and latency in parallel; only the wire is shared.
    const double shared = cfg.transfer_overhead_ns + cfg.latency_ns + 2 * pcie_wire_time_ns(n, cfg);
    EXPECT_NEAR(std::max(ns(ra.finished), ns(rb.finished)), shared, tlp_ns(cfg));
    EXPECT_NEAR(std::min(ns(ra.finished), ns(rb.finished)), shared, tlp_ns(cfg) + 1.0);
}

TEST(PcieLinkAt, BlockingInitiatorsSeeTheSameContention) {
    ensure_time_resolution();
    const PcieConfig cfg;
    const uint64_t n = 128 * 1024;
    BlockingInitiator ch0("ch0", {write_req(kBase, pattern(n, 1)), read_req(kBase, n)});
    BlockingInitiator ch1("ch1", {write_req(kBase + kMiB, pattern(n, 2)), read_req(kBase + kMiB, n)});
    HostMux mux("mux");
    PcieLink link("link", cfg, TimingMode::ApproximatelyTimed);
    MemoryTarget mem("mem");
    ch0.socket.bind(mux.in);
    ch1.socket.bind(mux.in);
    mux.out.bind(link.host_side);
    link.device_side.bind(mem.socket);
    sc_core::sc_start();

    const double alone = pcie_transfer_time_ns(n, cfg);
    const double shared = cfg.transfer_overhead_ns + cfg.latency_ns + 2 * pcie_wire_time_ns(n, cfg);
    for (BlockingInitiator* ch : {&ch0, &ch1}) {
        for (const Result& r : ch->results) {
            EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
            EXPECT_EQ(r.annotated, SC_ZERO_TIME);  // the link waited; nothing left to annotate
            EXPECT_GT(ns(r.span()), alone + 1.0);
            EXPECT_NEAR(ns(r.span()), shared, tlp_ns(cfg) + 1.0);
        }
    }
    EXPECT_EQ(ch0.results[1].data, pattern(n, 1));
    EXPECT_EQ(ch1.results[1].data, pattern(n, 2));
    EXPECT_EQ(link.in_flight(), 0u);
}

TEST(PcieLinkAt, PipelinedBytesInEqualBytesOut) {
    ensure_time_resolution();
    // Every write and then every read issued back to back without waiting for responses: reads
    // do not pass the writes before them, so each returns what was written.
    std::vector<Request> reqs;
    std::vector<std::vector<uint8_t>> written;
    std::vector<uint64_t> addrs;
    uint64_t addr = kBase, total = 0;
    for (size_t n : transfer_sizes()) {
        written.push_back(pattern(n, unsigned(n) + 7));
        addrs.push_back(addr);
        reqs.push_back(write_req(addr, written.back()));
        addr += n;
        total += n;
    }
    for (size_t i = 0; i < written.size(); ++i) reqs.push_back(read_req(addrs[i], written[i].size()));
    Chain<AtInitiator> tb("tb", PcieConfig{}, TimingMode::ApproximatelyTimed, reqs, RespStyle::Completed, true);
    sc_core::sc_start();
    const size_t n = written.size();
    for (size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(tb.init.results[i].done && tb.init.results[n + i].done);
        EXPECT_EQ(tb.init.results[i].status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(tb.init.results[n + i].data, written[i]) << "read " << i;
        EXPECT_TRUE(std::equal(written[i].begin(), written[i].end(), tb.mem.mem.begin() + ptrdiff_t(addrs[i] - kBase)));
    }
    EXPECT_EQ(tb.link.bytes_host_to_device(), total);
    EXPECT_EQ(tb.link.bytes_device_to_host(), total);
    EXPECT_EQ(tb.link.transactions_host_to_device(), n);
    EXPECT_EQ(tb.link.transactions_device_to_host(), n);
    EXPECT_EQ(tb.init.pool.outstanding(), 0);
    EXPECT_EQ(tb.link.in_flight(), 0u);
    // Every read reached the device after every write.
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(tb.mem.log[i].cmd, tlm::TLM_WRITE_COMMAND);
    for (size_t i = n; i < 2 * n; ++i) EXPECT_EQ(tb.mem.log[i].cmd, tlm::TLM_READ_COMMAND);
}

TEST(PcieLinkAt, ErrorResponsesPropagate) {
    ensure_time_resolution();
    const PcieConfig cfg;
    std::vector<Request> reqs = {write_req(kBase + kSize, pattern(512, 1)), read_req(kBase - 4, 512),
                                 write_req(kBase + 64, pattern(8, 1)), write_req(kBase, pattern(512, 2)), read_req(kBase, 512)};
    Chain<AtInitiator> tb("tb", cfg, TimingMode::ApproximatelyTimed, reqs);
    tb.mem.incomplete_at = kBase + 64;
    sc_core::sc_start();
    const auto& r = tb.init.results;
    EXPECT_EQ(r[0].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(r[1].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(r[2].status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(r[3].status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(r[4].status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(r[4].data, pattern(512, 2));
    // Errors still take the link's time.
    EXPECT_NEAR(ns(r[0].span()), pcie_transfer_time_ns(512, cfg), 1.0);
    EXPECT_EQ(tb.link.stats().error_responses, 3u);
    EXPECT_EQ(tb.init.pool.outstanding(), 0);
}

TEST(PcieLinkAt, EveryResponseCompletionPathWorks) {
    ensure_time_resolution();
    // Three initiators answer BEGIN_RESP differently; one holds END_RESP for 200 ns, which
    // holds back the responses queued behind it (one BEGIN_RESP at a time).
    const PcieConfig cfg;
    auto reqs = [](unsigned seed) {
        std::vector<Request> v;
        for (int i = 0; i < 4; ++i) v.push_back(write_req(kBase + seed * kMiB / 4 + uint64_t(i) * 4096, pattern(3000, seed + unsigned(i))));
        for (int i = 0; i < 4; ++i) v.push_back(read_req(kBase + seed * kMiB / 4 + uint64_t(i) * 4096, 3000));
        return v;
    };
    AtInitiator a("a", reqs(0), RespStyle::Completed, true);
    AtInitiator b("b", reqs(1), RespStyle::UpdatedEndResp, true);
    AtInitiator c("c", reqs(2), RespStyle::AcceptedThenEndResp, true, true, sc_time(200, SC_NS));
    HostMux mux("mux");
    PcieLink link("link", cfg, TimingMode::ApproximatelyTimed);
    MemoryTarget mem("mem");
    for (AtInitiator* i : {&a, &b, &c}) i->socket.bind(mux.in);
    mux.out.bind(link.host_side);
    link.device_side.bind(mem.socket);
    sc_core::sc_start();

    unsigned seed = 0;
    for (AtInitiator* i : {&a, &b, &c}) {
        for (size_t k = 0; k < 8; ++k) {
            ASSERT_TRUE(i->results[k].done) << i->name() << " " << k;
            EXPECT_EQ(i->results[k].status, tlm::TLM_OK_RESPONSE);
            EXPECT_GE(ns(i->results[k].span()), pcie_transfer_time_ns(3000, cfg) - 1.0);
        }
        for (size_t k = 0; k < 4; ++k) EXPECT_EQ(i->results[4 + k].data, pattern(3000, seed + unsigned(k)));
        EXPECT_EQ(i->pool.outstanding(), 0) << i->name();
        ++seed;
    }
    EXPECT_EQ(link.in_flight(), 0u);
    EXPECT_EQ(link.transactions_host_to_device(), 12u);
    EXPECT_EQ(link.transactions_device_to_host(), 12u);
}

TEST(PcieLinkAt, PayloadWithoutMemoryManagerIsBlockingOnly) {
    ensure_time_resolution();
    sc_core::sc_report_handler::set_actions("qsim/PcieLink", sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
    AtInitiator nb("nb", {write_req(kBase, pattern(64, 1))}, RespStyle::Completed, false, /*use_mm=*/false);
    BlockingInitiator blocking("blocking", {write_req(kBase + 64, pattern(64, 2))});
    HostMux mux("mux");
    PcieLink link("link", PcieConfig{}, TimingMode::ApproximatelyTimed);
    MemoryTarget mem("mem");
    nb.socket.bind(mux.in);
    blocking.socket.bind(mux.in);
    mux.out.bind(link.host_side);
    link.device_side.bind(mem.socket);
    sc_core::sc_start();
    EXPECT_EQ(nb.completed_at_begin_req, 1);
    EXPECT_EQ(nb.results[0].status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(nb.results[0].span(), SC_ZERO_TIME);
    EXPECT_EQ(blocking.results[0].status, tlm::TLM_OK_RESPONSE);  // the same kind of payload, blocking
    EXPECT_NEAR(ns(blocking.results[0].span()), pcie_transfer_time_ns(64, PcieConfig{}), 1.0);
    ASSERT_EQ(mem.log.size(), 1u);
    EXPECT_EQ(mem.log[0].addr, kBase + 64);
}

TEST(PcieLinkAt, LargeTransfersHalveFromX4ToX8) {
    ensure_time_resolution();
    PcieConfig x4, x8;
    x4.lanes = 4;
    x8.lanes = 8;
    const uint64_t frame = 3 * kMiB;  // e.g. a few input frames of a large network
    Chain<AtInitiator> c4("c4", x4, TimingMode::ApproximatelyTimed, std::vector<Request>{write_req(kBase, pattern(frame, 1))});
    Chain<AtInitiator> c8("c8", x8, TimingMode::ApproximatelyTimed, std::vector<Request>{write_req(kBase, pattern(frame, 1))});
    sc_core::sc_start();
    const double t4 = ns(c4.init.results[0].span()), t8 = ns(c8.init.results[0].span());
    EXPECT_NEAR(t4, pcie_transfer_time_ns(frame, x4), 1.0);
    EXPECT_NEAR(t8, pcie_transfer_time_ns(frame, x8), 1.0);
    EXPECT_NEAR(t4 / t8, 2.0, 0.01);
}

TEST(PcieLinkAt, LooselyTimedLinkAlsoAcceptsNonBlockingInitiators) {
    ensure_time_resolution();
    const PcieConfig cfg;
    Chain<AtInitiator> tb("tb", cfg, TimingMode::LooselyTimed,
                          std::vector<Request>{write_req(kBase, pattern(4096, 3)), read_req(kBase, 4096)});
    sc_core::sc_start();
    EXPECT_NEAR(ns(tb.init.results[0].span()), pcie_transfer_time_ns(4096, cfg), 1.0);
    EXPECT_EQ(tb.init.results[1].data, pattern(4096, 3));
    EXPECT_EQ(tb.init.pool.outstanding(), 0);
}

}  // namespace
}  // namespace qsim
