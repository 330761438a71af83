// Memory-mapped address decoder on the FPGA side of the PCIe link: routes each generic
// payload to the target whose window holds its address (register bank, DMA channels),
// rebased to the window, and answers TLM_ADDRESS_ERROR_RESPONSE where no window matches or a
// transfer runs past the end of its window.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace qsim {

class AddressDecoder : public sc_core::sc_module {
public:
    using InitiatorSocket = tlm_utils::simple_initiator_socket<AddressDecoder>;

    tlm_utils::simple_target_socket<AddressDecoder> socket;

    explicit AddressDecoder(sc_core::sc_module_name name);

    // Adds a window [base, base + size) and returns the socket to bind to its target.
    InitiatorSocket& add_window(const std::string& name, uint64_t base, uint64_t size);

    uint64_t address_errors() const { return address_errors_; }

private:
    struct Window {
        std::string name;
        uint64_t base;
        uint64_t size;
        std::unique_ptr<InitiatorSocket> socket;
    };

    Window* route(tlm::tlm_generic_payload& gp);
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& gp);

    std::vector<Window> windows_;
    uint64_t address_errors_ = 0;
};

}  // namespace qsim
