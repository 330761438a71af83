#include "sim/runner/simulation.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <sstream>

#include <systemc>

#include "models/accelerator/dataflow_accelerator.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "models/decompressor/sparse_pe_array.hpp"
#include "models/host/host_system.hpp"
#include "models/loopback/loopback_timing.hpp"
#include "tlm/pcie_timing.hpp"
#include "models/mvtu/mvtu.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"
#include "models/pool/pool_timing.hpp"
#include "models/resources/resource_model.hpp"
#include "sim/runner/run_power.hpp"
#include "models/source/input_kernel.hpp"
#include "models/swu/swu_timing.hpp"
#include "sim/runner/stream_check.hpp"
#include "models/common/output_file.hpp"
#include "tlm/trace_recorder.hpp"

namespace qsim {

NetworkParams load_params(const NetworkConfig& net) {
    if (net.weights.kind == WeightSource::Kind::File) return read_weight_file(net.weights.path, net);
    return generate_params(net, net.weights.seed, net.weights.sparsity);
}

namespace {

// The final outputs' CRC-32 (little-endian int32 codes, frame after frame) and frame count.
class OutputDigest : public LayerFrameObserver {
public:
    void layer_frame(size_t, int frame, const FeatureMap& output) override {
        if (frame != next_) {  // out of order: held until its turn
            if (frame > next_) early_.emplace(frame, output);
            return;
        }
        add(output);
        for (auto it = early_.find(next_); it != early_.end(); it = early_.find(next_)) {
            add(it->second);
            early_.erase(it);
        }
    }
    void add(const FeatureMap& output) {
        // The codes' bytes a chunk at a time into one crc32 call each (the same CRC as four
        // bytes a call, which took a third of a small design's simulation time).
        uint8_t bytes[4 * 512];
        for (size_t i = 0; i < output.data.size();) {
            const size_t n = std::min(output.data.size() - i, sizeof bytes / 4);
            for (size_t k = 0; k < n; ++k) {
                const uint32_t v = uint32_t(output.data[i + k]);
                bytes[4 * k] = uint8_t(v);
                bytes[4 * k + 1] = uint8_t(v >> 8);
                bytes[4 * k + 2] = uint8_t(v >> 16);
                bytes[4 * k + 3] = uint8_t(v >> 24);
            }
            crc_ = crc32(bytes, 4 * n, crc_);
            i += n;
        }
        ++next_;
    }
    uint32_t crc() const { return crc_; }
    size_t frames() const { return size_t(next_); }

private:
    uint32_t crc_ = 0;
    int next_ = 0;
    std::map<int, FeatureMap> early_;
};

void digest_outputs(RunResult& r) {
    OutputDigest d;
    for (const FeatureMap& fm : r.outputs) d.add(fm);
    r.outputs_crc32 = d.crc();
    r.output_frames = d.frames();
}

}  // namespace

namespace {

double peak_memory_mb() {
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void record_watchdog(RunResult& r, const ProgressWatchdog& watchdog) {
    r.watchdog_cycles = watchdog.limit_cycles();
    if (!watchdog.fired()) return;
    r.deadlock = true;
    r.stall_kind = watchdog.verdict();
    r.stall_cycle = watchdog.fired_at_cycle();
    r.deadlock_report = watchdog.diagnosis();
}

// Wall-clock figures of the run, once simulated cycles and frames are known.
void record_speed(RunResult& r) {
    r.peak_memory_mb = peak_memory_mb();
    if (r.frames_completed > 0) {
        r.wall_seconds_per_frame = r.wall_seconds / r.frames_completed;
        r.cycles_per_wall_second = r.wall_seconds > 0 ? double(r.total_cycles) / r.wall_seconds : 0.0;
    }
}

uint64_t per_frame(uint64_t total, int frames) { return frames > 0 ? total / uint64_t(frames) : 0; }

// Interval between the last two frames a block finished (0 with fewer than two).
uint64_t last_interval(const std::vector<uint64_t>& done) {
    return done.size() >= 2 ? done.back() - done[done.size() - 2] : 0;
}

BlockResult block_result(const BlockStats& s, const DataflowEstimate& est) {
    BlockResult b;
    b.name = s.name;
    b.layer = s.layer;
    b.role = s.role;
    b.busy_cycles = s.busy_cycles;
    b.starved_cycles = s.starved_cycles;
    b.blocked_cycles = s.blocked_cycles;
    for (const auto& e : est.blocks)
        if (e.layer == s.layer && e.role == s.role) {
            b.estimate_per_frame = e.cycles_per_frame;
            b.rule = e.rule;
        }
    return b;
}

std::string describe_weights(const NetworkConfig& net) {
    if (net.weights.kind == WeightSource::Kind::File) return net.weights.path;
    std::ostringstream os;
    os << "generator(seed=" << net.weights.seed << ", sparsity=" << net.weights.sparsity << ")";
    return os.str();
}

}  // namespace

namespace {

// Wire time of `bytes` moved in HostDriver::kChunkBytes transfers.
double chunked_link_ns(uint64_t bytes, const PcieConfig& pcie) {
    const uint64_t chunk = HostDriver::kChunkBytes;
    double ns = double(bytes / chunk) * pcie_transfer_time_ns(chunk, pcie);
    if (bytes % chunk) ns += pcie_transfer_time_ns(bytes % chunk, pcie);
    return ns;
}

void collect_host(RunResult& r, const NetworkConfig& net, const HostSystem& system) {
    HostResult& h = r.host;
    const HostTimeline& t = system.host().timeline();
    h.enabled = true;
    h.architecture = net.host.architecture;
    h.timing = net.host.timing;
    h.pcie_generation = net.host.pcie.generation;
    h.pcie_lanes = net.host.pcie.lanes;
    h.device_layers = system.device_layers();
    h.host_layers = net.layers.size() - system.device_layers();
    h.weight_load_us = (t.weights_done - t.weights_start).to_seconds() * 1e6;
    h.weight_bytes = system.dma().channel(1).bytes;
    h.input_bytes = system.dma().channel(0).bytes;
    h.output_bytes = system.dma().channel(2).bytes;
    h.errors = t.errors;
    if (!system.dma().last_error().empty()) h.errors.push_back(system.dma().last_error());
    const int frames = std::max<int>(1, int(t.frame_done.size()));
    const uint64_t per_frame_weights = system.loopback() ? h.weight_bytes / uint64_t(frames) : 0;
    h.link_us_per_frame = (chunked_link_ns(h.input_bytes / uint64_t(frames), net.host.pcie) +
                           chunked_link_ns(h.output_bytes / uint64_t(frames), net.host.pcie) +
                           chunked_link_ns(per_frame_weights, net.host.pcie)) / 1e3;
    h.compute_us_per_frame = system.loopback()
                                 ? double(system.loopback_accelerator().stats().busy_cycles) / frames /
                                       net.host.loopback_clock_mhz
                                 : double(r.interval_cycles) / net.device.clock_mhz;
    h.host_us_per_frame = t.host_compute_seconds * 1e6 / frames;
    if (t.frame_done.size() >= 2) {
        const double interval = (t.frame_done.back() - t.frame_done[t.frame_done.size() - 2]).to_seconds();
        h.frames_per_second = interval > 0 ? 1.0 / interval : 0.0;
    }
    if (t.frame_sent.size() >= 2)
        h.send_interval_us = (t.frame_sent.back() - t.frame_sent[t.frame_sent.size() - 2]).to_seconds() * 1e6;
    if (!t.frame_done.empty() && !t.frame_sent.empty())
        h.latency_us = (t.frame_done.front() - t.weights_done).to_seconds() * 1e6;
    const double worst = std::max({h.link_us_per_frame, h.compute_us_per_frame, h.host_us_per_frame});
    h.bound = worst == h.link_us_per_frame ? "PCIe link" : worst == h.compute_us_per_frame ? "accelerator" : "host layers";
    h.counter_cycles = t.counters.cycles;
    h.counter_frames = t.counters.frames;
    if (const PcieRootPort* rc = system.root_port()) {
        const PcieRootPortStats& down = rc->stats();
        const PcieEndpointStats& up = system.endpoint()->stats();
        HostResult::Tlps& s = h.tlps;
        s.present = true;
        s.write_tlps = down.write_tlps;
        s.read_tlps = down.read_tlps;
        s.completions = down.completions;
        s.down_busy_us = down.down_busy.to_seconds() * 1e6;
        s.up_busy_us = up.up_busy.to_seconds() * 1e6;
        s.credit_stall_us = down.credit_stall.to_seconds() * 1e6;
        s.peak_posted = down.peak_posted_in_flight;
        s.peak_non_posted = down.peak_non_posted_in_flight;
        for (const PcieWindowStats& w : system.endpoint()->window_stats())
            s.windows.push_back({w.name, w.tlps, w.beats, w.bytes});
    }
}

// The VCD being written (SystemC adds ".vcd"), when sim --vcd asked for one.
std::string g_vcd_base;

// sc_start(), with anything a block throws (a SystemC report, an exception SystemC caught in a
// thread) turned into one error naming where it came from, instead of SystemC's own printout.
void run_kernel() {
    try {
        if (TraceRecorder* trace = TraceRecorder::active(); trace != nullptr && !g_vcd_base.empty())
            trace->open_vcd(g_vcd_base);
        sc_core::sc_start();
        if (TraceRecorder* trace = TraceRecorder::active()) trace->close_vcd();
    } catch (const sc_core::sc_report& e) {
        throw std::runtime_error(std::string("the simulation stopped on an error in a block: ") + e.get_msg() +
                                 (e.get_process_name() ? std::string(" (process ") + e.get_process_name() + ")" : ""));
    }
}

// Loopback architecture: one layer accelerator, every layer's maps and weights over PCIe.
RunResult simulate_loopback(RunResult r, const NetworkConfig& net, const NetworkParams& params,
                            const SimOptions& options) {
    std::unique_ptr<StreamingCheck> checker;
    if (options.check) checker = std::make_unique<StreamingCheck>(net, params);
    HostSystem system("system", net, params, r.frames_requested, options.record_layers, checker.get());
    const auto t0 = std::chrono::steady_clock::now();
    run_kernel();
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (checker) r.wall_seconds = std::max(0.0, r.wall_seconds - checker->seconds());  // the simulation's own
    const LoopbackAccelerator& loop = system.loopback_accelerator();
    const sc_core::sc_time period(1e3 / net.host.loopback_clock_mhz, sc_core::SC_NS);
    r.clock_mhz = net.host.loopback_clock_mhz;
    r.total_cycles = uint64_t(sc_core::sc_time_stamp() / period + 0.5);
    r.frames_completed = int(system.host().timeline().frame_done.size());
    record_watchdog(r, system.watchdog());
    const int frames = std::max(1, r.frames_completed);
    uint64_t total = 0;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const LayerConfig& l = net.layers[i];
        LayerResult lr;
        lr.name = l.name;
        lr.type = to_string(l.type);
        lr.datapath = l.is_compute() ? to_string(l.datapath) : "";
        lr.folding = {net.host.loopback_pes, net.host.loopback_simd, 1};
        lr.in = l.in;
        lr.out = l.out;
        lr.ops_per_frame = layer_ops_per_frame(l);
        lr.estimate_per_frame = loopback_layer_cycles(l, net.host.loopback_pes, net.host.loopback_simd);
        lr.busy_per_frame = per_frame(loop.layer_stats(i).busy_cycles, frames);
        lr.operand_activity = loop.operand_activity(i);
        lr.output_activity = loop.output_activity(i);
        if (i < params.layers.size() && l.is_compute()) lr.weight_activity = weight_read_activity(l, params.layers[i]);
        total += lr.estimate_per_frame;
        r.layers.push_back(lr);
    }
    const auto& done = system.host().timeline().frame_done;
    if (done.size() >= 2) r.interval_cycles = uint64_t((done.back() - done[done.size() - 2]) / period + 0.5);
    r.frames_per_second = r.interval_cycles ? net.host.loopback_clock_mhz * 1e6 / double(r.interval_cycles) : 0.0;
    r.estimate_interval_cycles = total;  // compute alone, without the link
    r.estimate_frames_per_second = total ? net.host.loopback_clock_mhz * 1e6 / double(total) : 0.0;
    collect_host(r, net, system);
    r.latency_us = r.host.latency_us;
    r.latency_cycles = uint64_t(r.latency_us * net.host.loopback_clock_mhz);
    r.bottleneck_block = r.host.bound;
    r.bottleneck_reason = "per frame: PCIe " + std::to_string(int(r.host.link_us_per_frame)) + " us, compute " +
                          std::to_string(int(r.host.compute_us_per_frame)) + " us, one after the other per layer";
    record_speed(r);
    const auto& outs = system.host().timeline().host_layer_outputs;
    r.outputs = system.host().timeline().device_outputs;
    digest_outputs(r);
    if (checker && !r.deadlock) r.check = checker->finish(r.frames_completed);
    r.power = run_power(net, r);
    if (options.record_layers)
        for (size_t i = 0; i < net.layers.size(); ++i) r.layer_outputs.push_back(outs[i]);
    return r;
}

RunResult simulate_design(const NetworkConfig& net, const NetworkParams& params, const SimOptions& options) {
    RunResult r;
    r.network = net.name;
    r.config_file = net.source_file;
    r.device = net.device.name;
    r.clock_mhz = net.device.clock_mhz;
    r.weights = describe_weights(net);
    r.output = net.output;
    r.frames_requested = options.frames > 0 ? options.frames : net.run.frames;
    r.resources = estimate_resources(net);
    if (net.host.enabled && net.host.architecture == HostArchitecture::Loopback)
        return simulate_loopback(r, net, params, options);

    // --check compares each layer's frames as they come and keeps none; record_layers keeps them all.
    const bool record = options.record_layers;
    std::unique_ptr<StreamingCheck> checker;
    if (options.check) checker = std::make_unique<StreamingCheck>(net, params);
    std::unique_ptr<DataflowAccelerator> standalone;
    std::unique_ptr<HostSystem> system;
    OutputDigest digest;  // the standalone accelerator's outputs, as they come
    if (net.host.enabled) {
        system = std::make_unique<HostSystem>("system", net, params, r.frames_requested, record, checker.get());
    } else {
        AcceleratorOptions ao;
        ao.frames = r.frames_requested;
        ao.watchdog_cycles = net.run.watchdog_cycles;
        ao.source_interval = options.source_interval;
        ao.record_layers = record;
        ao.observer = checker.get();
        ao.output_observer = &digest;
        ao.keep_outputs = options.keep_outputs;
        standalone = std::make_unique<DataflowAccelerator>("accel", net, params, ao);
    }
    const DataflowAccelerator& accel = system ? system->accelerator() : *standalone;

    const auto t0 = std::chrono::steady_clock::now();
    run_kernel();
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // The golden reference ran inside the kernel's time; the speed figures are the simulation's.
    if (checker) r.wall_seconds = std::max(0.0, r.wall_seconds - checker->seconds());
    if (checker) r.check_golden_frames_peak = checker->peak_golden_frames();
    r.layer_frames_peak = accel.peak_frames_held();

    const sc_core::sc_time period = accel.clock_period();
    r.total_cycles = uint64_t(sc_core::sc_time_stamp() / period + 0.5);
    const OutputSink& sink = accel.sink();
    r.frames_completed = sink.frames_completed();
    r.outputs = sink.frames();
    record_watchdog(r, accel.watchdog());
    if (r.deadlock)
        for (const std::string& line : accel.reconvergence_diagnosis()) r.deadlock_report.push_back(line);
    if (!r.deadlock && r.frames_completed < r.frames_requested) {
        throw std::logic_error("simulation ended with " + std::to_string(r.frames_completed) + " of " +
                               std::to_string(r.frames_requested) + " frames and no watchdog verdict");
    }

    // Network timing.
    const DataflowEstimate est = estimate_dataflow(net);
    r.estimate_interval_cycles = est.interval_cycles;
    r.estimate_frames_per_second = est.frames_per_second(net.clock_hz());
    const auto& done = sink.stats().frame_done_cycle;
    // fc layers fed by a decompressor with a batch emit its frames together (docs/sparse.md).
    const int batch = network_batch(net);
    r.interval_cycles = batch > 1 ? batched_interval(done, batch) : last_interval(done);
    if (r.interval_cycles == 0 && !done.empty()) r.interval_cycles = done.front();  // one frame only
    r.frames_per_second = r.interval_cycles ? net.clock_hz() / double(r.interval_cycles) : 0.0;
    const auto& starts = accel.source().frame_start_cycle();
    if (!done.empty() && !starts.empty()) r.latency_cycles = done.front() - starts.front();
    r.latency_us = double(r.latency_cycles) / net.device.clock_mhz;

    // Blocks and layers.
    const int frames = r.frames_completed;
    r.blocks.push_back(block_result(accel.source().stats(), est));
    r.input_fifo_peak = accel.input_fifo().stats().peak;
    r.input_fifo_depth = accel.input_fifo().depth();
    for (const auto& lb : accel.layers()) {
        const LayerConfig& l = *lb.layer;
        const size_t i_layer = size_t(&lb - accel.layers().data());
        LayerResult lr;
        lr.name = l.name;
        lr.type = to_string(l.type);
        lr.datapath = l.is_compute() ? to_string(l.datapath) : "";
        lr.folding = l.folding;
        lr.reuse = l.reuse;
        lr.in = l.in;
        lr.out = l.out;
        lr.ops_per_frame = layer_ops_per_frame(l);
        lr.estimate_per_frame = unit_cycles_per_frame(l);
        const BlockStats& us = lb.unit->stats();
        lr.busy_per_frame = per_frame(us.busy_cycles, frames);
        lr.interval_cycles = last_interval(us.frame_done_cycle);
        lr.starved_cycles = us.starved_cycles;
        lr.blocked_cycles = us.blocked_cycles;
        if (lb.swu != nullptr) {
            r.blocks.push_back(block_result(lb.swu->write_side_stats(), est));
            r.blocks.push_back(block_result(lb.swu->read_side_stats(), est));
            lr.swu_write_busy_per_frame = per_frame(lb.swu->write_side_stats().busy_cycles, frames);
            lr.swu_read_busy_per_frame = per_frame(lb.swu->read_side_stats().busy_cycles, frames);
            lr.swu_starved_cycles = lb.swu->write_side_stats().starved_cycles;
            lr.swu_blocked_cycles =
                lb.swu->write_side_stats().blocked_cycles + lb.swu->read_side_stats().blocked_cycles;
            lr.swu_peak_rows = lb.swu->peak_buffered_rows();
            lr.swu_buffer_rows = swu_buffer_rows(l);
        }
        r.blocks.push_back(block_result(us, est));
        if (lb.ofm_buffer != nullptr) {
            r.blocks.push_back(block_result(lb.ofm_buffer->stats(), est));
            lr.ofm_peak_values = lb.ofm_buffer->peak_values();
            lr.ofm_capacity_values = lb.ofm_buffer->capacity_values();
        }
        if (lb.fork != nullptr) r.blocks.push_back(block_result(lb.fork->stats(), est));
        if (const auto* mvtu = dynamic_cast<const Mvtu*>(lb.unit); mvtu != nullptr && mvtu->loaded()) {
            lr.operand_activity = mvtu->kernel().operand_activity();
            lr.output_activity = mvtu->kernel().output_activity();
        }
        if (i_layer < params.layers.size() && l.is_compute()) {
            lr.weight_activity = weight_read_activity(l, params.layers[i_layer]);
            lr.sparse = sparse_weight_stats(l, params.layers[i_layer]);
            if (const auto* array = dynamic_cast<const SparsePeArray*>(lb.unit)) {
                for (int d = 0; d < array->lanes(); ++d) {
                    lr.sparse.decoder_clocks_per_frame += array->decompressor(d).stats().cycles;
                    lr.sparse.decoded_weights_per_frame += array->decompressor(d).stats().weights;
                }
                lr.sparse.decoder_clocks_per_frame = per_frame(lr.sparse.decoder_clocks_per_frame, frames);
                lr.sparse.decoded_weights_per_frame = per_frame(lr.sparse.decoded_weights_per_frame, frames);
            }
        }
        lr.fifo_peak = lb.out_fifo->stats().peak;
        lr.fifo_depth = lb.out_fifo->depth();
        if (lb.fork != nullptr) {
            const std::vector<size_t> readers = net.readers(i_layer);
            for (size_t k = 0; k < readers.size(); ++k)
                lr.branches.push_back({net.layers[readers[k]].name, lb.branch_fifos[k]->stats().peak,
                                       lb.branch_fifos[k]->depth()});
        }
        if (r.interval_cycles > 0) {
            lr.busy_fraction = double(lr.busy_per_frame) / double(r.interval_cycles);
            const uint64_t lanes = l.decompressor.enabled
                                       ? uint64_t(decompressor_lanes(l)) * uint64_t(decompressor_pes_per_lane(l))
                                   : l.is_compute() ? mvtu_lanes(l)
                                                    : uint64_t(l.folding.simd);
            lr.pe_utilization = double(per_frame(us.useful_ops, frames)) / double(lanes * r.interval_cycles);
        }
        r.layers.push_back(lr);
    }

    // Bottleneck: the block with the most busy cycles per frame.
    const BlockResult* worst = nullptr;
    for (const auto& b : r.blocks)
        if (worst == nullptr || b.busy_cycles > worst->busy_cycles) worst = &b;
    if (worst != nullptr) {
        r.bottleneck_block = worst->name;
        r.bottleneck_layer = worst->layer;
        std::ostringstream os;
        const uint64_t busy = per_frame(worst->busy_cycles, frames);
        os << worst->role << " busy " << busy << " cycles/frame (" << worst->rule << ")";
        std::string ties;
        for (const auto& b : r.blocks)
            if (&b != worst && b.busy_cycles > 0 && 1000 * b.busy_cycles >= 995 * worst->busy_cycles)
                ties += (ties.empty() ? "" : ", ") + b.name;
        if (!ties.empty()) os << "; as busy (within 0.5%): " << ties;
        if (r.interval_cycles > busy && busy > 0) {
            // The block's own rule may count waits besides its busy cycles (an SWU's frame
            // boundary); what it does not count is starvation and backpressure.
            const uint64_t counted = std::min(r.interval_cycles, std::max(busy, worst->estimate_per_frame)) - busy;
            const uint64_t longer = r.interval_cycles - busy;
            os << "; the interval is " << longer << " cycles longer: ";
            if (counted == longer)
                os << "waits its rule counts";
            else if (counted > 0)
                os << counted << " waits its rule counts, " << longer - counted << " stalls from starvation/backpressure";
            else
                os << "stalls from starvation/backpressure";
            if (options.source_interval >= r.interval_cycles)
                os << " (the input is paced at a frame every " << options.source_interval << " cycles)";
        }
        r.bottleneck_reason = os.str();
    }

    record_speed(r);
    if (system) collect_host(r, net, *system);
    const size_t device_layers = accel.layers().size();
    auto outputs = [&](size_t i) -> const std::vector<FeatureMap>& {
        return i < device_layers ? accel.layer_outputs(i)
                                 : system->host().timeline().host_layer_outputs.at(i - device_layers);
    };
    if (system && !system->host().timeline().frame_done.empty()) {
        r.outputs.clear();
        for (size_t f = 0; f < system->host().timeline().frame_done.size(); ++f)
            r.outputs.push_back(device_layers < net.layers.size() ? outputs(net.layers.size() - 1).at(f)
                                                                  : system->host().timeline().device_outputs.at(f));
    }
    if (system) {
        digest_outputs(r);
    } else {
        r.outputs_crc32 = digest.crc();
        r.output_frames = digest.frames();
    }
    if (checker && !r.deadlock) r.check = checker->finish(frames);
    r.power = run_power(net, r);
    if (record)
        for (size_t i = 0; i < net.layers.size(); ++i) r.layer_outputs.push_back(outputs(i));
    return r;
}

}  // namespace

RunResult simulate(const NetworkConfig& net, const NetworkParams& params, const SimOptions& options) {
    if (options.trace_json.empty() && options.trace_vcd.empty()) return simulate_design(net, params, options);
    // The timeline: blocks and channels constructed from here on report to the recorder.
    auto recorder = std::make_shared<TraceRecorder>(options.trace_first, options.trace_last, options.trace_max_records);
    TraceRecorder& trace = *recorder;
    TraceRecorder::set_active(&trace);
    g_vcd_base.clear();
    if (!options.trace_vcd.empty()) g_vcd_base = options.trace_vcd + ".part" + std::to_string(::getpid());
    struct Cleanup {
        ~Cleanup() {
            TraceRecorder::set_active(nullptr);
            if (!g_vcd_base.empty()) std::remove((g_vcd_base + ".vcd").c_str());
            g_vcd_base.clear();
        }
    } cleanup;
    RunResult r = simulate_design(net, params, options);
    trace.close_vcd();
    if (!options.trace_vcd.empty() && std::rename((g_vcd_base + ".vcd").c_str(), options.trace_vcd.c_str()) != 0)
        throw OutputError(options.trace_vcd, std::string("cannot put the VCD file in place: ") + std::strerror(errno));
    r.trace.recorder = recorder;
    r.trace.recorded = true;
    r.trace.records = trace.records();
    r.trace.truncated = trace.truncated();
    r.trace.window = trace.first_frame() == 0 && trace.last_frame() == TraceRecorder::kAllFrames
                         ? "whole run"
                         : "frames " + std::to_string(trace.first_frame()) + ".." +
                               (trace.last_frame() == TraceRecorder::kAllFrames ? std::string("end")
                                                                                 : std::to_string(trace.last_frame()));
    return r;
}

}  // namespace qsim
