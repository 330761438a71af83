#include "tlm/pcie_root_port.hpp"

#include "tlm/trace_recorder.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "tlm/pcie_timing.hpp"

namespace qsim {

using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

// One host transfer inside the root port.
struct PcieRootPort::Transfer {
    tlm::tlm_generic_payload* trans = nullptr;
    bool blocking = false;    // b_transport: the caller waits on `done`
    bool holds_ref = false;   // acquired (memory manager present)
    bool posted = true;       // writes (and commands without data) use posted credits
    bool whole = false;       // not cut into TLPs (byte enables or a narrow streaming width)
    uint64_t length = 0;
    uint64_t tlps = 0;        // TLPs it takes
    uint64_t sent = 0;        // TLPs sent so far
    uint64_t answered = 0;    // TLPs whose response is back
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    sc_core::sc_time begun;   // when the host handed it over (its delay included)
    sc_core::sc_event done;
};

namespace {

const char* const kMsgType = "qsim/PcieRootPort";

}  // namespace

PcieRootPort::PcieRootPort(sc_core::sc_module_name name, const PcieConfig& config, PcieCredits credits)
    : sc_core::sc_module(name),
      host_side("host_side"),
      tlp_out("tlp_out"),
      config_(config),
      credits_(credits),
      pool_(size_t(std::max(1, config.max_payload_bytes))),
      peq_(this, &PcieRootPort::tlp_phase),
      eligible_("eligible"),
      responses_("responses") {
    validate_pcie_config(config_);
    if (credits_.posted < 1 || credits_.non_posted < 1)
        throw std::invalid_argument("PCIe credits must be >= 1 (posted " + std::to_string(credits_.posted) +
                                    ", non-posted " + std::to_string(credits_.non_posted) + ")");
    overhead_ = sc_time(config_.transfer_overhead_ns, SC_NS);
    host_side.register_b_transport(this, &PcieRootPort::b_transport);
    host_side.register_nb_transport_fw(this, &PcieRootPort::nb_transport_fw);
    host_side.register_transport_dbg(this, &PcieRootPort::transport_dbg);
    host_side.register_get_direct_mem_ptr(this, &PcieRootPort::get_direct_mem_ptr);
    tlp_out.register_nb_transport_bw(this, &PcieRootPort::nb_transport_bw);
    SC_THREAD(transmit_thread);
    SC_THREAD(response_thread);
    trace_ = TraceRecorder::active();
    if (trace_ != nullptr) trace_track_ = trace_->add_link(this->name());
}

PcieRootPort::~PcieRootPort() = default;

// ---------------------------------------------------------------------------------------
// host_side

void PcieRootPort::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    Transfer* t = start(trans, true, delay);
    sc_core::wait(t->done);
    delay = SC_ZERO_TIME;
    recycle(*t);
}

tlm::tlm_sync_enum PcieRootPort::nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                                 sc_time& delay) {
    if (phase == tlm::BEGIN_REQ) {
        if (!trans.has_mm()) {
            SC_REPORT_WARNING(kMsgType, (std::string(name()) +
                                         ": nb_transport_fw with a payload that has no memory manager; such "
                                         "payloads are blocking-only (use b_transport). Completed with "
                                         "TLM_GENERIC_ERROR_RESPONSE")
                                            .c_str());
            trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return tlm::TLM_COMPLETED;
        }
        start(trans, false, delay);
        phase = tlm::END_REQ;
        return tlm::TLM_UPDATED;
    }
    if (phase == tlm::END_RESP) {
        if (!response_.end(trans, delay))
            SC_REPORT_ERROR(kMsgType,
                            (std::string(name()) + ": END_RESP for a transaction that has no BEGIN_RESP outstanding")
                                .c_str());
        return tlm::TLM_COMPLETED;
    }
    SC_REPORT_ERROR(kMsgType, (std::string(name()) + ": illegal phase " + phase.get_name() +
                               " on the forward path (expected BEGIN_REQ or END_RESP)")
                                  .c_str());
    return tlm::TLM_COMPLETED;
}

unsigned int PcieRootPort::transport_dbg(tlm::tlm_generic_payload& trans) { return tlp_out->transport_dbg(trans); }

bool PcieRootPort::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.init();  // denied over the whole address range: direct access would bypass the link
    return false;
}

