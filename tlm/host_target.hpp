// What the PCIe root port (tlm/pcie_root_port) does as the target of the host's initiators in
// the TLM base protocol: keep a record per transaction in flight (recycled, holding a reference
// to a non-blocking payload until it is done), and play the response phases, BEGIN_RESP out on
// the backward path and the initiator's END_RESP back, one response at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

namespace qsim {

// Records of the transactions in flight, made once and reused. Rec has the fields `trans`,
// `blocking` and `holds_ref`; may be incomplete where the pool is declared.
template <class Rec>
class TransactionPool {
public:
    // A record for `trans`. A non-blocking payload with a memory manager is acquired: its
    // initiator returns before the transaction is done.
    Rec& take(tlm::tlm_generic_payload& trans, bool blocking) {
        Rec* r;
        if (free_.empty()) {
            all_.push_back(std::make_unique<Rec>());
            r = all_.back().get();
        } else {
            r = free_.back();
            free_.pop_back();
        }
        r->trans = &trans;
        r->blocking = blocking;
        r->holds_ref = !blocking && trans.has_mm();
        if (r->holds_ref) trans.acquire();
        ++in_flight_;
        return *r;
    }
    // The transaction is done: releases the payload if held and recycles the record.
    void give(Rec& r) {
        if (r.holds_ref) r.trans->release();
        r.trans = nullptr;
        r.holds_ref = false;
        --in_flight_;
        free_.push_back(&r);
    }
    size_t in_flight() const { return in_flight_; }  // taken, not yet given back

private:
    std::vector<std::unique_ptr<Rec>> all_;  // every record ever made
    std::vector<Rec*> free_;
    size_t in_flight_ = 0;
};

// The response phases towards a non-blocking initiator, one response at a time.
class ResponsePhases {
public:
    // Sends BEGIN_RESP for `trans` on `socket`'s backward path and returns (from a thread) once
    // the initiator has ended the response, its END_RESP's delay included. `who` and `msg_type`
    // name the module in the error for an answer other than END_RESP.
    template <class Socket>
    void respond(Socket& socket, tlm::tlm_generic_payload& trans, const std::string& who, const char* msg_type) {
        outstanding_ = &trans;
        seen_ = false;
        tlm::tlm_phase phase = tlm::BEGIN_RESP;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        switch (socket->nb_transport_bw(trans, phase, delay)) {
            case tlm::TLM_ACCEPTED:  // END_RESP comes later on the forward path
                while (!seen_) sc_core::wait(event_);
                if (at_ > sc_core::sc_time_stamp()) sc_core::wait(at_ - sc_core::sc_time_stamp());
                break;
            case tlm::TLM_UPDATED:
                if (phase != tlm::END_RESP)
                    SC_REPORT_ERROR(msg_type, (who + ": initiator answered BEGIN_RESP with " + phase.get_name() +
                                               " (expected END_RESP)")
                                                  .c_str());
                if (delay > sc_core::SC_ZERO_TIME) sc_core::wait(delay);
                break;
            case tlm::TLM_COMPLETED:  // early completion: END_RESP implied
                if (delay > sc_core::SC_ZERO_TIME) sc_core::wait(delay);
                break;
        }
        outstanding_ = nullptr;
    }
    // END_RESP for `trans` on the forward path, `delay` after now; false (nothing changes) when
    // no BEGIN_RESP for it is outstanding or it was ended already.
    bool end(const tlm::tlm_generic_payload& trans, const sc_core::sc_time& delay) {
        if (outstanding_ != &trans || seen_) return false;
        seen_ = true;
        at_ = sc_core::sc_time_stamp() + delay;
        event_.notify(delay);
        return true;
    }

private:
    const tlm::tlm_generic_payload* outstanding_ = nullptr;
    bool seen_ = false;
    sc_core::sc_time at_;
    sc_core::sc_event event_;
};

}  // namespace qsim
