#include "tlm/address_decoder.hpp"

#include <stdexcept>

namespace qsim {

AddressDecoder::AddressDecoder(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
    socket.register_b_transport(this, &AddressDecoder::b_transport);
    socket.register_transport_dbg(this, &AddressDecoder::transport_dbg);
}

AddressDecoder::InitiatorSocket& AddressDecoder::add_window(const std::string& name, uint64_t base, uint64_t size) {
    for (const auto& w : windows_)
        if (base < w.base + w.size && w.base < base + size)
            throw std::invalid_argument("address window '" + name + "' overlaps '" + w.name + "'");
    windows_.push_back({name, base, size, std::make_unique<InitiatorSocket>((name + "_socket").c_str())});
    return *windows_.back().socket;
}

AddressDecoder::Window* AddressDecoder::route(tlm::tlm_generic_payload& gp) {
    const uint64_t a = gp.get_address();
    const uint64_t len = gp.get_data_length();
    for (auto& w : windows_)
        if (a >= w.base && a - w.base < w.size && len <= w.size - (a - w.base)) return &w;
    ++address_errors_;
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return nullptr;
}

void AddressDecoder::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    Window* w = route(gp);
    if (w == nullptr) return;
    const uint64_t address = gp.get_address();
    gp.set_address(address - w->base);
    (*w->socket)->b_transport(gp, delay);
    gp.set_address(address);
}

unsigned int AddressDecoder::transport_dbg(tlm::tlm_generic_payload& gp) {
    Window* w = route(gp);
    if (w == nullptr) return 0;
    const uint64_t address = gp.get_address();
    gp.set_address(address - w->base);
    const unsigned int n = (*w->socket)->transport_dbg(gp);
    gp.set_address(address);
    return n;
}

}  // namespace qsim