// ---------------------------------------------------------------------------------------
// Transfers

PcieRootPort::Transfer* PcieRootPort::start(tlm::tlm_generic_payload& trans, bool blocking, const sc_time& delay) {
    Transfer* t = &transfers_.take(trans, blocking);
    t->posted = !trans.is_read();
    t->length = trans.is_read() || trans.is_write() ? trans.get_data_length() : 0;
    t->whole = trans.get_byte_enable_ptr() != nullptr || trans.get_streaming_width() < trans.get_data_length();
    t->tlps = t->whole ? 1 : std::max<uint64_t>(1, pcie_tlp_count(t->length, config_));
    t->sent = t->answered = 0;
    t->status = tlm::TLM_OK_RESPONSE;
    t->begun = sc_core::sc_time_stamp() + delay;
    eligible_.notify(*t, delay + overhead_);
    return t;
}

bool PcieRootPort::has_credit(const Transfer& t) const {
    return t.posted ? posted_in_flight_ < credits_.posted : non_posted_in_flight_ < credits_.non_posted;
}

// The down wire: one TLP at a time, the eligible transfers in turn.
void PcieRootPort::transmit_thread() {
    for (;;) {
        while (Transfer* t = eligible_.get_next_transaction()) active_.push_back(t);
        Transfer* next = nullptr;
        for (size_t k = 0; k < active_.size(); ++k) {
            Transfer* c = active_.front();
            active_.pop_front();
            if (has_credit(*c)) {
                next = c;
                break;
            }
            active_.push_back(c);
        }
        if (next == nullptr) {
            if (active_.empty()) {
                sc_core::wait(eligible_.get_event());
            } else {  // TLPs to send, no credit for any of them
                const sc_time waited_from = sc_time_stamp();
                sc_core::wait(eligible_.get_event() | credit_returned_);
                stats_.credit_stall += sc_time_stamp() - waited_from;
            }
            continue;
        }
        send_tlp(*next);
        // Transfers that became eligible during this TLP take their turn before `next` again.
        while (Transfer* t = eligible_.get_next_transaction()) active_.push_back(t);
        if (next->sent < next->tlps) active_.push_back(next);
    }
}

void PcieRootPort::send_tlp(Transfer& t) {
    tlm::tlm_generic_payload& src = *t.trans;
    tlm::tlm_generic_payload* tlp = pool_.allocate();
    PcieTlpTag* tag = tlp->get_extension<PcieTlpTag>();
    const uint64_t p = uint64_t(config_.max_payload_bytes);
    const uint64_t offset = t.sent * p;
    tag->transfer = &t;
    tag->offset = offset;
    tag->sequence = ++sequence_;
    tlp->set_command(src.get_command());
    tlp->set_dmi_allowed(false);
    tlp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (t.whole) {
        // Carried as it is (its own data, byte enables and streaming width).
        tlp->set_address(src.get_address());
        tlp->set_data_ptr(src.get_data_ptr());
        tlp->set_data_length(src.get_data_length());
        tlp->set_streaming_width(src.get_streaming_width());
        tlp->set_byte_enable_ptr(src.get_byte_enable_ptr());
        tlp->set_byte_enable_length(src.get_byte_enable_length());
    } else {
        const uint64_t n = std::min(p, t.length - std::min(offset, t.length));
        tlp->set_address(src.get_address() + offset);
        if (src.is_write() && n > 0) std::memcpy(tlp->get_data_ptr(), src.get_data_ptr() + offset, n);
        tlp->set_data_length(unsigned(n));
        tlp->set_streaming_width(unsigned(n));
    }
    ++t.sent;
    if (t.posted) {
        stats_.peak_posted_in_flight = std::max(stats_.peak_posted_in_flight, ++posted_in_flight_);
        ++stats_.write_tlps;
    } else {
        stats_.peak_non_posted_in_flight = std::max(stats_.peak_non_posted_in_flight, ++non_posted_in_flight_);
        ++stats_.read_tlps;
    }

    const sc_time began = sc_time_stamp();
    end_req_seen_ = false;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_time delay = SC_ZERO_TIME;
    const tlm::tlm_sync_enum status = tlp_out->nb_transport_fw(*tlp, phase, delay);
    switch (status) {
        case tlm::TLM_ACCEPTED:  // END_REQ comes on the backward path
            while (!end_req_seen_) sc_core::wait(end_req_);
            break;
        case tlm::TLM_UPDATED:
            if (phase == tlm::END_REQ) {
                if (delay > SC_ZERO_TIME) sc_core::wait(delay);
            } else if (phase == tlm::BEGIN_RESP) {  // END_REQ implied; the response follows
                peq_.notify(*tlp, phase, delay);
                if (delay > SC_ZERO_TIME) sc_core::wait(delay);
            }
            break;
        case tlm::TLM_COMPLETED:  // answered at once (e.g. refused): no wire time
            if (delay > SC_ZERO_TIME) sc_core::wait(delay);
            tlp_done(*tlp);
            break;
    }
    stats_.down_busy += sc_time_stamp() - began;
}

