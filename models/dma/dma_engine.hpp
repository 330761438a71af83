// FPGA-side DMA engine behind the PCIe link (ch. 6.6.1, Fig. 6.7): AXI4-stream channels of
// `stream_bits` at the DMA clock (256 bit at 250 MHz), each a window in the device's address
// map that the host's transfers land in.
//   channel 0 (input)  : host writes frames, codes packed little-endian in ceil(bits/8) bytes,
//                        HWC order; the engine cuts them into rows for the input width
//                        converter (24-bit input stream of the first block).
//   channel 1 (weights): one window per compute layer; the host writes a u64 record length at
//                        offset 0 and the layer's parameter record (docs/weights-format.md)
//                        from offset 8, in contiguous bursts; a complete record is checked and
//                        goes into the layer's weight memories (its packed codes as they are)
//                        and threshold memories.
//   channel 2 (output) : host reads; the engine packs the last layer's rows (accumulators
//                        as 4 bytes, narrower codes in ceil(bits/8) bytes) into the read data.
// Each transfer also takes its beats on the stream: ceil(bytes * 8 / stream_bits) DMA cycles.
//
// Timing by mode (host.timing):
//   approximately timed: the PCIe endpoint (tlm/pcie_endpoint) delivers each TLP beat by beat,
//     one transaction per beat; a beat takes one DMA clock, and a beat of channel 0 that
//     completes a row waits while the accelerator's input buffer is full (backpressure), one
//     of channel 2 while the accelerator has no output row for it.
//   loosely timed: each transaction is a whole host transfer that has crossed the PCIe link
//     (tlm/pcie_link annotated pcie_transfer_time_ns). The engine makes the whole transfer take
//     what the approximately-timed model takes on an idle link (models/dma/dma_timing): a write adds
//     the beats of its last TLP that do not overlap the wire, then the status going back to
//     the host; a read starts gathering when its request has reached the engine (overhead,
//     header, latency after the transfer started) or when the accelerator has the data, and
//     adds the beats, the wire and the latency from there.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/mvtu/mvtu_kernel.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "tlm/row_fifo.hpp"

namespace qsim {

// The FPGA's address map as the host sees it through the PCIe link (docs/registers.md).
namespace device_map {
constexpr uint64_t kRegisters = 0x0000'0000;
constexpr uint64_t kRegistersSize = 0x1000;
constexpr uint64_t kInputChannel = 0x1000'0000;   // DMA channel 0
constexpr uint64_t kOutputChannel = 0x2000'0000;  // DMA channel 2
constexpr uint64_t kStreamWindowSize = 0x1000'0000;
constexpr uint64_t kWeightChannel = 0x1'0000'0000;  // DMA channel 1: one window per compute layer
constexpr uint64_t kWeightWindowSize = uint64_t(64) << 20;
constexpr uint64_t kMaxComputeLayers = 64;
}  // namespace device_map

// How a feature map is packed on a stream channel.
struct StreamFormat {
    FmShape shape;
    int bytes_per_code = 1;
    bool is_signed = false;
};

struct DmaChannelStats {
    uint64_t bytes = 0;
    uint64_t transfers = 0;  // transactions served: whole transfers (loosely timed) or beats
    uint64_t errors = 0;
};

class DmaEngine : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<DmaEngine> input_socket;   // channel 0
    tlm_utils::simple_target_socket<DmaEngine> weight_socket;  // channel 1
    tlm_utils::simple_target_socket<DmaEngine> output_socket;  // channel 2
    sc_core::sc_port<RowWriteIf> to_accelerator;  // rows of input frames
    sc_core::sc_port<RowReadIf> from_accelerator; // rows of output frames

    // Receives each compute layer's image (index into NetworkConfig::layers): its weight
    // memories written from the record (packed codes as they are; run-length or Huffman coded
    // weights decoded first) and its other parameters. A record identical to the window's
    // last one gives the same object again.
    using ParameterSink = std::function<void(size_t layer, const std::shared_ptr<const LayerImage>& image)>;

