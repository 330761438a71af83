#include "tlm/pcie_timing.hpp"

#include <stdexcept>
#include <string>

namespace qsim {

namespace {

void check_generation(int gen) {
    if (gen < 1 || gen > 5)
        throw std::invalid_argument("PCIe generation must be 1..5 (2.5, 5, 8, 16, 32 GT/s per lane), got " +
                                    std::to_string(gen));
}

void check_non_negative(double value, const char* field) {
    if (!(value >= 0.0))  // also rejects NaN
        throw std::invalid_argument(std::string("PCIe ") + field + " must be >= 0, got " + std::to_string(value));
}

}  // namespace

double pcie_lane_gtps(int gen) {
    check_generation(gen);
    static const double rates[] = {2.5, 5.0, 8.0, 16.0, 32.0};
    return rates[gen - 1];
}

double pcie_encoding_efficiency(int gen) {
    check_generation(gen);
    return gen <= 2 ? 8.0 / 10.0 : 128.0 / 130.0;
}

void validate_pcie_config(const PcieConfig& cfg) {
    check_generation(cfg.generation);
    const int l = cfg.lanes;
    if (l != 1 && l != 2 && l != 4 && l != 8 && l != 16)
        throw std::invalid_argument("PCIe lanes must be 1, 2, 4, 8 or 16, got " + std::to_string(l));
    if (cfg.max_payload_bytes < 1)
        throw std::invalid_argument("PCIe max_payload_bytes must be >= 1, got " +
                                    std::to_string(cfg.max_payload_bytes));
    if (cfg.tlp_overhead_bytes < 0)
        throw std::invalid_argument("PCIe tlp_overhead_bytes must be >= 0, got " +
                                    std::to_string(cfg.tlp_overhead_bytes));
    check_non_negative(cfg.latency_ns, "latency_ns");
    check_non_negative(cfg.transfer_overhead_ns, "transfer_overhead_ns");
}

double pcie_raw_bytes_per_second(const PcieConfig& cfg) {
    validate_pcie_config(cfg);
    return pcie_lane_gtps(cfg.generation) * cfg.lanes * pcie_encoding_efficiency(cfg.generation) / 8.0 * 1e9;
}

uint64_t pcie_tlp_count(uint64_t bytes, const PcieConfig& cfg) {
    validate_pcie_config(cfg);
    const uint64_t p = uint64_t(cfg.max_payload_bytes);
    return bytes / p + (bytes % p != 0 ? 1 : 0);
}

double pcie_wire_time_ns(uint64_t bytes, const PcieConfig& cfg) {
    const double tlps = double(pcie_tlp_count(bytes, cfg));
    return (double(bytes) + tlps * cfg.tlp_overhead_bytes) / pcie_raw_bytes_per_second(cfg) * 1e9;
}

double pcie_tlp_time_ns(uint64_t payload_bytes, const PcieConfig& cfg) {
    return (double(payload_bytes) + cfg.tlp_overhead_bytes) / pcie_raw_bytes_per_second(cfg) * 1e9;
}

double pcie_transfer_time_ns(uint64_t bytes, const PcieConfig& cfg) {
    return cfg.transfer_overhead_ns + cfg.latency_ns + pcie_wire_time_ns(bytes, cfg);
}

double pcie_effective_bytes_per_second(const PcieConfig& cfg) {
    const double p = cfg.max_payload_bytes;
    return pcie_raw_bytes_per_second(cfg) * p / (p + cfg.tlp_overhead_bytes);
}

}  // namespace qsim