tlm::tlm_sync_enum PcieRootPort::nb_transport_bw(tlm::tlm_generic_payload& tlp, tlm::tlm_phase& phase,
                                                 sc_time& delay) {
    if (phase != tlm::END_REQ && phase != tlm::BEGIN_RESP) {
        SC_REPORT_ERROR(kMsgType, (std::string(name()) + ": illegal phase " + phase.get_name() +
                                   " on the backward path (expected END_REQ or BEGIN_RESP)")
                                      .c_str());
        return tlm::TLM_COMPLETED;
    }
    peq_.notify(tlp, phase, delay);
    return tlm::TLM_ACCEPTED;
}

void PcieRootPort::tlp_phase(tlm::tlm_generic_payload& tlp, const tlm::tlm_phase& phase) {
    if (phase == tlm::END_REQ) {
        end_req_seen_ = true;
        end_req_.notify();
        return;
    }
    // BEGIN_RESP: end it on the forward path, then take the response (which may give the
    // TLP back to the pool).
    tlm::tlm_phase end = tlm::END_RESP;
    sc_time delay = SC_ZERO_TIME;
    tlp_out->nb_transport_fw(tlp, end, delay);
    tlp_done(tlp);
}

// A TLP's response is back at the root port.
void PcieRootPort::tlp_done(tlm::tlm_generic_payload& tlp) {
    const PcieTlpTag* tag = tlp.get_extension<PcieTlpTag>();
    Transfer& t = *static_cast<Transfer*>(tag->transfer);
    if (t.posted)
        --posted_in_flight_;
    else
        --non_posted_in_flight_;
    credit_returned_.notify(SC_ZERO_TIME);
    if (!tlp.is_response_ok() && t.status == tlm::TLM_OK_RESPONSE)
        t.status = tlp.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE ? tlm::TLM_GENERIC_ERROR_RESPONSE
                                                                            : tlp.get_response_status();
    if (t.trans->is_read() && !t.whole) {
        ++stats_.completions;
        if (tlp.is_response_ok() && tlp.get_data_length() > 0)
            std::memcpy(t.trans->get_data_ptr() + tag->offset, tlp.get_data_ptr(), tlp.get_data_length());
    }
    tlp.release();
    if (++t.answered == t.tlps) finish(t);
}

void PcieRootPort::finish(Transfer& t) {
    tlm::tlm_generic_payload& trans = *t.trans;
    trans.set_response_status(t.status);
    trans.set_dmi_allowed(false);
    if (!trans.is_response_ok()) ++stats_.error_responses;
    if (trans.is_write()) {
        stats_.h2d_bytes += t.length;
        ++stats_.h2d_transactions;
    } else if (trans.is_read()) {
        stats_.d2h_bytes += t.length;
        ++stats_.d2h_transactions;
    }
    if (trace_ != nullptr && (trans.is_write() || trans.is_read()))
        trace_->transfer(trace_track_, t.begun, sc_core::sc_time_stamp(), trans.is_write(), trans.get_address(), t.length);
    if (t.blocking)
        t.done.notify(SC_ZERO_TIME);
    else
        responses_.notify(t, SC_ZERO_TIME);
}

void PcieRootPort::response_thread() {
    for (;;) {
        Transfer* t = responses_.get_next_transaction();
        if (t == nullptr) {
            sc_core::wait(responses_.get_event());
            continue;
        }
        response_.respond(host_side, *t->trans, name(), kMsgType);
        recycle(*t);
    }
}

void PcieRootPort::recycle(Transfer& t) { transfers_.give(t); }

}  // namespace qsim
