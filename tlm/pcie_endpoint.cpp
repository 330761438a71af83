// sc_spawn: one process per window.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "tlm/pcie_endpoint.hpp"

#include <algorithm>
#include <stdexcept>

#include "tlm/pcie_timing.hpp"

namespace qsim {

using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

// One part of the address space and the process that serves its TLPs.
struct PcieEndpoint::Window {
    uint64_t base = 0, size = 0;
    unsigned beat_bytes = 0;  // 0: memory-mapped, one access per TLP
    std::deque<tlm::tlm_generic_payload*> queue;
    sc_core::sc_event arrived;
    tlm::tlm_generic_payload beat;  // the stream's beat, reused
    PcieWindowStats stats;
    bool holds(uint64_t a) const { return a >= base && a - base < size; }
};

namespace {

const char* const kMsgType = "qsim/PcieEndpoint";

}  // namespace

PcieEndpoint::PcieEndpoint(sc_core::sc_module_name name, const PcieConfig& config, PcieCredits credits)
    : sc_core::sc_module(name),
      tlp_in("tlp_in"),
      device_side("device_side"),
      config_(config),
      credits_(credits),
      peq_(this, &PcieEndpoint::tlp_phase),
      arrived_("arrived"),
      responses_("responses") {
    validate_pcie_config(config_);
    latency_ = sc_time(config_.latency_ns, SC_NS);
    tlp_in.register_nb_transport_fw(this, &PcieEndpoint::nb_transport_fw);
    tlp_in.register_transport_dbg(this, &PcieEndpoint::transport_dbg);

    windows_.push_back(std::make_unique<Window>());
    windows_[0]->stats.name = "memory-mapped";
    Window* mm = windows_[0].get();
    sc_core::sc_spawn([this, mm] { window_thread(mm); }, "memory_mapped_thread");
    SC_METHOD(dispatch);
    sensitive << arrived_.get_event();
    dont_initialize();
    SC_THREAD(up_wire_thread);
    SC_THREAD(response_thread);
}

PcieEndpoint::~PcieEndpoint() = default;

void PcieEndpoint::add_stream_window(const std::string& window, uint64_t base, uint64_t size, unsigned beat_bytes) {
    if (beat_bytes == 0) throw std::invalid_argument("stream window '" + window + "': beat_bytes must be >= 1");
    for (size_t i = 1; i < windows_.size(); ++i) {
        const Window& w = *windows_[i];
        if (base < w.base + w.size && w.base < base + size)
            throw std::invalid_argument("stream window '" + window + "' overlaps '" + w.stats.name + "'");
    }
    windows_.push_back(std::make_unique<Window>());
    Window* w = windows_.back().get();
    w->base = base;
    w->size = size;
    w->beat_bytes = beat_bytes;
    w->stats.name = window;
    sc_core::sc_spawn([this, w] { window_thread(w); }, (window + "_thread").c_str());
}

std::vector<PcieWindowStats> PcieEndpoint::window_stats() const {
    std::vector<PcieWindowStats> v;
    for (const auto& w : windows_) v.push_back(w->stats);
    return v;
}

tlm::tlm_sync_enum PcieEndpoint::nb_transport_fw(tlm::tlm_generic_payload& tlp, tlm::tlm_phase& phase,
                                                 sc_time& delay) {
    if (phase != tlm::BEGIN_REQ && phase != tlm::END_RESP) {
        SC_REPORT_ERROR(kMsgType, (std::string(name()) + ": illegal phase " + phase.get_name() +
                                   " on the forward path (expected BEGIN_REQ or END_RESP)")
                                      .c_str());
        return tlm::TLM_COMPLETED;
    }
    peq_.notify(tlp, phase, delay);
    return tlm::TLM_ACCEPTED;
}

unsigned int PcieEndpoint::transport_dbg(tlm::tlm_generic_payload& trans) {
    return device_side->transport_dbg(trans);
}

void PcieEndpoint::tlp_phase(tlm::tlm_generic_payload& tlp, const tlm::tlm_phase& phase) {
    if (phase == tlm::END_RESP) {
        responding_ = false;
        end_resp_.notify();
        return;
    }
    // BEGIN_REQ: the TLP is on the wire now. A write carries its data, a read request only
    // its header.
    if (tlp.has_mm()) tlp.acquire();
    const bool read = tlp.is_read();
    int& used = read ? non_posted_ : posted_;
    const int limit = read ? credits_.non_posted : credits_.posted;
    if (used >= limit)
        SC_REPORT_ERROR(kMsgType, (std::string(name()) + ": TLP sent without a " +
                                   (read ? "non-posted" : "posted") + " credit (" + std::to_string(limit) +
                                   " advertised)")
                                      .c_str());
    ++used;
    if (read) {
        stats_.peak_non_posted = std::max(stats_.peak_non_posted, used);
        ++stats_.read_tlps;
    } else {
        stats_.peak_posted = std::max(stats_.peak_posted, used);
        ++stats_.write_tlps;
    }
    const sc_time wire(pcie_tlp_time_ns(read ? 0 : tlp.get_data_length(), config_), SC_NS);
    tlm::tlm_phase end = tlm::END_REQ;
    sc_time delay = wire;
    tlp_in->nb_transport_bw(tlp, end, delay);
    arrived_.notify(tlp, wire + latency_);
}

void PcieEndpoint::dispatch() {
    while (tlm::tlm_generic_payload* tlp = arrived_.get_next_transaction()) {
        if (record_) {
            const PcieTlpTag* tag = tlp->get_extension<PcieTlpTag>();
            arrivals_log_.push_back({tag ? tag->sequence : 0, tlp->get_command(), tlp->get_address(),
                                     tlp->get_data_length(), sc_time_stamp()});
        }
        Window* target = windows_[0].get();
        for (size_t i = 1; i < windows_.size(); ++i)
            if (windows_[i]->holds(tlp->get_address())) {
                target = windows_[i].get();
                break;
            }
        target->queue.push_back(tlp);
        target->arrived.notify();
    }
}

void PcieEndpoint::window_thread(Window* w) {
    for (;;) {
        while (w->queue.empty()) sc_core::wait(w->arrived);
        tlm::tlm_generic_payload* tlp = w->queue.front();
        w->queue.pop_front();
        const sc_time began = sc_time_stamp();
        access(*w, *tlp);
        w->stats.busy += sc_time_stamp() - began;
        ++w->stats.tlps;
        w->stats.bytes += tlp->get_data_length();
        if (tlp->is_read()) {
            up_queue_.push_back(tlp);
            up_event_.notify();
        } else {
            --posted_;  // the buffer is free again; the credit reaches the root port later
            responses_.notify(*tlp, latency_);
        }
    }
}

void PcieEndpoint::access(Window& w, tlm::tlm_generic_payload& tlp) {
    const unsigned length = tlp.get_data_length();
    if (w.beat_bytes == 0 || length == 0 || !(tlp.is_read() || tlp.is_write()) ||
        tlp.get_byte_enable_ptr() != nullptr) {
        sc_time delay = SC_ZERO_TIME;
        device_side->b_transport(tlp, delay);
        if (delay > SC_ZERO_TIME) sc_core::wait(delay);
        if (tlp.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
            tlp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    // AXI4-stream: one beat per transaction; the target's delay is the beat's time.
    tlm::tlm_generic_payload& beat = w.beat;
    unsigned char* data = tlp.get_data_ptr();
    for (unsigned off = 0; off < length; off += w.beat_bytes) {
        const unsigned n = std::min(w.beat_bytes, length - off);
        beat.set_command(tlp.get_command());
        beat.set_address(tlp.get_address() + off);
        beat.set_data_ptr(data + off);
        beat.set_data_length(n);
        beat.set_streaming_width(n);
        beat.set_byte_enable_ptr(nullptr);
        beat.set_byte_enable_length(0);
        beat.set_dmi_allowed(false);
        beat.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = SC_ZERO_TIME;
        device_side->b_transport(beat, delay);
        if (delay > SC_ZERO_TIME) sc_core::wait(delay);
        ++w.stats.beats;
        if (!beat.is_response_ok()) {
            tlp.set_response_status(beat.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE
                                        ? tlm::TLM_GENERIC_ERROR_RESPONSE
                                        : beat.get_response_status());
            return;
        }
    }
    tlp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PcieEndpoint::up_wire_thread() {
    for (;;) {
        while (up_queue_.empty()) sc_core::wait(up_event_);
        tlm::tlm_generic_payload* tlp = up_queue_.front();
        up_queue_.pop_front();
        const sc_time wire(pcie_tlp_time_ns(tlp->is_response_ok() ? tlp->get_data_length() : 0, config_), SC_NS);
        sc_core::wait(wire);
        stats_.up_busy += wire;
        ++stats_.completions;
        responses_.notify(*tlp, latency_);
    }
}

void PcieEndpoint::response_thread() {
    for (;;) {
        tlm::tlm_generic_payload* tlp = responses_.get_next_transaction();
        if (tlp == nullptr) {
            sc_core::wait(responses_.get_event());
            continue;
        }
        if (tlp->is_read()) --non_posted_;  // the completion frees the request's buffer
        responding_ = true;
        tlm::tlm_phase phase = tlm::BEGIN_RESP;
        sc_time delay = SC_ZERO_TIME;
        const tlm::tlm_sync_enum status = tlp_in->nb_transport_bw(*tlp, phase, delay);
        if (status == tlm::TLM_ACCEPTED) {
            while (responding_) sc_core::wait(end_resp_);
        } else {
            if (status == tlm::TLM_UPDATED && phase != tlm::END_RESP)
                SC_REPORT_ERROR(kMsgType, (std::string(name()) + ": root port answered BEGIN_RESP with " +
                                           phase.get_name() + " (expected END_RESP)")
                                              .c_str());
            responding_ = false;
            if (delay > SC_ZERO_TIME) sc_core::wait(delay);
        }
        if (tlp->has_mm()) tlp->release();
    }
}

}  // namespace qsim
