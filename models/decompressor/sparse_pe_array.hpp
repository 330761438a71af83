// The decompressor-fed PE array of thesis ch. 3.4.3-3.4.4 (Fig. 3.5), in place of a compute
// layer's MVTU: folding.pe decompressors (lanes), each feeding P PEs through its dec2pe_wt
// stream; every decoded (address, weight) is applied by all P PEs of its lane to their own input
// vectors. conv: the P PEs take P output pixels of a window row (P = folding.mmv); fc: P frames
// of a batch (P = decompressor.batch), so the layer waits for a batch before it computes and
// emits the batch's results together (the last frames of a run form a smaller batch); its input
// buffers are double-buffered, so the next batch streams in while one is computed. Values are
// bit-true (the same dot products as the dense MVTU); cycles follow decompressor_timing.
#pragma once

#include <memory>
#include <vector>

#include "models/decompressor/decompressor.hpp"
#include "models/decompressor/sparse_row_kernel.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class SparsePeArray : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(SparsePeArray);
    // `frames`: frames of the run (fc: the last batch may be smaller).
    SparsePeArray(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params, int frames,
                  sc_core::sc_time period);

    int lanes() const { return int(decompressors_.size()); }
    const Decompressor& decompressor(int lane) const { return *decompressors_[size_t(lane)]; }

private:
    void run_conv();
    void load_fc();  // fc: fills the free input buffer set with the next batch
    void run_fc();   // fc: computes the batches as they are complete
    // Applies one pass of every lane to `pes` input vectors; writes out[i * N + n]; returns the
    // pass's clocks (the slowest lane) and adds the MACs done to `macs`.
    uint64_t pass(const std::vector<const int32_t*>& inputs, int pes, int32_t* out, size_t out_stride,
                  uint64_t& macs);

    LayerConfig layer_;
    SparsePeKernel pes_;
    SparseRowKernel rows_;  // the values (the decoded rows in a fast form); cycles follow the decoders
    int frames_;
    std::vector<std::unique_ptr<Decompressor>> decompressors_;
    std::vector<std::unique_ptr<sc_core::sc_port<WeightStreamIf>>> dec2pe_wt_;
    std::vector<int64_t> acc_;     // one row's accumulators, a PE each
    std::vector<int64_t> pe_acc_;  // a pass's: PE i's channel n at i * N + n

    // fc: two sets of `batch` input vectors (double buffering).
    struct Batch {
        std::vector<std::vector<int32_t>> vectors;
        std::vector<int> frames;
        int count = 0;
        bool full = false;
    };
    Batch batches_[2];
    sc_core::sc_event batch_ready_, batch_free_;
};

}  // namespace qsim