    DmaEngine(sc_core::sc_module_name name, const NetworkConfig& net, size_t device_layers, const DmaConfig& dma,
              ParameterSink sink);

    const DmaChannelStats& channel(int c) const { return stats_.at(size_t(c)); }
    // The loopback architecture moves a different layer's maps each time (ch. 6.6.3).
    void set_input_format(const StreamFormat& f) {
        in_format_ = f;
        in_row_ = 0;
    }
    void set_output_format(const StreamFormat& f) { out_format_ = f; }
    static StreamFormat format_of(FmShape shape, Encoding e, int bits);
    // Decoding errors of channel 1 records ("" when none).
    const std::string& last_error() const { return last_error_; }
    sc_core::sc_time beat_period() const { return beat_; }

    // Packing helpers shared with the host driver.
    static int bytes_per_code(Encoding e, int bits);
    static void pack_codes(const int32_t* codes, size_t n, int bytes_per_code, uint8_t* out);
    static void unpack_codes(const uint8_t* in, size_t n, int bytes_per_code, bool is_signed, int32_t* codes);

private:
    void input_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void weight_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void output_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    sc_core::sc_time stream_time(uint64_t bytes) const;
    // Loosely timed: what the engine adds to a whole transfer (see the header comment).
    sc_core::sc_time lt_write_tail(uint64_t bytes) const;
    sc_core::sc_time lt_read_request() const;             // start -> the request reaches the engine
    sc_core::sc_time lt_read_rest(uint64_t bytes) const;  // from there to the data in the host
    // Simulator speed only: the last transfer size each of the two was computed for (almost
    // every transfer is a whole chunk), and the result.
    mutable uint64_t write_tail_bytes_ = ~uint64_t(0), read_rest_bytes_ = ~uint64_t(0);
    mutable sc_core::sc_time write_tail_, read_rest_;
    bool loosely_timed() const { return net_.host.timing == TimingMode::LooselyTimed; }
    bool check(tlm::tlm_generic_payload& gp, tlm::tlm_command expected, DmaChannelStats& s);

    const NetworkConfig& net_;
    std::vector<size_t> compute_layers_;  // channel-1 window index -> layer index
    ParameterSink sink_;
    sc_core::sc_time beat_;
    int stream_bits_;
    DmaConfig dma_;
    sc_core::sc_time completion_latency_;  // loosely timed: a write's status back to the host
    std::array<DmaChannelStats, 3> stats_;
    std::string last_error_;

    // channel 0 state
    StreamFormat in_format_;
    std::vector<uint8_t> in_pending_;
    int in_frame_ = 0, in_row_ = 0;
    // channel 1 state, per compute layer
    std::vector<std::vector<uint8_t>> records_;
    std::vector<uint64_t> record_received_;
    // Simulator speed only: the last decoded record per window; an identical record (the
    // loopback architecture resends every layer's weights every frame) is not decoded again.
    // last_record_ and records_ hold a record with its u64 length field in front.
    std::vector<std::vector<uint8_t>> last_record_;
    std::vector<std::shared_ptr<const LayerImage>> last_params_;
    // While the bursts of a record arrive in order and equal the last record (its u64 length,
    // then its bytes), they are only compared, not gathered: the window has matched_ bytes of
    // it. The first burst that differs gathers the matched part into records_ and goes on.
    std::vector<uint8_t> matching_;
    std::vector<uint64_t> matched_;
    bool continues_last_record(size_t window, uint64_t offset, const uint8_t* data, uint64_t len) const;
    std::shared_ptr<const LayerImage> decode_image(size_t layer, const uint8_t* record, size_t size) const;
    // channel 2 state
    StreamFormat out_format_;
    std::vector<uint8_t> out_pending_;
    size_t out_pending_pos_ = 0;
};

}  // namespace qsim
