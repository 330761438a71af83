#include "tlm/pcie_link.hpp"

#include <algorithm>
#include <string>

#include "tlm/pcie_timing.hpp"

namespace qsim {

using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

// One transaction inside the approximately-timed scheduler.
struct PcieLink::Job {
    tlm::tlm_generic_payload* trans = nullptr;
    bool blocking = false;   // b_transport: the caller waits on `done`
    bool holds_ref = false;  // the link acquired the payload (memory manager present)
    uint64_t remaining = 0;  // payload bytes still to cross the wire
    uint64_t seq = 0;        // write: its number; read: the number of the last write started before it
    sc_core::sc_event done;
};

namespace {

const char* const kMsgType = "qsim/PcieLink";

// Bytes a transaction moves over the link: the data length of reads and writes, none for
// TLM_IGNORE_COMMAND.
uint64_t payload_bytes(const tlm::tlm_generic_payload& trans) {
    return trans.is_read() || trans.is_write() ? trans.get_data_length() : 0;
}

}  // namespace

PcieLink::PcieLink(sc_core::sc_module_name name, const PcieConfig& config, TimingMode mode)
    : sc_core::sc_module(name),
      host_side("host_side"),
      device_side("device_side"),
      config_(config),
      mode_(mode),
      wire_ready_down_("wire_ready_down"),
      wire_ready_up_("wire_ready_up"),
      write_arrivals_("write_arrivals"),
      read_requests_("read_requests"),
      responses_("responses") {
    validate_pcie_config(config_);
    raw_bytes_per_ns_ = pcie_raw_bytes_per_second(config_) * 1e-9;
    transfer_overhead_ = sc_time(config_.transfer_overhead_ns, SC_NS);
    latency_ = sc_time(config_.latency_ns, SC_NS);

    host_side.register_b_transport(this, &PcieLink::b_transport);
    host_side.register_nb_transport_fw(this, &PcieLink::nb_transport_fw);
    host_side.register_transport_dbg(this, &PcieLink::transport_dbg);
    host_side.register_get_direct_mem_ptr(this, &PcieLink::get_direct_mem_ptr);
    device_side.register_invalidate_direct_mem_ptr(this, &PcieLink::invalidate_direct_mem_ptr);

    SC_THREAD(down_wire_thread);
    SC_THREAD(up_wire_thread);
    SC_THREAD(write_device_thread);
    SC_THREAD(read_device_thread);
    SC_THREAD(response_thread);
}

PcieLink::~PcieLink() = default;

sc_time PcieLink::transfer_time(uint64_t bytes) const {
    return sc_time(pcie_transfer_time_ns(bytes, config_), SC_NS);
}

void PcieLink::fix_response(tlm::tlm_generic_payload& trans) {
    if (trans.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    if (mode_ == TimingMode::ApproximatelyTimed) trans.set_dmi_allowed(false);  // DMI is denied
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

// ---------------------------------------------------------------------------------------
// host_side

void PcieLink::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    if (mode_ == TimingMode::LooselyTimed) {
        const uint64_t bytes = payload_bytes(trans);
        delay += transfer_time(bytes);
        device_side->b_transport(trans, delay);
        fix_response(trans);
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
        return;
    }
    // Approximately timed: the transaction goes through the TLP scheduler like a non-blocking
    // one; the caller's time offset is where it starts.
    Job* job = start_job(trans, true, delay);
    sc_core::wait(job->done);
    delay = SC_ZERO_TIME;
    finish(job);
}

tlm::tlm_sync_enum PcieLink::nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                             sc_time& delay) {
    if (phase == tlm::BEGIN_REQ) {
        if (!trans.has_mm()) {
            SC_REPORT_WARNING(kMsgType,
                              (std::string(name()) +
                               ": nb_transport_fw with a payload that has no memory manager; such payloads "
                               "are blocking-only (use b_transport). Completed with TLM_GENERIC_ERROR_RESPONSE")
                                  .c_str());
            trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return tlm::TLM_COMPLETED;
        }
        start_job(trans, false, delay);
        phase = tlm::END_REQ;  // accepted at once; the scheduler queues it
        return tlm::TLM_UPDATED;
    }
    if (phase == tlm::END_RESP) {
        if (!response_.end(trans, delay))
            SC_REPORT_ERROR(kMsgType, (std::string(name()) +
                                       ": END_RESP for a transaction that has no BEGIN_RESP outstanding")
                                          .c_str());
        return tlm::TLM_COMPLETED;
    }
    SC_REPORT_ERROR(kMsgType, (std::string(name()) + ": illegal phase " + phase.get_name() +
                               " on the forward path (expected BEGIN_REQ or END_RESP)")
                                  .c_str());
    return tlm::TLM_COMPLETED;
}

unsigned int PcieLink::transport_dbg(tlm::tlm_generic_payload& trans) {
    return device_side->transport_dbg(trans);
}

bool PcieLink::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    if (mode_ == TimingMode::ApproximatelyTimed) {
        dmi.init();  // denied over the whole address range: direct access would bypass the link
        return false;
    }
    if (!device_side->get_direct_mem_ptr(trans, dmi)) return false;
    dmi.set_read_latency(dmi.get_read_latency() + latency_);
    dmi.set_write_latency(dmi.get_write_latency() + latency_);
    return true;
}

