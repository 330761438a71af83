#include "models/dma/dma_timing.hpp"

#include <algorithm>

#include "models/common/int_math.hpp"
#include "tlm/pcie_timing.hpp"

namespace qsim {

uint64_t dma_beat_bytes(const DmaConfig& dma) { return std::max<uint64_t>(1, uint64_t(dma.stream_bits) / 8); }

double dma_tlp_stream_ns(uint64_t bytes, const DmaConfig& dma) {
    return double(ceil_div(bytes, dma_beat_bytes(dma))) * 1e3 / dma.clock_mhz;
}

namespace {

// Payload of TLP i (0-based) of a transfer of `bytes` in TLPs of at most `max_payload`.
uint64_t tlp_payload(uint64_t bytes, uint64_t max_payload, uint64_t i) {
    return std::min(max_payload, bytes - i * max_payload);
}

}  // namespace

double dma_stream_write_ns(uint64_t bytes, const PcieConfig& pcie, const DmaConfig& dma) {
    const uint64_t p = uint64_t(pcie.max_payload_bytes);
    const uint64_t n = std::max<uint64_t>(1, pcie_tlp_count(bytes, pcie));
    double wire = pcie.transfer_overhead_ns, stream = 0.0;
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t b = bytes == 0 ? 0 : tlp_payload(bytes, p, i);
        wire += pcie_tlp_time_ns(b, pcie);
        stream = std::max(stream, wire + pcie.latency_ns) + dma_tlp_stream_ns(b, dma);
    }
    return stream + pcie.latency_ns;
}

double dma_stream_read_ns(uint64_t bytes, const PcieConfig& pcie, const DmaConfig& dma) {
    const uint64_t p = uint64_t(pcie.max_payload_bytes);
    const uint64_t n = std::max<uint64_t>(1, pcie_tlp_count(bytes, pcie));
    const double request = pcie_tlp_time_ns(0, pcie);
    double gathered = 0.0, up = 0.0;
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t b = bytes == 0 ? 0 : tlp_payload(bytes, p, i);
        const double arrives = pcie.transfer_overhead_ns + double(i + 1) * request + pcie.latency_ns;
        gathered = std::max(gathered, arrives) + dma_tlp_stream_ns(b, dma);
        up = std::max(up, gathered) + pcie_tlp_time_ns(b, pcie);
    }
    return up + pcie.latency_ns;
}

}  // namespace qsim
