// Top of the streaming dataflow accelerator (ch. 4.4.2, Fig. 4.1): the host input source,
// then per layer an SWU feeding an MVTU (conv), an MVTU alone (fc), an SWU feeding a pooling
// unit (maxpool) or a global pooling unit, or an adder of two streams (add), an OFM buffer
// after the MVTU of a layer that reuses its PEs, a stream fork after a layer several layers
// read (one FIFO per branch), bounded FIFOs between all of them, and the output sink. It only
// creates and binds; the blocks do the work.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/buffer/ofm_buffer.hpp"
#include "models/common/frame_assembler.hpp"
#include "models/concat/concat_unit.hpp"
#include "models/eltwise/add_unit.hpp"
#include "models/fork/stream_fork.hpp"
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
    bool record_layers = false;  // keep every layer's output frames (tests)
    LayerFrameObserver* observer = nullptr;  // told of every layer's output frame, none kept (--check)
    // Told of every output frame at the sink (as layer 0); the sink then keeps them only when
    // keep_outputs. Without an observer it keeps them all.
    LayerFrameObserver* output_observer = nullptr;
    bool keep_outputs = true;
    int internal_fifo_depth = 2; // rows between an SWU and the unit it feeds
    uint64_t watchdog_cycles = 0; // 0: 4 x the slowest block's cycles per frame + 10,000
    uint64_t source_interval = 0; // > 0: the source starts a frame at most every N cycles
    // Host-linked system: input rows arrive from the DMA (channel 0), output rows leave to it
    // (channel 2), and the MVTUs' weight and threshold memories are filled over channel 1.
    bool host_linked = false;
    size_t device_layers = 0;     // layers on the FPGA (a prefix); 0: all
    int dma_buffer_rows = 2;      // rows the DMA's input stream buffer holds
};

// The blocks of one layer, for reports.
struct LayerBlocks {
    const LayerConfig* layer = nullptr;
    SlidingWindowUnit* swu = nullptr;
    TimedBlock* unit = nullptr;      // Mvtu, PoolUnit or GlobalPoolUnit
    OfmBuffer* ofm_buffer = nullptr; // after the MVTU of a layer with PE reuse
    RowFifo* out_fifo = nullptr;     // FIFO after the layer
    RowFifo* swu_fifo = nullptr;     // FIFO between the SWU and the unit
    StreamFork* fork = nullptr;      // after out_fifo when several layers read the output
    std::vector<RowFifo*> branch_fifos;  // the fork's FIFO to each reader, in reader order
};

class DataflowAccelerator : public sc_core::sc_module {
public:
    DataflowAccelerator(sc_core::sc_module_name name, const NetworkConfig& net, const NetworkParams& params,
                        const AcceleratorOptions& options);

    sc_core::sc_time clock_period() const { return period_; }
    const InputSource& source() const { return *source_; }
    const OutputSink& sink() const { return *sink_; }
    const ProgressWatchdog& watchdog() const { return *watchdog_; }
    ProgressWatchdog& watchdog() { return *watchdog_; }
    // Host-linked mode: the FIFOs the DMA writes input rows to and reads output rows from,
    // and the MVTU of a layer (nullptr for other layers).
    RowFifo& dma_input() { return *dma_input_; }
    RowFifo& dma_output() { return *dma_output_; }
    Mvtu* mvtu(size_t layer) const { return mvtus_.at(layer); }
    const RowFifo& input_fifo() const { return *fifos_.front(); }
    const std::vector<LayerBlocks>& layers() const { return layers_; }
    // Output frames of layer i (empty unless options.record_layers).
    const std::vector<FeatureMap>& layer_outputs(size_t i) const { return probes_.at(i)->frames(); }
    bool recording() const { return !probes_.empty(); }
    // Feature maps the layer probes held at most, summed over the layers (every frame kept, or
    // those being assembled with an observer).
    size_t peak_frames_held() const;
    // After a deadlock: each join (add layer) with one input FIFO full and the other empty, the
    // fork where its two paths split, and which FIFO would have to be deeper (docs/graphs.md).
    std::vector<std::string> reconvergence_diagnosis() const;

private:
    RowFifo* make_fifo(const std::string& name, int depth);
    // The FIFO layer `reader` reads from `producer` (-1: the network input): the producer's
    // FIFO, or its fork's branch to the reader.
    RowFifo* stream_to(size_t reader, int producer) const;

    sc_core::sc_time period_;
    const NetworkConfig* net_;
    std::unique_ptr<InputSource> source_;
    std::unique_ptr<OutputSink> sink_;
    std::unique_ptr<ProgressWatchdog> watchdog_;
    std::vector<std::unique_ptr<RowFifo>> fifos_;
    std::vector<std::unique_ptr<SlidingWindowUnit>> swus_;
    std::vector<std::unique_ptr<TimedBlock>> units_;
    std::vector<std::unique_ptr<OfmBuffer>> ofm_buffers_;
    std::vector<std::unique_ptr<StreamFork>> forks_;
    std::vector<std::unique_ptr<FrameAssembler>> probes_;
    std::vector<LayerBlocks> layers_;
    std::vector<Mvtu*> mvtus_;
    RowFifo* dma_input_ = nullptr;
    RowFifo* dma_output_ = nullptr;
};

}  // namespace qsim