void PcieLink::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    host_side->invalidate_direct_mem_ptr(start, end);
}

// ---------------------------------------------------------------------------------------
// Approximately-timed scheduler

PcieLink::Job* PcieLink::start_job(tlm::tlm_generic_payload& trans, bool blocking, const sc_time& delay) {
    Job* job = &jobs_.take(trans, blocking);
    const sc_time eligible = delay + transfer_overhead_;
    if (trans.is_read()) {
        job->remaining = 0;  // set once the device has produced the data
        job->seq = writes_started_;
        read_requests_.notify(*job, eligible);
    } else {
        job->remaining = payload_bytes(trans);
        job->seq = ++writes_started_;
        writes_in_flight_.insert(job->seq);
        wire_ready_down_.notify(*job, eligible);
    }
    return job;
}

// One direction of the link: the eligible transactions take turns, one TLP each. Within a busy
// period TLP end times come from the exact sum of TLP times, so rounding does not accumulate.
void PcieLink::wire_loop(Dir dir) {
    tlm_utils::peq_with_get<Job>& ready = dir == kDown ? wire_ready_down_ : wire_ready_up_;
    sc_time& busy = dir == kDown ? stats_.h2d_busy : stats_.d2h_busy;
    uint64_t& tlps = dir == kDown ? stats_.h2d_tlps : stats_.d2h_tlps;
    const uint64_t max_payload = uint64_t(config_.max_payload_bytes);
    std::deque<Job*>& active = active_[dir];
    bool in_burst = false;
    sc_time burst_start;
    double burst_ns = 0.0;

    for (;;) {
        while (Job* j = ready.get_next_transaction()) active.push_back(j);
        if (active.empty()) {
            in_burst = false;
            sc_core::wait(ready.get_event());
            continue;
        }
        Job* job = active.front();
        active.pop_front();
        if (job->remaining > 0) {
            const sc_time now = sc_time_stamp();
            if (!in_burst) {
                in_burst = true;
                burst_start = now;
                burst_ns = 0.0;
            }
            const uint64_t chunk = std::min(job->remaining, max_payload);
            burst_ns += double(chunk + uint64_t(config_.tlp_overhead_bytes)) / raw_bytes_per_ns_;
            const sc_time end = burst_start + sc_time(burst_ns, SC_NS);
            if (end > now) {
                busy += end - now;
                sc_core::wait(end - now);
            }
            ++tlps;
            job->remaining -= chunk;
            // Transactions that became eligible during this TLP take their turn before `job`'s next.
            while (Job* j = ready.get_next_transaction()) active.push_back(j);
        }
        if (job->remaining == 0)
            crossed(job, dir);
        else
            active.push_back(job);
    }
}

void PcieLink::crossed(Job* job, Dir dir) {
    count_crossing(*job->trans);
    if (dir == kDown)
        write_arrivals_.notify(*job, latency_);
    else
        complete(job, latency_);
}

void PcieLink::access_device(Job* job) {
    sc_time delay = SC_ZERO_TIME;
    device_side->b_transport(*job->trans, delay);
    if (delay > SC_ZERO_TIME) sc_core::wait(delay);
    fix_response(*job->trans);
}

void PcieLink::write_device_thread() {
    for (;;) {
        Job* job = write_arrivals_.get_next_transaction();
        if (job == nullptr) {
            sc_core::wait(write_arrivals_.get_event());
            continue;
        }
        access_device(job);
        writes_in_flight_.erase(job->seq);
        write_delivered_.notify(SC_ZERO_TIME);
        complete(job, SC_ZERO_TIME);
    }
}

void PcieLink::read_device_thread() {
    for (;;) {
        Job* job = read_requests_.get_next_transaction();
        if (job == nullptr) {
            sc_core::wait(read_requests_.get_event());
            continue;
        }
        while (!writes_in_flight_.empty() && *writes_in_flight_.begin() <= job->seq)
            sc_core::wait(write_delivered_);
        access_device(job);
        job->remaining = payload_bytes(*job->trans);
        wire_ready_up_.notify(*job, SC_ZERO_TIME);
    }
}

void PcieLink::complete(Job* job, const sc_time& delay) {
    if (!job->trans->is_response_ok()) ++stats_.error_responses;
    if (job->blocking)
        job->done.notify(delay);
    else
        responses_.notify(*job, delay);
}

void PcieLink::response_thread() {
    for (;;) {
        Job* job = responses_.get_next_transaction();
        if (job == nullptr) {
            sc_core::wait(responses_.get_event());
            continue;
        }
        response_.respond(host_side, *job->trans, name(), kMsgType);
        finish(job);
    }
}

void PcieLink::finish(Job* job) { jobs_.give(*job); }

}  // namespace qsim
