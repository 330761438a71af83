// FPGA side of the approximately-timed PCIe model (ch. 6.6.1, Fig. 6.7): the endpoint that
// receives the root port's TLPs (tlm/pcie_tlp.hpp for the four phases) and moves their data
// to and from the device behind device_side (the address decoder):
//
//   PcieRootPort --TLPs--> tlp_in [PcieEndpoint] device_side --> decoder --> registers, DMA
//
// BEGIN_REQ is taken in the endpoint's payload event queue and answered with END_REQ on the
// backward path, annotated with the TLP's wire time; the TLP enters the receive buffer
// latency_ns after its last byte, where it holds a credit (posted for a write, non-posted for
// a read; a root port that sends without one is an error). Each TLP then joins the queue of
// the window its address falls in, and each window's queue is served in order by its own
// process, so transfers to one window stay in order (a read does not pass the writes before
// it) while a window that its device holds back does not block the others:
//   - stream windows (add_stream_window): an AXI4-stream channel of the DMA engine. The TLP's
//     data moves beat by beat, one b_transport of beat_bytes per beat on device_side; the
//     target decides how long each beat takes (its clock, and its backpressure: a full
//     buffer behind it holds the beat, which holds the TLP, its credit and so the root port).
//   - every other address (memory-mapped, e.g. the register bank): one b_transport per TLP.
// A write's credit goes back when its data is in the device: BEGIN_RESP reaches the root port
// latency_ns later. A read's data then crosses the up wire as a completion (one at a time, its
// payload plus tlp_overhead_bytes at the raw rate) and BEGIN_RESP carries it to the root port
// latency_ns after its last byte. Responses are sent one at a time (END_RESP, or TLM_COMPLETED
// / TLM_UPDATED with END_RESP from the root port, ends each). transport_dbg is forwarded.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "tlm/pcie_config.hpp"
#include "tlm/pcie_tlp.hpp"

namespace qsim {

struct PcieWindowStats {
    std::string name;
    uint64_t tlps = 0;
    uint64_t beats = 0;   // stream windows: beats moved
    uint64_t bytes = 0;
    sc_core::sc_time busy = sc_core::SC_ZERO_TIME;  // time spent moving TLPs to or from the device
};

struct PcieEndpointStats {
    uint64_t write_tlps = 0, read_tlps = 0;  // TLPs received
    uint64_t completions = 0;                // read completions sent up
    sc_core::sc_time up_busy = sc_core::SC_ZERO_TIME;  // the up wire carrying completions
    int peak_posted = 0, peak_non_posted = 0;  // receive buffer occupancy, at most (<= credits)
};

class PcieEndpoint : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<PcieEndpoint> tlp_in;
    tlm_utils::simple_initiator_socket<PcieEndpoint> device_side;

    SC_HAS_PROCESS(PcieEndpoint);
    // Throws std::invalid_argument when `config` is invalid (validate_pcie_config).
    PcieEndpoint(sc_core::sc_module_name name, const PcieConfig& config, PcieCredits credits = {});
    ~PcieEndpoint() override;

    // [base, base + size) is an AXI4-stream channel of `beat_bytes` per beat (before sc_start).
    void add_stream_window(const std::string& window, uint64_t base, uint64_t size, unsigned beat_bytes);

    const PcieConfig& config() const { return config_; }
    const PcieCredits& credits() const { return credits_; }
    const PcieEndpointStats& stats() const { return stats_; }
    // [0] is the memory-mapped rest of the address space, then the stream windows in order.
    std::vector<PcieWindowStats> window_stats() const;

    // When enabled, every TLP's arrival in the receive buffer is recorded (for tests).
    struct Arrival {
        uint64_t sequence;  // the root port's PcieTlpTag::sequence (0 without a tag)
        tlm::tlm_command command;
        uint64_t address;
        unsigned length;
        sc_core::sc_time time;
    };
    void record_arrivals(bool on) { record_ = on; }
    const std::vector<Arrival>& arrivals() const { return arrivals_log_; }

private:
    struct Window;

    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& tlp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    void tlp_phase(tlm::tlm_generic_payload& tlp, const tlm::tlm_phase& phase);  // PEQ callback
    void dispatch();                  // arrived TLPs to their window's queue
    void window_thread(Window* w);    // serves one window's queue
    void access(Window& w, tlm::tlm_generic_payload& tlp);
    void up_wire_thread();            // read completions to the root port
    void response_thread();           // BEGIN_RESP, one at a time

    PcieConfig config_;
    PcieCredits credits_;
    sc_core::sc_time latency_;
    PcieEndpointStats stats_;
    tlm_utils::peq_with_cb_and_phase<PcieEndpoint> peq_;
    tlm_utils::peq_with_get<tlm::tlm_generic_payload> arrived_;    // TLPs reaching the buffer
    tlm_utils::peq_with_get<tlm::tlm_generic_payload> responses_;  // responses due at the root port
    std::vector<std::unique_ptr<Window>> windows_;
    std::deque<tlm::tlm_generic_payload*> up_queue_;
    sc_core::sc_event up_event_;
    int posted_ = 0, non_posted_ = 0;  // receive buffer occupancy
    bool responding_ = false;
    sc_core::sc_event end_resp_;
    bool record_ = false;
    std::vector<Arrival> arrivals_log_;
};

}  // namespace qsim
