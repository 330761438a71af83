// The transaction-layer packets (TLPs) of the approximately-timed PCIe model, shared by its
// two ends: PcieRootPort (host side, tlm/pcie_root_port.hpp) and PcieEndpoint (FPGA side,
// tlm/pcie_endpoint.hpp). Every TLP is a TLM-2.0 generic payload with a memory manager that
// goes through the base protocol's four phases, root port -> endpoint:
//
//   BEGIN_REQ   root port -> endpoint  the TLP starts to cross the down wire; sent only with a
//                                      flow-control credit of its kind (posted for a memory
//                                      write, non-posted for a memory read)
//   END_REQ     endpoint -> root port  annotated with the TLP's wire time: the wire is free
//                                      for the next TLP; the TLP reaches the endpoint's
//                                      receive buffer latency_ns later
//   BEGIN_RESP  endpoint -> root port  write: its data has gone into the device, the buffer is
//                                      free and the credit is back at the root port
//                                      (latency_ns after that); read: the completion with the
//                                      data has crossed the up wire (latency_ns after its
//                                      last byte left)
//   END_RESP    root port -> endpoint  the root port took the response (credit counted, read
//                                      data copied to the host buffer)
//
// A write TLP carries payload + tlp_overhead_bytes on the down wire; a read request only the
// header (tlp_overhead_bytes), and its completion payload + header on the up wire.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <tlm>

namespace qsim {

// The endpoint's receive buffers, advertised to the root port as flow-control credits, in
// TLPs. The defaults cover the credit round trip (wire + 2 x 500 ns latency + the beats of
// one TLP) of Gen3 x16 with 256-byte TLPs, so an idle link is never throttled up to there.
struct PcieCredits {
    int posted = 64;      // memory writes buffered
    int non_posted = 64;  // memory reads outstanding (their completions not yet sent)
};

// Bookkeeping the root port attaches to each TLP (the endpoint does not look at it).
struct PcieTlpTag : tlm::tlm_extension<PcieTlpTag> {
    void* transfer = nullptr;  // the host transfer the TLP is part of
    uint64_t offset = 0;       // where its payload sits in that transfer
    uint64_t sequence = 0;     // 1, 2, ... in the order the root port sent TLPs
    tlm::tlm_extension_base* clone() const override { return new PcieTlpTag(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const PcieTlpTag&>(other);
    }
};

// Memory manager of the root port's TLPs: each payload owns a buffer of max_payload_bytes
// (the TLP's data), and the tag above. Payloads come back to the pool when released.
class TlpPool : public tlm::tlm_mm_interface {
public:
    explicit TlpPool(size_t buffer_bytes) : buffer_bytes_(buffer_bytes) {}
    TlpPool(const TlpPool&) = delete;
    TlpPool& operator=(const TlpPool&) = delete;

    // A payload with one reference held by the caller (release() it when done), its data
    // pointer on its own buffer, and its tag.
    tlm::tlm_generic_payload* allocate();
    void free(tlm::tlm_generic_payload* gp) override;

    size_t outstanding() const { return outstanding_; }
    size_t peak_outstanding() const { return peak_; }

private:
    struct Slot : tlm::tlm_generic_payload {
        std::vector<unsigned char> buffer;
    };
    size_t buffer_bytes_;
    std::vector<std::unique_ptr<Slot>> slots_;
    std::vector<Slot*> free_;
    size_t outstanding_ = 0, peak_ = 0;
};

}  // namespace qsim
