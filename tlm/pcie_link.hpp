// The PCIe link between the host and the FPGA (ch. 6.6.1: the host's DMA moves frames to the
// accelerator and results back over PCIe, Gen3 x8 by default), loosely timed, as a TLM-2.0
// interconnect:
//
//   host (DMA / MMIO initiator) --> host_side [PcieLink] device_side --> FPGA address decoder
//
// Writes carry their data host-to-device ("down"), reads carry theirs device-to-host ("up").
// b_transport adds pcie_transfer_time_ns(data length) (tlm/pcie_timing.hpp: the transfer's
// overhead, the latency and the wire time of all its TLPs) to the annotated delay and calls
// b_transport on device_side, whose target adds its own delay. The link never calls wait(),
// so initiators can decouple with tlm_utils::tlm_quantumkeeper. No contention is modelled:
// overlapping transfers do not delay each other. Addresses, byte enables, streaming width and
// the DMI hint pass through untouched; the response status is the target's, except that a
// target leaving TLM_INCOMPLETE_RESPONSE gets TLM_GENERIC_ERROR_RESPONSE. transport_dbg is
// forwarded (and not counted as traffic); get_direct_mem_ptr is forwarded with latency_ns
// added to the granted read and write latencies (a denial returns false); the device's
// invalidate_direct_mem_ptr goes back to the host.
//
// Non-blocking initiators: the link registers no nb_transport_fw, so host_side (a
// simple_target_socket) converts the base protocol to b_transport itself: BEGIN_REQ is
// answered TLM_ACCEPTED (no END_REQ follows: BEGIN_RESP implies it), b_transport runs in a
// process of the socket's, and BEGIN_RESP comes on the backward path once the annotated delay
// has passed, one response at a time (the next waits for the initiator's END_RESP). A
// non-blocking transfer therefore takes the time a blocking one does, without contention too.
//
// The host system (models/host/host_system) uses this link for `timing: lt`; its
// approximately-timed link is the TLP-level pair tlm/pcie_root_port + tlm/pcie_endpoint.
//
// The kernel time resolution should be 1 fs (qsim::ensure_time_resolution) or 1 ps: a TLP of
// Gen3 x8 takes 35.546875 ns.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "tlm/pcie_config.hpp"

namespace qsim {

class TraceRecorder;

struct PcieLinkStats {
    uint64_t h2d_bytes = 0;           // write data carried host-to-device
    uint64_t d2h_bytes = 0;           // read data carried device-to-host
    uint64_t h2d_transactions = 0;    // writes that crossed
    uint64_t d2h_transactions = 0;    // reads that crossed
    uint64_t other_transactions = 0;  // TLM_IGNORE_COMMAND (no data; costs the fixed times)
    uint64_t h2d_tlps = 0;
    uint64_t d2h_tlps = 0;
    uint64_t error_responses = 0;     // transactions that came back with a status other than OK
    // Wire time of the TLPs carried down / up, summed over the transfers (overlapping ones too).
    sc_core::sc_time h2d_busy = sc_core::SC_ZERO_TIME;
    sc_core::sc_time d2h_busy = sc_core::SC_ZERO_TIME;
};

class PcieLink : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<PcieLink> host_side;
    tlm_utils::simple_initiator_socket<PcieLink> device_side;

    // Throws std::invalid_argument when `config` is invalid (validate_pcie_config).
    PcieLink(sc_core::sc_module_name name, const PcieConfig& config);

    const PcieConfig& config() const { return config_; }

    const PcieLinkStats& stats() const { return stats_; }
    uint64_t bytes_host_to_device() const { return stats_.h2d_bytes; }
    uint64_t bytes_device_to_host() const { return stats_.d2h_bytes; }
    uint64_t transactions_host_to_device() const { return stats_.h2d_transactions; }
    uint64_t transactions_device_to_host() const { return stats_.d2h_transactions; }
    sc_core::sc_time busy_host_to_device() const { return stats_.h2d_busy; }
    sc_core::sc_time busy_device_to_host() const { return stats_.d2h_busy; }

    // pcie_transfer_time_ns(bytes) as a simulation time.
    sc_core::sc_time transfer_time(uint64_t bytes) const;

private:
    // host_side
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    // device_side
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

    void count_crossing(const tlm::tlm_generic_payload& trans);

    PcieConfig config_;
    sc_core::sc_time latency_;
    PcieLinkStats stats_;
    TraceRecorder* trace_ = nullptr;  // the timeline's transfer track, when one is recorded
    uint32_t trace_track_ = 0;
};

}  // namespace qsim
