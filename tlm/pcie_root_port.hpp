// Host side of the approximately-timed PCIe model (ch. 6.6.1): the root port that turns the
// host's DMA transfers into TLPs (tlm/pcie_tlp.hpp) and sends them to the FPGA's endpoint
// (tlm/pcie_endpoint.hpp) through the base protocol, one TLP per transaction:
//
//   host --transfer--> host_side [PcieRootPort] tlp_out --TLPs, 4 phases--> PcieEndpoint
//
// A transfer becomes eligible transfer_overhead_ns after it starts (descriptor fetch,
// doorbell). A write is cut into memory-write TLPs of max_payload_bytes (posted), a read into
// memory-read requests of max_payload_bytes each (non-posted; each is answered by one
// completion). The down wire carries one TLP at a time: the eligible transfers take turns,
// one TLP each (round robin), skipping those whose kind of credit is used up; BEGIN_REQ is
// sent when the wire and a credit are free, the next TLP follows END_REQ. Credits come back
// with each TLP's BEGIN_RESP, which the root port queues in its payload event queue and ends
// with END_RESP on the forward path. A transfer is done when every TLP's response is back
// (a read's data is then in the host buffer; the first error status of its TLPs is its own).
//
// host_side accepts b_transport (the caller waits until the transfer is done; the returned
// delay is zero) and nb_transport_fw (BEGIN_REQ is accepted at once with TLM_UPDATED/END_REQ;
// BEGIN_RESP comes on the backward path, one at a time, and may be ended by TLM_COMPLETED,
// TLM_UPDATED/END_RESP or a later END_RESP; payloads without a memory manager are completed
// at once with TLM_GENERIC_ERROR_RESPONSE). Transfers with byte enables or a streaming width
// below their length are not cut: they cross as one TLP transaction that occupies the wire for
// all their TLPs. DMI is denied (it would bypass the link); transport_dbg is forwarded.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "tlm/pcie_config.hpp"
#include "tlm/host_target.hpp"
#include "tlm/pcie_tlp.hpp"

namespace qsim {

class TraceRecorder;

struct PcieRootPortStats {
    uint64_t h2d_bytes = 0, d2h_bytes = 0;               // write / read data of finished transfers
    uint64_t h2d_transactions = 0, d2h_transactions = 0;  // finished writes / reads
    uint64_t write_tlps = 0, read_tlps = 0;              // TLPs sent down (MWr, MRd)
    uint64_t completions = 0;                            // read completions received
    uint64_t error_responses = 0;                        // transfers that ended with an error
    sc_core::sc_time down_busy = sc_core::SC_ZERO_TIME;   // BEGIN_REQ -> END_REQ, summed
    sc_core::sc_time credit_stall = sc_core::SC_ZERO_TIME;  // TLPs waiting with no credit for them
    int peak_posted_in_flight = 0, peak_non_posted_in_flight = 0;  // credits in use, at most
};

class PcieRootPort : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<PcieRootPort> host_side;
    tlm_utils::simple_initiator_socket<PcieRootPort> tlp_out;

    SC_HAS_PROCESS(PcieRootPort);
    // Throws std::invalid_argument when `config` is invalid (validate_pcie_config) or a
    // credit count is below 1.
    PcieRootPort(sc_core::sc_module_name name, const PcieConfig& config, PcieCredits credits = {});
    ~PcieRootPort() override;

    const PcieConfig& config() const { return config_; }
    const PcieRootPortStats& stats() const { return stats_; }
    size_t in_flight() const { return transfers_.in_flight(); }  // transfers accepted, not yet done
    size_t tlps_outstanding() const { return pool_.outstanding(); }

private:
    struct Transfer;

    // host_side
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    // tlp_out
    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& tlp, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay);
    void tlp_phase(tlm::tlm_generic_payload& tlp, const tlm::tlm_phase& phase);  // PEQ callback

    Transfer* start(tlm::tlm_generic_payload& trans, bool blocking, const sc_core::sc_time& delay);
    bool has_credit(const Transfer& t) const;
    void transmit_thread();  // the down wire
    void send_tlp(Transfer& t);
    void tlp_done(tlm::tlm_generic_payload& tlp);
    void finish(Transfer& t);
    void response_thread();  // BEGIN_RESP of non-blocking transfers, one at a time
    void recycle(Transfer& t);

    PcieConfig config_;
    PcieCredits credits_;
    sc_core::sc_time overhead_;
    PcieRootPortStats stats_;
    TlpPool pool_;
    tlm_utils::peq_with_cb_and_phase<PcieRootPort> peq_;  // phases from the endpoint
    tlm_utils::peq_with_get<Transfer> eligible_;           // transfers past their overhead
    tlm_utils::peq_with_get<Transfer> responses_;          // finished non-blocking transfers

    // Members, not locals of the threads: a suspended thread's stack is never unwound.
    std::deque<Transfer*> active_;  // eligible transfers with TLPs still to send, in turn
    int posted_in_flight_ = 0, non_posted_in_flight_ = 0;
    uint64_t sequence_ = 0;
    sc_core::sc_event credit_returned_, end_req_;
    bool end_req_seen_ = false;

    ResponsePhases response_;  // the transfer-level response to a non-blocking host initiator
    TransactionPool<Transfer> transfers_;
    TraceRecorder* trace_ = nullptr;  // the timeline's transfer track, when one is recorded
    uint32_t trace_track_ = 0;
};

}  // namespace qsim
