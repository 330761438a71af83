// Testbench parts shared by the PCIe link tests (pcie_link_test.cpp, pcie_link_interfaces_test.cpp):
// a memory target, a blocking initiator (with or without a quantum keeper), the requests and
// results they exchange, and a LinkBench that wires one initiator -> PcieLink -> memory.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "tlm/pcie_link.hpp"

namespace qsim::testbench {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kBase = 0x40000000;  // the memory target's window
constexpr uint64_t kSize = 4 * kMiB;

inline double ns(const sc_core::sc_time& t) { return t.to_seconds() * 1e9; }

inline std::vector<uint8_t> pattern(size_t n, unsigned seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 1;
    for (auto& b : v) {
        x = x * 1664525u + 1013904223u;
        b = uint8_t(x >> 24);
    }
    return v;
}

// A memory of kSize bytes at kBase; other addresses get TLM_ADDRESS_ERROR_RESPONSE. Each
// access adds `access_delay` and is logged with its time. An access at `incomplete_at` leaves
// the response incomplete. DMI is granted over the whole memory when `grant_dmi` is set.
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
        sc_core::sc_time time;
    };
    std::vector<Access> log;
    std::vector<uint8_t> mem = std::vector<uint8_t>(kSize, 0);
    sc_core::sc_time access_delay = sc_core::SC_ZERO_TIME;
    uint64_t incomplete_at = ~uint64_t(0);
    bool grant_dmi = false;

    explicit MemoryTarget(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {
        socket.register_b_transport(this, &MemoryTarget::b_transport);
        socket.register_transport_dbg(this, &MemoryTarget::transport_dbg);
        socket.register_get_direct_mem_ptr(this, &MemoryTarget::get_direct_mem_ptr);
    }

    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
        log.push_back({t.get_command(), t.get_address(), t.get_data_length(), t.get_byte_enable_ptr(),
                       t.get_byte_enable_length(), t.get_streaming_width(), sc_core::sc_time_stamp() + delay});
        if (t.get_address() == incomplete_at) return;
        if (!access(t)) return;
        t.set_dmi_allowed(grant_dmi);
        delay += access_delay;
    }

    unsigned transport_dbg(tlm::tlm_generic_payload& t) { return access(t) ? t.get_data_length() : 0; }

    bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
        dmi.set_start_address(kBase);
        dmi.set_end_address(kBase + kSize - 1);
        if (!grant_dmi) return false;
        dmi.set_dmi_ptr(mem.data());
        dmi.allow_read_write();
        dmi.set_read_latency(sc_core::sc_time(5, sc_core::SC_NS));
        dmi.set_write_latency(sc_core::sc_time(7, sc_core::SC_NS));
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
    std::vector<uint8_t> byte_enable;  // empty: none
};

inline Request write_req(uint64_t addr, std::vector<uint8_t> data) {
    Request r;
    r.cmd = tlm::TLM_WRITE_COMMAND;
    r.addr = addr;
    r.data = std::move(data);
    return r;
}

inline Request read_req(uint64_t addr, size_t n) {
    Request r;
    r.cmd = tlm::TLM_READ_COMMAND;
    r.addr = addr;
    r.data.assign(n, 0);
    return r;
}

struct Result {
    bool done = false;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    std::vector<uint8_t> data;
    sc_core::sc_time issued, finished;
    sc_core::sc_time annotated;  // blocking: delay added by the call
    sc_core::sc_time span() const { return finished - issued; }
};

inline void fill(tlm::tlm_generic_payload& t, const Request& r, std::vector<uint8_t>& buffer,
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
// quantum keeper it waits for each annotated delay; with one it decouples and synchronises
// only when the quantum is used up. Records the DMI invalidations it receives.
class BlockingInitiator : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<BlockingInitiator> socket;
    std::vector<Result> results;
    std::vector<std::pair<uint64_t, uint64_t>> invalidated;  // [start, end] ranges
    int syncs = 0;
    sc_core::sc_time end_time;

    SC_HAS_PROCESS(BlockingInitiator);
    BlockingInitiator(sc_core::sc_module_name n, std::vector<Request> requests, bool quantum_keeper = false)
        : sc_core::sc_module(n), socket("socket"), requests_(std::move(requests)), use_qk_(quantum_keeper) {
        results.resize(requests_.size());
        socket.register_invalidate_direct_mem_ptr(this, &BlockingInitiator::invalidate_direct_mem_ptr);
        SC_THREAD(run);
    }

private:
    void run() {
        tlm_utils::tlm_quantumkeeper qk;
        qk.reset();
        for (size_t i = 0; i < requests_.size(); ++i) {
            const Request& r = requests_[i];
            tlm::tlm_generic_payload t;
            std::vector<uint8_t> buffer, be;
            fill(t, r, buffer, be);
            sc_core::sc_time delay = use_qk_ ? qk.get_local_time() : sc_core::SC_ZERO_TIME;
            const sc_core::sc_time before = delay;
            Result& res = results[i];
            res.issued = sc_core::sc_time_stamp() + delay;
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
                res.finished = sc_core::sc_time_stamp();
            }
        }
        if (use_qk_) qk.sync();
        end_time = sc_core::sc_time_stamp();
    }

    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { invalidated.emplace_back(start, end); }

    std::vector<Request> requests_;
    bool use_qk_;
};

// One initiator -> link -> memory.
template <class Initiator>
struct LinkBench : sc_core::sc_module {
    template <class... Args>
    LinkBench(sc_core::sc_module_name n, const PcieConfig& cfg, Args&&... initiator_args)
        : sc_core::sc_module(n), init("init", std::forward<Args>(initiator_args)...), link("link", cfg), mem("mem") {
        init.socket.bind(link.host_side);
        link.device_side.bind(mem.socket);
    }
    Initiator init;
    PcieLink link;
    MemoryTarget mem;
};

}  // namespace qsim::testbench
