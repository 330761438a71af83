// Runs one simulation of a network on the dataflow accelerator and collects its results:
// loads parameters (weight file or generator), elaborates the accelerator, runs the SystemC
// kernel, detects a pipeline that stopped before all frames came out, and optionally checks
// every layer's output against the golden reference. One call per process (SystemC).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/common/feature_map.hpp"
#include "models/decompressor/sparse_weight_stats.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "models/power/operand_activity.hpp"
#include "models/power/power_model.hpp"
#include "models/resources/resources.hpp"
#include "sim/runner/dataset_eval.hpp"
#include "sim/runner/expected_outputs.hpp"
#include "tlm/trace_recorder.hpp"

namespace qsim {

struct SimOptions {
    int frames = 0;           // 0: the config's run.frames
    bool check = false;       // compare every layer with the golden reference, frame by frame as they come
    bool record_layers = false;  // keep every layer's output of every frame (RunResult::layer_outputs)
    // Keep the final output frames in RunResult::outputs. Without them (sim, unless --dataset or
    // --expect reads them) memory does not grow with the frames; the outputs' CRC and count are
    // still taken, frame by frame, at the sink.
    bool keep_outputs = true;
    uint64_t source_interval = 0;  // > 0: frames enter at most one every N cycles (sim --input-interval)
    // Timeline (sim --trace / --vcd): recorded when a path is given (the VCD is written here,
    // the trace JSON by the caller from RunResult::trace), for frames
    // trace_first..trace_last (TraceRecorder::kAllFrames: to the end), at most
    // trace_max_records records.
    std::string trace_json;
    std::string trace_vcd;
    int trace_first = 0;
    int trace_last = std::numeric_limits<int>::max();
    uint64_t trace_max_records = 1000000;
};

// Timing and statistics of one block of the pipeline.
struct BlockResult {
    std::string name;
    std::string layer;
    std::string role;
    uint64_t busy_cycles = 0;
    uint64_t starved_cycles = 0;
    uint64_t blocked_cycles = 0;
    uint64_t estimate_per_frame = 0;  // analytical cycles per frame
    std::string rule;                 // the analytical formula with its numbers
};

struct LayerResult {
    std::string name;
    std::string type;
    std::string datapath;  // "" for pooling layers
    Folding folding;       // as configured (folding.pe before reuse)
    int reuse = 1;         // PE reuse: folding.pe / reuse PEs are built
    FmShape in, out;
    uint64_t ops_per_frame = 0;          // MACs (compute) or comparisons (pool)
    uint64_t estimate_per_frame = 0;     // analytical cycles of the layer's unit per frame
    uint64_t busy_per_frame = 0;         // simulated busy cycles of the unit per frame
    uint64_t interval_cycles = 0;        // simulated interval between the layer's last two frames
    uint64_t starved_cycles = 0;         // unit waiting for input (whole run)
    uint64_t blocked_cycles = 0;         // unit waiting for space downstream (whole run)
    uint64_t swu_write_busy_per_frame = 0;
    uint64_t swu_read_busy_per_frame = 0;
    uint64_t swu_starved_cycles = 0;
    uint64_t swu_blocked_cycles = 0;
    int swu_peak_rows = 0;
    int swu_buffer_rows = 0;
    int fifo_peak = 0;
    int fifo_depth = 0;
    // Graphs: the fork's FIFO to each reader of the layer (none unless several layers read it).
    struct Branch {
        std::string reader;
        int peak = 0;
        int depth = 0;
    };
    std::vector<Branch> branches;
    uint64_t ofm_peak_values = 0;      // PE reuse: most values the OFM buffer held
    uint64_t ofm_capacity_values = 0;  // what it is sized for, (R-1)/R of the OFM
    double busy_fraction = 0.0;      // busy per frame / network interval
    double pe_utilization = 0.0;     // useful lane-ops / (lanes * network interval)
    SparseWeightStats sparse;        // decompressor layers: weight sizes and decoder work
    // The data's activity (docs/power.md), whole run: the PE array's operand bus and output
    // codes as it computed (empty in a timing-only run, or where no MVTU kernel computes), and
    // one pass over the weight memories, counted from the parameters.
    OperandActivity operand_activity, output_activity, weight_activity;
};

struct CheckResult {
    bool done = false;
    bool passed = false;
    uint64_t values_compared = 0;
    std::string message;  // first mismatch, or a summary
};

// The host side, when the config has a `host:` section (ch. 6.6.1).
struct HostResult {
    bool enabled = false;
    HostArchitecture architecture = HostArchitecture::Dataflow;
    TimingMode timing = TimingMode::LooselyTimed;
    int pcie_generation = 0;
    int pcie_lanes = 0;
    size_t device_layers = 0;     // layers on the FPGA; the rest run on the host
    size_t host_layers = 0;
    double weight_load_us = 0.0;  // weight loading phase, before inference
    uint64_t weight_bytes = 0;    // over DMA channel 1
    uint64_t input_bytes = 0;     // over DMA channel 0, all frames
    uint64_t output_bytes = 0;    // over DMA channel 2, all frames
    double link_us_per_frame = 0.0;     // PCIe time of one frame's traffic
    double compute_us_per_frame = 0.0;  // accelerator interval
    double host_us_per_frame = 0.0;     // layers run on the host
    double frames_per_second = 0.0;     // at the host, outputs and host layers done
    double latency_us = 0.0;            // first frame: first input byte sent to last result
    double send_interval_us = 0.0;      // between the last two frames the host finished sending
    std::string bound;                  // what sets the frame rate: "PCIe link", "accelerator", "host layers"
    uint64_t counter_cycles = 0;        // from the register bank, as the host read them
    uint64_t counter_frames = 0;
    std::vector<std::string> errors;    // transfers that failed
    // Approximately timed only: what the TLP-level link did (root port and endpoint counters).
    struct Tlps {
        bool present = false;
        uint64_t write_tlps = 0, read_tlps = 0, completions = 0;  // MWr and MRd sent down, CplD up
        double down_busy_us = 0.0;      // the down wire carrying TLPs
        double up_busy_us = 0.0;        // the up wire carrying completions
        double credit_stall_us = 0.0;   // TLPs ready but waiting for a credit
        int peak_posted = 0, peak_non_posted = 0;  // credits in use at most
        struct Window {
            std::string name;
            uint64_t tlps = 0, beats = 0, bytes = 0;
        };
        std::vector<Window> windows;    // per device window (registers, the DMA channels)
    } tlps;
};

// What sim --trace / --vcd recorded.
struct TraceResult {
    bool recorded = false;
    std::string window;       // "whole run" or "frames A..B"
    uint64_t records = 0;
    bool truncated = false;   // the record limit stopped it before the window closed
    std::shared_ptr<const TraceRecorder> recorder;  // the records (sim/report/timeline.hpp writes them)
};

struct RunResult {
    std::string network;
    std::string config_file;
    std::string device;
    double clock_mhz = 0.0;
    std::string weights;         // "generator(seed=..)" or the file
    OutputConfig output;         // the config's host dequantisation of the outputs (`output:`)
    int frames_requested = 0;
    int frames_completed = 0;
    bool deadlock = false;                    // the watchdog stopped a pipeline that made no progress
    std::string stall_kind;                   // "deadlock" or "livelock"
    uint64_t stall_cycle = 0;                 // when the watchdog fired
    uint64_t watchdog_cycles = 0;             // the limit in force
    std::vector<std::string> deadlock_report; // blocks and FIFOs as they stood

