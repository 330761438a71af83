// Timing rule of a host DMA transfer to or from one of the DMA engine's AXI4-stream channels
// through the TLP-level PCIe model (tlm/pcie_root_port, tlm/pcie_endpoint), on an otherwise
// idle link with a stream that is always ready and enough flow-control credits. Pure
// functions, no SystemC: the approximately-timed model produces these times TLP by TLP and
// beat by beat; the loosely-timed DMA engine annotates them for a whole transfer at once.
//
// B bytes cross in N = ceil(B / P) TLPs of p_1..p_N bytes (P = max_payload_bytes, the last one
// shorter); O = transfer_overhead_ns, L = latency_ns, H = tlp_overhead_bytes, R the raw rate;
// the wire time of a TLP of p bytes is w(p) = (p + H) / R, and its stream time is
// s(p) = ceil(p / beat_bytes) DMA clock periods (one beat of stream_bits per clock).
//   write (host -> stream): TLP i arrives at the endpoint at a_i = O + w(p_1) + .. + w(p_i) + L;
//     its beats enter the stream at f_i = max(f_(i-1), a_i) + s(p_i); the host sees the
//     transfer complete when the last TLP's response (its credit, the write's status) is
//     back: T = f_N + L.
//   read (stream -> host): N read requests of w(0) each go down back to back; request i
//     reaches the endpoint at r_i = O + i * w(0) + L; its data is gathered from the stream at
//     g_i = max(g_(i-1), r_i) + s(p_i) and its completion crosses the up wire at
//     u_i = max(u_(i-1), g_i) + w(p_i); the host has the data at T = u_N + L.
// With a stream faster than the link (256 bit at 250 MHz = 8 GB/s vs 7.2 GB/s of payload on
// Gen3 x8) the wire time dominates and the stream adds one TLP's beats.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// Bytes per AXI4-stream beat: stream_bits / 8 (at least 1).
uint64_t dma_beat_bytes(const DmaConfig& dma);

// Stream time of a TLP of `bytes`: ceil(bytes / beat bytes) DMA clock periods, in ns.
double dma_tlp_stream_ns(uint64_t bytes, const DmaConfig& dma);

// T of the rule above, in ns, from the host starting the transfer to the host seeing it done.
double dma_stream_write_ns(uint64_t bytes, const PcieConfig& pcie, const DmaConfig& dma);
double dma_stream_read_ns(uint64_t bytes, const PcieConfig& pcie, const DmaConfig& dma);

}  // namespace qsim
