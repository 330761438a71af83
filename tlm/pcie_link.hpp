// The PCIe link between the host and the FPGA (ch. 6.6.1: the host's DMA moves frames to the
// accelerator and results back over PCIe, Gen3 x8 by default), as a TLM-2.0 interconnect:
//
//   host (DMA / MMIO initiator) --> host_side [PcieLink] device_side --> FPGA address decoder
//
// Writes carry their data host-to-device ("down"), reads carry theirs device-to-host ("up").
// Both cost pcie_transfer_time_ns(data length) (tlm/pcie_timing.hpp) on an idle link; the
// target behind device_side adds its own delay. Addresses, byte enables, streaming width and
// the DMI hint pass through untouched (the DMI hint is cleared in approximately-timed mode,
// where DMI is denied); the response status is the target's, except that a target leaving
// TLM_INCOMPLETE_RESPONSE gets TLM_GENERIC_ERROR_RESPONSE.
//
// Loosely timed (TimingMode::LooselyTimed), for initiators that decouple with
// tlm_utils::tlm_quantumkeeper:
//   b_transport adds the transfer time to the annotated delay and calls b_transport on
//   device_side; it never calls wait(). No contention is modelled: overlapping transfers do not
//   delay each other. transport_dbg and get_direct_mem_ptr are forwarded (DMI adds latency_ns
//   to the granted read and write latencies; a denial returns false).
//
// Approximately timed (TimingMode::ApproximatelyTimed), the contention model:
//   A transaction becomes eligible transfer_overhead_ns after it starts (BEGIN_REQ time plus
//   annotated delay). Each direction of the link carries one TLP at a time; the eligible
//   transactions of a direction are cut into TLPs of max_payload_bytes and sent round-robin,
//   one TLP each in turn, a TLP of p payload bytes taking (p + tlp_overhead_bytes) / raw rate.
//   Two transfers that overlap therefore both finish later than alone, and the link is busy for
//   the sum of their wire times.
//   - write: TLPs go down; latency_ns after the last TLP the payload reaches the device and is
//     forwarded with b_transport on device_side (the link waits for the annotated delay).
//   - read: the request is forwarded to the device once eligible (the target fills the data),
//     then the data goes up in TLPs; latency_ns after the last TLP the response is sent.
//   Either way an idle link gives exactly pcie_transfer_time_ns plus the target's delay.
//   Reads do not pass writes (PCIe ordering: a non-posted request may not pass a posted
//   write): a read reaches the device only after every write started before it (in call
//   order) has been delivered, so a read after a write returns the written data even when the
//   initiator pipelines them. Writes in flight at the same time are delivered as their last
//   TLPs cross, so overlapping writes in flight together may land in either order.
//   Device accesses are made one at a time per direction (the endpoint's AXI write and read
//   channels), so a slow target holds back later transactions of its direction, not the wire.
//   nb_transport_fw follows the base protocol: BEGIN_REQ is accepted at once (TLM_UPDATED,
//   END_REQ), so an initiator may keep several transactions in flight; the response comes as
//   BEGIN_RESP on the backward path, one at a time, and the initiator may end it with
//   TLM_COMPLETED, TLM_UPDATED + END_RESP, or TLM_ACCEPTED and a later END_RESP on the forward
//   path (the link returns TLM_COMPLETED to that). Payloads are acquired while the link holds
//   them and released afterwards; a payload without a memory manager is blocking-only: on
//   nb_transport_fw it is completed at once with TLM_GENERIC_ERROR_RESPONSE (and a warning).
//   b_transport runs the same scheduler (it waits until the transaction is done and returns a
//   zero delay), so blocking initiators see the same contention. DMI is denied (it would bypass
//   the link); transport_dbg is forwarded.
//   nb_transport_fw uses this scheduler in loosely-timed mode too.
//
// The host system (models/host/host_system) uses this link loosely timed. Its approximately-
// timed link is the TLP-level pair tlm/pcie_root_port + tlm/pcie_endpoint (four phases per
// TLP, credits, beat-by-beat DMA streams); the approximately-timed mode here stays the
// transfer-level model for memory-mapped targets.
//
// The kernel time resolution should be 1 fs (qsim::ensure_time_resolution) or 1 ps: a TLP of
// Gen3 x8 takes 35.546875 ns.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "tlm/pcie_config.hpp"
#include "tlm/host_target.hpp"

