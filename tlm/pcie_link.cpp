#include "tlm/pcie_link.hpp"

#include "tlm/pcie_timing.hpp"
#include "tlm/trace_recorder.hpp"

namespace qsim {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

// Bytes a transaction moves over the link: the data length of reads and writes, none for
// TLM_IGNORE_COMMAND.
uint64_t payload_bytes(const tlm::tlm_generic_payload& trans) {
    return trans.is_read() || trans.is_write() ? trans.get_data_length() : 0;
}

}  // namespace

PcieLink::PcieLink(sc_core::sc_module_name name, const PcieConfig& config)
    : sc_core::sc_module(name), host_side("host_side"), device_side("device_side"), config_(config) {
    validate_pcie_config(config_);
    latency_ = sc_time(config_.latency_ns, SC_NS);

    // No nb_transport_fw: host_side converts non-blocking calls to b_transport (see the header).
    host_side.register_b_transport(this, &PcieLink::b_transport);
    host_side.register_transport_dbg(this, &PcieLink::transport_dbg);
    host_side.register_get_direct_mem_ptr(this, &PcieLink::get_direct_mem_ptr);
    device_side.register_invalidate_direct_mem_ptr(this, &PcieLink::invalidate_direct_mem_ptr);
    trace_ = TraceRecorder::active();
    if (trace_ != nullptr) trace_track_ = trace_->add_link(this->name());
}

sc_time PcieLink::transfer_time(uint64_t bytes) const {
    return sc_time(pcie_transfer_time_ns(bytes, config_), SC_NS);
}

void PcieLink::count_crossing(const tlm::tlm_generic_payload& trans) {
    const uint64_t bytes = payload_bytes(trans);
    if (trans.is_write()) {
        stats_.h2d_bytes += bytes;
        ++stats_.h2d_transactions;
    } else if (trans.is_read()) {
        stats_.d2h_bytes += bytes;
        ++stats_.d2h_transactions;
    } else {
        ++stats_.other_transactions;
    }
}

void PcieLink::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    const uint64_t bytes = payload_bytes(trans);
    const sc_time begun = sc_core::sc_time_stamp() + delay;
    delay += transfer_time(bytes);
    device_side->b_transport(trans, delay);
    if (trans.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    count_crossing(trans);
    const sc_time wire(pcie_wire_time_ns(bytes, config_), SC_NS);
    if (trans.is_read()) {
        stats_.d2h_busy += wire;
        stats_.d2h_tlps += pcie_tlp_count(bytes, config_);
    } else {
        stats_.h2d_busy += wire;
        stats_.h2d_tlps += pcie_tlp_count(bytes, config_);
    }
    if (!trans.is_response_ok()) ++stats_.error_responses;
    if (trace_ != nullptr && (trans.is_write() || trans.is_read()))
        trace_->transfer(trace_track_, begun, sc_core::sc_time_stamp() + delay, trans.is_write(), trans.get_address(),
                         bytes);
}

unsigned int PcieLink::transport_dbg(tlm::tlm_generic_payload& trans) {
    return device_side->transport_dbg(trans);
}

bool PcieLink::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    if (!device_side->get_direct_mem_ptr(trans, dmi)) return false;
    dmi.set_read_latency(dmi.get_read_latency() + latency_);
    dmi.set_write_latency(dmi.get_write_latency() + latency_);
    return true;
}

void PcieLink::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    host_side->invalidate_direct_mem_ptr(start, end);
}

}  // namespace qsim
