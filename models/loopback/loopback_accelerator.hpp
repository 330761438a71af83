// The loopback architecture's single layer accelerator (ch. 6.6.3: up to 2,048 PEs; "data is
// sent between the host and FPGA after each layer is computed sequentially"). The host selects
// a layer (LAYER register), sends its weights over DMA channel 1 and its input map over
// channel 0; the accelerator computes the whole layer with the same bit-true kernels as the
// dataflow blocks and streams the output map back over channel 2.
#pragma once

#include <memory>
#include <vector>

#include "models/mvtu/mvtu_kernel.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class LoopbackAccelerator : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(LoopbackAccelerator);
    LoopbackAccelerator(sc_core::sc_module_name name, const NetworkConfig& net, sc_core::sc_time period, int frames);

    // LAYER register write: the next maps on channels 0 and 2 belong to this layer.
    void select_layer(size_t layer);
    // DMA channel 1: a layer's weight memories and thresholds arrived.
    // The same object as last time (the DMA engine decoded the same record) reuses the kernel.
    void load_parameters(size_t layer, const std::shared_ptr<const LayerImage>& image);

    int frames_completed() const { return frames_completed_; }
    bool busy_now() const { return working(); }
    const BlockStats& layer_stats(size_t layer) const { return layer_stats_.at(layer); }
    // The PE array's operand bus and output codes while it computed `layer` (docs/power.md).
    const OperandActivity& operand_activity(size_t layer) const { return operand_activity_.at(layer); }
    const OperandActivity& output_activity(size_t layer) const { return output_activity_.at(layer); }
    const sc_core::sc_event& all_frames_done() const { return done_; }

private:
    void run();
    // The layer's output map into `output` (every code written).
    void compute(const LayerConfig& layer, const FeatureMap& input, FeatureMap& output);

    const NetworkConfig& net_;
    int frames_;
    int pes_, simd_;
    long selected_ = -1;
    std::vector<std::shared_ptr<MvtuKernel>> kernels_;  // per layer, loaded for each use
    // Simulator speed only: the kernel built from the last parameters of each layer, reused
    // when the same parameters are loaded again (they are, every frame).
    std::vector<std::shared_ptr<MvtuKernel>> built_;
    std::vector<std::shared_ptr<const LayerImage>> built_from_;
    std::vector<BlockStats> layer_stats_;
    std::vector<OperandActivity> operand_activity_, output_activity_;
    int frames_completed_ = 0;
    sc_core::sc_event selected_event_, loaded_event_, done_;
    // Simulator speed only: the maps and windows of a layer, their buffers reused by the next.
    FeatureMap input_, output_;
    std::vector<int32_t> windows_;
};

}  // namespace qsim
