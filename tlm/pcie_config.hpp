// Settings of the PCIe link between host and FPGA (tlm/pcie_link, pcie_root_port,
// pcie_endpoint) and the two ways of timing it.
#pragma once

namespace qsim {

// The PCIe link between host and FPGA (ch. 6.6.1). Defaults: Gen3 x8.
struct PcieConfig {
    int generation = 3;              // 1..5: 2.5, 5, 8, 16, 32 GT/s per lane
    int lanes = 8;                   // 1, 2, 4, 8, 16
    int max_payload_bytes = 256;     // TLP payload size
    int tlp_overhead_bytes = 24;     // per TLP: header, sequence number, LCRC, framing
    double latency_ns = 500.0;       // one-way latency of a transfer
    double transfer_overhead_ns = 1000.0;  // per DMA transfer: descriptor fetch, doorbell
};

// Loosely timed: whole transfers through b_transport with a quantum keeper (tlm/pcie_link).
// Approximately timed: every TLP through the base protocol's four phases (tlm/pcie_root_port,
// tlm/pcie_endpoint).
enum class TimingMode { LooselyTimed, ApproximatelyTimed };

}  // namespace qsim
