// Top of the streaming dataflow accelerator (ch. 4.4.2, Fig. 4.1): the host input source,
// then per layer an SWU feeding an MVTU (conv), an MVTU alone (fc), an SWU feeding a pooling
// unit (maxpool) or a global pooling unit, bounded FIFOs between all of them, and the output
// sink. It only creates and binds; the blocks do the work.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/common/frame_assembler.hpp"
#include "models/mvtu/mvtu.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "models/pool/global_pool_unit.hpp"
#include "models/pool/pool_unit.hpp"
#include "models/sink/output_sink.hpp"
#include "models/source/input_source.hpp"
#include "models/swu/sliding_window_unit.hpp"
#include "tlm/progress_watchdog.hpp"
#include "tlm/row_fifo.hpp"

namespace qsim {

struct AcceleratorOptions {
    int frames = 2;
    bool record_layers = false;  // keep every layer's output frames (for checking)
    int internal_fifo_depth = 2; // rows between an SWU and the unit it feeds
    uint64_t watchdog_cycles = 0; // 0: 4 x the slowest block's cycles per frame + 10,000
};

// The blocks of one layer, for reports.
struct LayerBlocks {
    const LayerConfig* layer = nullptr;
    SlidingWindowUnit* swu = nullptr;
    TimedBlock* unit = nullptr;      // Mvtu, PoolUnit or GlobalPoolUnit
    RowFifo* out_fifo = nullptr;     // FIFO after the layer
    RowFifo* swu_fifo = nullptr;     // FIFO between the SWU and the unit
};

class DataflowAccelerator : public sc_core::sc_module {
public:
    DataflowAccelerator(sc_core::sc_module_name name, const NetworkConfig& net, const NetworkParams& params,
                        const AcceleratorOptions& options);

    sc_core::sc_time clock_period() const { return period_; }
    const InputSource& source() const { return *source_; }
    const OutputSink& sink() const { return *sink_; }
    const ProgressWatchdog& watchdog() const { return *watchdog_; }
    const RowFifo& input_fifo() const { return *fifos_.front(); }
    const std::vector<LayerBlocks>& layers() const { return layers_; }
    // Output frames of layer i (empty unless options.record_layers).
    const std::vector<FeatureMap>& layer_outputs(size_t i) const { return probes_.at(i)->frames(); }
    bool recording() const { return !probes_.empty(); }

private:
    RowFifo* make_fifo(const std::string& name, int depth);

    sc_core::sc_time period_;
    std::unique_ptr<InputSource> source_;
    std::unique_ptr<OutputSink> sink_;
    std::unique_ptr<ProgressWatchdog> watchdog_;
    std::vector<std::unique_ptr<RowFifo>> fifos_;
    std::vector<std::unique_ptr<SlidingWindowUnit>> swus_;
    std::vector<std::unique_ptr<TimedBlock>> units_;
    std::vector<std::unique_ptr<FrameAssembler>> probes_;
    std::vector<LayerBlocks> layers_;
};

}  // namespace qsim
