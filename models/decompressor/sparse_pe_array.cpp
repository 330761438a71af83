#include "models/decompressor/sparse_pe_array.hpp"

#include <algorithm>
#include <string>

#include "models/decompressor/decompressor_timing.hpp"

namespace qsim {

SparsePeArray::SparsePeArray(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params,
                             int frames, sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "mvtu"),  // the layer's compute unit
      in("in"),
      out("out"),
      layer_(layer),
      pes_(layer, params),
      rows_(layer.in_encoding, layer.in_bits, layer.fan_in(), layer.out.channels),
      frames_(frames),
      acc_(size_t(decompressor_pes_per_lane(layer))),
      pe_acc_(size_t(decompressor_pes_per_lane(layer)) * size_t(layer.out.channels)) {
    const int lanes = decompressor_lanes(layer);
    for (int d = 0; d < lanes; ++d) {
        const std::string n = "decompressor" + std::to_string(d);
        decompressors_.push_back(std::make_unique<Decompressor>(n.c_str(), layer, params, d));
        dec2pe_wt_.push_back(std::make_unique<sc_core::sc_port<WeightStreamIf>>(("dec2pe_wt" + std::to_string(d)).c_str()));
        dec2pe_wt_.back()->bind(decompressors_.back()->dec2pe_wt);
        const DecompressorKernel& k = decompressors_.back()->kernel();
        for (int f = 0; f < k.rows(); ++f) rows_.add_row(k.row(f));
    }
    if (layer.type == LayerType::Conv) {
        SC_THREAD(run_conv);
    } else {
        const int batch = decompressor_pes_per_lane(layer);
        for (Batch& b : batches_) {
            b.vectors.assign(size_t(batch), std::vector<int32_t>(size_t(layer.fan_in())));
            b.frames.assign(size_t(batch), 0);
        }
        SC_THREAD(load_fc);
        SC_THREAD(run_fc);
    }
}

uint64_t SparsePeArray::pass(const std::vector<const int32_t*>& inputs, int pes, int32_t* out, size_t out_stride,
                             uint64_t& macs) {
    uint64_t slowest = 0;
    const int n = layer_.out.channels;
    const int rows = n / lanes();
    rows_.load_inputs(inputs.data(), pes);
    for (auto& port : dec2pe_wt_) {
        uint64_t lane = 0;
        for (int f = 0; f < rows; ++f) {
            const DecodedRow& row = (*port)->next_row();
            rows_.accumulate(row.channel, acc_.data());  // = pes_.accumulate(row, inputs, pes, acc)
            for (int i = 0; i < pes; ++i) pe_acc_[size_t(i) * size_t(n) + size_t(row.channel)] = acc_[size_t(i)];
            lane += row.cycles;
            macs += row.entries.size() * uint64_t(pes);
        }
        slowest = std::max(slowest, lane);
    }
    // The lanes' rows are every channel once (lane d: channels f * lanes + d): each PE's
    // accumulators go through the threshold unit together.
    for (int i = 0; i < pes; ++i) pes_.activate(&pe_acc_[size_t(i) * size_t(n)], n, out + size_t(i) * out_stride);
    return slowest;
}

void SparsePeArray::run_conv() {
    const int p = decompressor_pes_per_lane(layer_);
    const int n = layer_.out.channels;
    const uint64_t lane_count = uint64_t(lanes()) * uint64_t(p);
    std::vector<const int32_t*> inputs(static_cast<size_t>(p));
    for (;;) {
        StreamRow windows = take(in);
        StreamRow row = StreamRow::shaped(windows.frame, windows.row, windows.pixels, n);
        uint64_t cycles = 0, macs = 0;
        for (int g = 0; g < windows.pixels; g += p) {
            const int pes = std::min(p, windows.pixels - g);
            for (int i = 0; i < pes; ++i) inputs[size_t(i)] = windows.pixel(g + i);
            cycles += pass(inputs, pes, row.pixel(g), size_t(n), macs);
        }
        busy(cycles);
        stats_.lane_cycles += cycles * lane_count;
        stats_.useful_ops += macs;
        const bool last = row.row == layer_.out.height - 1;
        const int frame = row.frame;
        give(out, std::move(row));
        if (last) frame_done(frame);
    }
}

void SparsePeArray::load_fc() {
    const int batch = decompressor_pes_per_lane(layer_);
    for (int seen = 0, slot = 0;; slot ^= 1) {
        Batch& b = batches_[slot];
        while (b.full) wait_internal(batch_free_, true, "a free input buffer set");
        b.count = 0;
        while (b.count < batch && (frames_ <= 0 || seen < frames_)) {
            size_t received = 0;
            for (int y = 0; y < layer_.in.height; ++y) {
                StreamRow r = take(in);
                b.frames[size_t(b.count)] = r.frame;
                std::copy(r.data.begin(), r.data.end(), b.vectors[size_t(b.count)].begin() + ptrdiff_t(received));
                received += r.data.size();
            }
            ++b.count;
            ++seen;
        }
        if (b.count == 0) return;  // every frame of the run is in
        b.full = true;
        batch_ready_.notify(sc_core::SC_ZERO_TIME);
    }
}

void SparsePeArray::run_fc() {
    const int n = layer_.out.channels;
    const uint64_t lane_count = uint64_t(lanes()) * uint64_t(decompressor_pes_per_lane(layer_));
    for (int slot = 0;; slot ^= 1) {
        Batch& b = batches_[slot];
        while (!b.full) wait_internal(batch_ready_, false, "a full batch of input vectors");
        std::vector<const int32_t*> inputs(static_cast<size_t>(b.count));
        for (int i = 0; i < b.count; ++i) inputs[size_t(i)] = b.vectors[size_t(i)].data();
        std::vector<int32_t> results(size_t(b.count) * size_t(n));
        uint64_t macs = 0;
        const uint64_t cycles = pass(inputs, b.count, results.data(), size_t(n), macs);
        busy(cycles);
        stats_.lane_cycles += cycles * lane_count;
        stats_.useful_ops += macs;
        const int count = b.count;
        const std::vector<int> frames = b.frames;
        b.full = false;  // the results are in the PEs' output registers
        batch_free_.notify(sc_core::SC_ZERO_TIME);
        for (int i = 0; i < count; ++i) {
            StreamRow row = StreamRow::sized(frames[size_t(i)], 0, 1, n);
            std::copy(results.begin() + ptrdiff_t(i) * n, results.begin() + ptrdiff_t(i + 1) * n, row.data.begin());
            give(out, std::move(row));
            frame_done(frames[size_t(i)]);
        }
    }
}

}  // namespace qsim