namespace qsim {

struct PcieLinkStats {
    uint64_t h2d_bytes = 0;           // write data carried host-to-device
    uint64_t d2h_bytes = 0;           // read data carried device-to-host
    uint64_t h2d_transactions = 0;    // writes that crossed
    uint64_t d2h_transactions = 0;    // reads that crossed
    uint64_t other_transactions = 0;  // TLM_IGNORE_COMMAND (no data; costs the fixed times)
    uint64_t h2d_tlps = 0;
    uint64_t d2h_tlps = 0;
    uint64_t error_responses = 0;     // transactions that came back with a status other than OK
    sc_core::sc_time h2d_busy = sc_core::SC_ZERO_TIME;  // time the down direction carried TLPs
    sc_core::sc_time d2h_busy = sc_core::SC_ZERO_TIME;  // time the up direction carried TLPs
};

class PcieLink : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<PcieLink> host_side;
    tlm_utils::simple_initiator_socket<PcieLink> device_side;

    SC_HAS_PROCESS(PcieLink);
    // Throws std::invalid_argument when `config` is invalid (validate_pcie_config).
    PcieLink(sc_core::sc_module_name name, const PcieConfig& config, TimingMode mode);
    ~PcieLink() override;

    const PcieConfig& config() const { return config_; }
    TimingMode mode() const { return mode_; }

    const PcieLinkStats& stats() const { return stats_; }
    uint64_t bytes_host_to_device() const { return stats_.h2d_bytes; }
    uint64_t bytes_device_to_host() const { return stats_.d2h_bytes; }
    uint64_t transactions_host_to_device() const { return stats_.h2d_transactions; }
    uint64_t transactions_device_to_host() const { return stats_.d2h_transactions; }
    sc_core::sc_time busy_host_to_device() const { return stats_.h2d_busy; }
    sc_core::sc_time busy_device_to_host() const { return stats_.d2h_busy; }
    // Transactions accepted and not yet completed (approximately-timed scheduler).
    size_t in_flight() const { return jobs_.in_flight(); }

    // pcie_transfer_time_ns(bytes) as a simulation time.
    sc_core::sc_time transfer_time(uint64_t bytes) const;

private:
    struct Job;
    enum Dir { kDown = 0, kUp = 1 };

    // host_side
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    // device_side
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

    // Approximately-timed scheduler.
    Job* start_job(tlm::tlm_generic_payload& trans, bool blocking, const sc_core::sc_time& delay);
    void wire_loop(Dir dir);
    void down_wire_thread() { wire_loop(kDown); }
    void up_wire_thread() { wire_loop(kUp); }
    void crossed(Job* job, Dir dir);
    void write_device_thread();  // writes after their last TLP + latency
    void read_device_thread();   // reads once eligible, before their data goes up
    void access_device(Job* job);
    void complete(Job* job, const sc_core::sc_time& delay);
    void response_thread();      // BEGIN_RESP to the host, one at a time
    void finish(Job* job);       // release the payload and recycle the job
    void fix_response(tlm::tlm_generic_payload& trans);
    void count_crossing(const tlm::tlm_generic_payload& trans);

    PcieConfig config_;
    TimingMode mode_;
    double raw_bytes_per_ns_ = 0.0;
    sc_core::sc_time transfer_overhead_;
    sc_core::sc_time latency_;
    PcieLinkStats stats_;

    tlm_utils::peq_with_get<Job> wire_ready_down_;  // writes eligible for the down wire
    tlm_utils::peq_with_get<Job> wire_ready_up_;    // read data ready for the up wire
    tlm_utils::peq_with_get<Job> write_arrivals_;   // writes reaching the device
    tlm_utils::peq_with_get<Job> read_requests_;    // reads eligible for the device
    tlm_utils::peq_with_get<Job> responses_;        // non-blocking responses to send upstream

    // Transactions taking turns on each direction's wire ([kDown], [kUp]). Members, not locals
    // of the wire threads: a suspended thread's stack is never unwound at the end.
    std::deque<Job*> active_[2];

    // Reads wait for the writes started before them (PCIe ordering).
    uint64_t writes_started_ = 0;
    std::set<uint64_t> writes_in_flight_;
    sc_core::sc_event write_delivered_;

    ResponsePhases response_;  // towards a non-blocking host initiator
    TransactionPool<Job> jobs_;
};

}  // namespace qsim