    uint64_t interval_cycles = 0;   // simulated steady-state initiation interval
    double frames_per_second = 0.0;
    uint64_t estimate_interval_cycles = 0;
    double estimate_frames_per_second = 0.0;
    uint64_t latency_cycles = 0;    // first frame: first input row to last output row
    double latency_us = 0.0;
    uint64_t total_cycles = 0;
    int input_fifo_peak = 0;        // the FIFO from the source to layer 0, in rows
    int input_fifo_depth = 0;

    std::string bottleneck_block;
    std::string bottleneck_layer;
    std::string bottleneck_reason;

    double wall_seconds = 0.0;
    double wall_seconds_per_frame = 0.0;
    double cycles_per_wall_second = 0.0;
    double peak_memory_mb = 0.0;  // peak resident set size of the process

    std::vector<LayerResult> layers;
    std::vector<BlockResult> blocks;
    ResourceReport resources;  // estimated from the configuration (models/resources)
    PowerReport power;         // from the resources and the simulated activity (models/power)
    DatasetResult dataset;     // sim --dataset: accuracy and agreement with reference predictions
    CheckResult check;
    ExpectResult expect;       // sim --expect: the final outputs against an expected array
    HostResult host;
    TraceResult trace;
    std::vector<FeatureMap> outputs;                  // final output frames (SimOptions::keep_outputs)
    // CRC-32 of the final output codes (little-endian int32, frame after frame) and the frames
    // it covers, with or without the outputs kept.
    uint32_t outputs_crc32 = 0;
    size_t output_frames = 0;
    std::vector<std::vector<FeatureMap>> layer_outputs; // per layer, with SimOptions::record_layers
    // Dataflow runs: the layer output maps the accelerator's probes held at most (summed over the
    // layers), and with --check the golden reference's frames held at most (frames in flight).
    size_t layer_frames_peak = 0;
    size_t check_golden_frames_peak = 0;
};

// Parameters as the config says: the weight file, or the deterministic generator.
NetworkParams load_params(const NetworkConfig& net);

// Elaborates and runs. Throws on elaboration errors; a stalled pipeline is reported in
// RunResult::deadlock, not thrown.
RunResult simulate(const NetworkConfig& net, const NetworkParams& params, const SimOptions& options);

}  // namespace qsim
