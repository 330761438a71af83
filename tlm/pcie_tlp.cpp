#include "tlm/pcie_tlp.hpp"

namespace qsim {

tlm::tlm_generic_payload* TlpPool::allocate() {
    Slot* slot;
    if (free_.empty()) {
        slots_.push_back(std::make_unique<Slot>());
        slot = slots_.back().get();
        slot->buffer.assign(buffer_bytes_, 0);
        slot->set_mm(this);
        slot->set_extension(new PcieTlpTag);  // freed with the payload
    } else {
        slot = free_.back();
        free_.pop_back();
    }
    slot->set_data_ptr(slot->buffer.data());
    slot->acquire();
    if (++outstanding_ > peak_) peak_ = outstanding_;
    return slot;
}

void TlpPool::free(tlm::tlm_generic_payload* gp) {
    gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp->set_byte_enable_ptr(nullptr);
    gp->set_byte_enable_length(0);
    free_.push_back(static_cast<Slot*>(gp));  // every payload of the pool is a Slot
    --outstanding_;
}

}  // namespace qsim
