// Timing rules of the PCIe link between the host and the FPGA (ch. 6.6.1: the host moves
// frames and results by DMA over PCIe, Gen3 x8 by default). Pure functions of a PcieConfig,
// no SystemC: the link model (tlm/pcie_link) and any analytical estimate use the same numbers.
//
// Facts taken from the PCI Express Base Specification (rev. 1.0a to 5.0):
//   generation      1      2      3        4        5
//   GT/s per lane   2.5    5.0    8.0      16.0     32.0
//   line encoding   8b/10b 8b/10b 128b/130b 128b/130b 128b/130b
//   efficiency      0.8    0.8    0.98462  0.98462  0.98462
// Links are x1, x2, x4, x8 or x16 (x12 and x32 exist in the specification but are not modelled).
// Data moves in transaction layer packets (TLPs) of at most Max_Payload_Size bytes (128..4096,
// typically 256). Every TLP carries about 20-28 bytes besides its payload: 12 or 16 bytes of
// header, an optional 4-byte ECRC, and in the data link layer a 2-byte sequence number and a
// 4-byte LCRC, plus framing (1+1 bytes for Gen1/2 STP/END symbols, a 4-byte STP token for
// Gen3+). PcieConfig::tlp_overhead_bytes (default 24) is that sum; DLLPs (ACK, flow-control
// updates) and SKP ordered sets are not modelled separately and may be folded into it.
//
// Formulas (B = payload bytes of one transfer, P = max_payload_bytes, H = tlp_overhead_bytes):
//   raw rate [B/s]        R   = GT/s x lanes x efficiency / 8 x 1e9
//   TLPs of a transfer    N   = ceil(B / P)                     (0 for B = 0)
//   wire time [ns]        T_w = (B + N x H) / R x 1e9
//   transfer time [ns]    T   = transfer_overhead_ns + latency_ns + T_w
//   effective rate [B/s]  E   = R x P / (P + H)                 (payload rate of large transfers)
// Gen3 x8: R = 8 x 8 x (128/130) / 8 x 1e9 = 7.877e9 B/s; with P = 256, H = 24: E = 7.20e9 B/s.
//
// Every function validates its configuration and throws std::invalid_argument naming the bad
// field: generation outside 1..5, lanes not in {1, 2, 4, 8, 16}, max_payload_bytes < 1,
// negative (or NaN) tlp_overhead_bytes, latency_ns or transfer_overhead_ns.
#pragma once

#include <cstdint>

#include "tlm/pcie_config.hpp"

namespace qsim {

// Transfer rate of one lane in GT/s (gigatransfers per second) for PCIe generation 1..5.
double pcie_lane_gtps(int gen);

// Fraction of the line rate that carries data: 8/10 for gen 1-2, 128/130 for gen 3+.
double pcie_encoding_efficiency(int gen);

// Throws std::invalid_argument when a field of `cfg` is out of range (see above).
void validate_pcie_config(const PcieConfig& cfg);

// Bytes per second the link carries in one direction after line encoding (TLP overhead included).
double pcie_raw_bytes_per_second(const PcieConfig& cfg);

// TLPs needed to carry `bytes` of payload: ceil(bytes / max_payload_bytes); 0 for 0 bytes.
uint64_t pcie_tlp_count(uint64_t bytes, const PcieConfig& cfg);

// Time the payload and its TLP overhead occupy one direction of the link, in ns.
double pcie_wire_time_ns(uint64_t bytes, const PcieConfig& cfg);

// Time one TLP carrying `payload_bytes` (0 for a read request: header only) occupies the
// wire, in ns: (payload_bytes + tlp_overhead_bytes) / raw rate.
double pcie_tlp_time_ns(uint64_t payload_bytes, const PcieConfig& cfg);

// Time of one DMA transfer on an otherwise idle link, in ns: per-transfer overhead, one-way
// latency and wire time.
double pcie_transfer_time_ns(uint64_t bytes, const PcieConfig& cfg);

// Payload bytes per second of large transfers (full TLPs, fixed costs amortised).
double pcie_effective_bytes_per_second(const PcieConfig& cfg);

}  // namespace qsim
