// Bit-true kernels of the decompressor-fed PE array (thesis ch. 3.4.1-3.4.4, Fig. 3.5).
//
// DecompressorKernel is one decompressor lane: the encoded weights of its output channels
// (lane d of D holds channels n = f * D + d, f = 0 .. N/D - 1, one after the other) and the
// decoder of ch. 3.4.1, which reads one entry per clock, adds its magnitude to an address
// counter and outputs (address, weight) for a weight entry, nothing for a skip, and starts the
// next row at an end-of-row entry. Zero weights have no entry, so they cost no clock.
//
// SparsePeKernel is the P PEs one lane feeds: each holds its own input vector (an output
// pixel's window, or one frame of an fc batch) and adds or subtracts the input at the emitted
// address, so every decoded weight is reused P times; the threshold unit follows.
#pragma once

#include <cstdint>
#include <vector>

#include "models/decompressor/ternary_codec.hpp"
#include "models/mvtu/threshold_kernel.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

// What the decoder emits for a nonzero weight: the synapse it applies to and its value.
struct WeightEntry {
    uint32_t address = 0;
    int8_t weight = 0;
};

// One row as the decoder emitted it, and the clocks it took (its entries, skips and the end of
// row included).
struct DecodedRow {
    int channel = 0;  // output channel
    std::vector<WeightEntry> entries;
    uint64_t cycles = 0;
};

class DecompressorKernel {
public:
    // Lane `lane` of `lanes` of layer `l` (ternary weights), encoded as l.decompressor says.
    DecompressorKernel(const LayerConfig& l, const LayerParams& p, int lane, int lanes);

    const EncodedWeights& stream() const { return stream_; }
    int rows() const { return int(rows_.size()); }
    // Row f of the lane (output channel f * lanes + lane), decoded from the stream.
    const DecodedRow& row(int f) const { return rows_[size_t(f)]; }
    // Clocks the decoder takes for all its rows once (one pass over its memory).
    uint64_t pass_cycles() const { return pass_cycles_; }

private:
    EncodedWeights stream_;
    std::vector<DecodedRow> rows_;
    uint64_t pass_cycles_ = 0;
};

// Runs the decoder of ch. 3.4.1 over a stream clock by clock, one row after the other.
std::vector<DecodedRow> run_decoder(const EncodedWeights& stream, int first_channel, int channel_step);

class SparsePeKernel {
public:
    SparsePeKernel(const LayerConfig& l, const LayerParams& p);

    // The accumulators of `pes` PEs for one decoded row: acc[i] = sum of weight x value of
    // input i (codes, decoded by the layer's input encoding) at each emitted address.
    void accumulate(const DecodedRow& row, const int32_t* const* inputs, int pes, int64_t* acc) const;
    int32_t activate(int64_t acc, int channel) const { return thresholds_.apply(acc, channel); }
    // out[n] = activate(acc[n], n) for the channels n in [0, count), at once.
    void activate(const int64_t* acc, int count, int32_t* out) const { thresholds_.apply(acc, 0, count, out); }

private:
    Encoding encoding_;
    ThresholdUnit thresholds_;
};

}  // namespace qsim
