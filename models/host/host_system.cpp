#include "models/host/host_system.hpp"

#include <algorithm>
#include <cmath>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/common/int_math.hpp"
#include "models/loopback/loopback_timing.hpp"
#include "models/dma/dma_timing.hpp"

namespace qsim {

HostSystem::HostSystem(sc_core::sc_module_name name, const NetworkConfig& net, const NetworkParams& params,
                       int frames, bool record_layers, LayerFrameObserver* observer)
    : sc_core::sc_module(name),
      device_layers_(net.device_layer_count()) {
    if (net.host.architecture == HostArchitecture::Loopback)
        build_loopback(net, frames);
    else
        build_dataflow(net, params, frames, record_layers, observer);
    build_link(net, params, frames, record_layers, observer);
}

void HostSystem::build_dataflow(const NetworkConfig& net, const NetworkParams& params, int frames, bool record_layers,
                                LayerFrameObserver* observer) {
    AcceleratorOptions ao;
    ao.frames = frames;
    ao.record_layers = record_layers;
    ao.observer = observer;
    ao.host_linked = true;
    ao.device_layers = device_layers_;
    ao.watchdog_cycles = net.run.watchdog_cycles;
    // The DMA's input buffer holds one transfer, so the next one crosses the link while the
    // width converter drains this one.
    const uint64_t row_bytes = uint64_t(net.input.shape.width) * net.input.shape.channels *
                               uint64_t(DmaEngine::bytes_per_code(net.input.encoding(), net.input.bits));
    ao.dma_buffer_rows = int(ceil_div(HostDriver::kChunkBytes, row_bytes)) + 1;
    accel_ = std::make_unique<DataflowAccelerator>("fpga", net, params, ao);
    DataflowAccelerator* accel = accel_.get();

    dma_ = std::make_unique<DmaEngine>("dma", net, device_layers_, net.host.dma,
                                       [accel](size_t layer, const std::shared_ptr<const LayerImage>& p) {
                                           accel->mvtu(layer)->load_parameters(*p);
                                       });
    dma_->to_accelerator(accel_->dma_input());
    dma_->from_accelerator(accel_->dma_output());

    const sc_core::sc_time period = accel_->clock_period();
    regs_ = std::make_unique<RegisterBank>("registers", period * 2.0);
    AcceleratorRegisterSources src;
    // The accelerator starts when data arrives; CONTROL writes are kept for inspection only.
    src.control = [this](uint32_t v) { control_ = v; };
    src.status = [accel, frames] {
        const bool done = accel->sink().frames_completed() >= frames;
        return done ? (regs::kStatusIdle | regs::kStatusDone) : regs::kStatusBusy;
    };
    src.cycles = [period] { return uint64_t(std::llround(sc_core::sc_time_stamp() / period)); };
    src.frames = [accel] { return uint32_t(accel->sink().frames_completed()); };
    for (unsigned c = 0; c < 3; ++c) {
        const DmaEngine* dma = dma_.get();
        src.dma_bytes[c] = [dma, c] { return dma->channel(int(c)).bytes; };
    }
    src.layer_count = uint32_t(device_layers_);
    src.layer_busy = [accel](uint32_t i) { return accel->layers().at(i).unit->stats().busy_cycles; };
    src.layer_starved = [accel](uint32_t i) { return accel->layers().at(i).unit->stats().starved_cycles; };
    src.layer_blocked = [accel](uint32_t i) { return accel->layers().at(i).unit->stats().blocked_cycles; };
    add_accelerator_registers(*regs_, src);
}

void HostSystem::build_loopback(const NetworkConfig& net, int frames) {
    const sc_core::sc_time period(1e3 / net.host.loopback_clock_mhz, sc_core::SC_NS);
    loop_ = std::make_unique<LoopbackAccelerator>("fpga", net, period, frames);
    LoopbackAccelerator* loop = loop_.get();
    dma_ = std::make_unique<DmaEngine>("dma", net, device_layers_, net.host.dma,
                                       [loop](size_t layer, const std::shared_ptr<const LayerImage>& p) {
                                           loop->load_parameters(layer, p);
                                       });
    loop_in_ = std::make_unique<RowFifo>("dma_to_loopback", 2);
    loop_out_ = std::make_unique<RowFifo>("loopback_to_dma", 2);
    dma_->to_accelerator(*loop_in_);
    loop_->in(*loop_in_);
    loop_->out(*loop_out_);
    dma_->from_accelerator(*loop_out_);

    regs_ = std::make_unique<RegisterBank>("registers", period * 2.0);
    AcceleratorRegisterSources src;
    src.control = [this](uint32_t v) { control_ = v; };
    src.status = [loop, frames] {
        if (loop->frames_completed() >= frames) return regs::kStatusIdle | regs::kStatusDone;
        return loop->busy_now() ? regs::kStatusBusy : regs::kStatusIdle;
    };
    src.cycles = [period] { return uint64_t(std::llround(sc_core::sc_time_stamp() / period)); };
    src.frames = [loop] { return uint32_t(loop->frames_completed()); };
    for (unsigned c = 0; c < 3; ++c) {
        const DmaEngine* dma = dma_.get();
        src.dma_bytes[c] = [dma, c] { return dma->channel(int(c)).bytes; };
    }
    src.layer_count = uint32_t(net.layers.size());
    src.layer_busy = [loop](uint32_t i) { return loop->layer_stats(i).busy_cycles; };
    src.layer_starved = [loop](uint32_t i) { return loop->layer_stats(i).starved_cycles; };
    src.layer_blocked = [loop](uint32_t i) { return loop->layer_stats(i).blocked_cycles; };
    add_accelerator_registers(*regs_, src);
    // LAYER: which layer the next maps on channels 0 and 2 belong to.
    DmaEngine* dma = dma_.get();
    const NetworkConfig* n = &net;
    regs_->add(
        HostDriver::kLayerRegister, "LAYER", RegisterBank::Access::ReadWrite, [this] { return layer_; },
        [this, loop, dma, n](uint32_t v) {
            if (v >= n->layers.size()) return;
            layer_ = v;
            const LayerConfig& l = n->layers[v];
            dma->set_input_format(DmaEngine::format_of(l.in, l.in_encoding, l.in_bits));
            dma->set_output_format(DmaEngine::format_of(l.out, l.out_encoding, l.out_bits));
            loop->select_layer(v);
        });

    uint64_t longest = 0;
    for (const auto& l : net.layers)
        longest = std::max(longest, loopback_layer_cycles(l, net.host.loopback_pes, net.host.loopback_simd));
    const uint64_t limit = net.run.watchdog_cycles ? net.run.watchdog_cycles : 4 * longest + 100000;
    std::vector<ProgressWatchdog::Probe> probes;
    probes.push_back({loop_->name(), [loop] { return loop->working(); }, [loop] { return loop->waiting_for(); }});
    watchdog_ = std::make_unique<ProgressWatchdog>(
        "watchdog", period, limit, std::vector<const RowFifo*>{loop_in_.get(), loop_out_.get()}, std::move(probes),
        [loop, frames] { return loop->frames_completed() >= frames; }, loop_->all_frames_done());
}

void HostSystem::build_link(const NetworkConfig& net, const NetworkParams& params, int frames, bool record_layers,
                            LayerFrameObserver* observer) {
    decoder_ = std::make_unique<AddressDecoder>("decoder");
    decoder_->add_window("registers", device_map::kRegisters, device_map::kRegistersSize)(regs_->socket);
    decoder_->add_window("dma_input", device_map::kInputChannel, device_map::kStreamWindowSize)(dma_->input_socket);
    decoder_->add_window("dma_output", device_map::kOutputChannel, device_map::kStreamWindowSize)(dma_->output_socket);
    decoder_->add_window("dma_weights", device_map::kWeightChannel,
                         device_map::kWeightWindowSize * device_map::kMaxComputeLayers)(dma_->weight_socket);

    host_ = std::make_unique<HostDriver>("host", net, params, device_layers_, frames, record_layers, observer);
    if (net.host.timing == TimingMode::LooselyTimed) {
        link_ = std::make_unique<PcieLink>("pcie", net.host.pcie);
        link_->device_side(decoder_->socket);
        host_->socket(link_->host_side);
    } else {
        // TLP by TLP; the DMA channels are AXI4-streams the endpoint feeds beat by beat.
        root_port_ = std::make_unique<PcieRootPort>("pcie_root_port", net.host.pcie);
        endpoint_ = std::make_unique<PcieEndpoint>("pcie_endpoint", net.host.pcie);
        const unsigned beat = unsigned(dma_beat_bytes(net.host.dma));
        endpoint_->add_stream_window("dma_input", device_map::kInputChannel, device_map::kStreamWindowSize, beat);
        endpoint_->add_stream_window("dma_output", device_map::kOutputChannel, device_map::kStreamWindowSize, beat);
        endpoint_->add_stream_window("dma_weights", device_map::kWeightChannel,
                                     device_map::kWeightWindowSize * device_map::kMaxComputeLayers, beat);
        host_->socket(root_port_->host_side);
        root_port_->tlp_out(endpoint_->tlp_in);
        endpoint_->device_side(decoder_->socket);
    }

    // Bytes over the link and host work count as progress for the watchdog, and the host is
    // one of the blocks it reports on.
    ProgressWatchdog& wd = loop_ ? *watchdog_ : accel_->watchdog();
    const DmaEngine* dma = dma_.get();
    const HostDriver* host = host_.get();
    wd.add_progress_counter([dma] { return dma->channel(0).bytes + dma->channel(1).bytes + dma->channel(2).bytes; });
    wd.add_progress_counter([host] { return host->frames_done(); });
    wd.add_probe({host_->name(), [host] { return host->working(); }, [] { return std::string("PCIe transfers"); }});
}

}  // namespace qsim
