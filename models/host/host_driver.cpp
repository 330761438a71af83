#include "models/host/host_driver.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "models/dma/dma_engine.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "models/network/weight_file.hpp"
#include "models/source/input_kernel.hpp"
#include "models/dma/dma_engine.hpp"
#include "tlm/register_bank.hpp"

namespace qsim {

HostDriver::HostDriver(sc_core::sc_module_name name, const NetworkConfig& net, const NetworkParams& params,
                       size_t device_layers, int frames, bool record_layers,
                       LayerFrameObserver* observer)
    : sc_core::sc_module(name),
      socket("socket"),
      net_(net),
      params_(params),
      device_layers_(device_layers),
      frames_(frames),
      record_layers_(record_layers),
      observer_(observer) {
    for (size_t l = device_layers; l < net.layers.size(); ++l) {
        if (net.layers[l].type != LayerType::Fc)
            throw std::invalid_argument("layer '" + net.layers[l].name +
                                        "' runs on the host; only fc layers can (ch. 4.7.1.1)");
        host_kernels_.push_back(std::make_unique<MvtuKernel>(net.layers[l], params.layers[l]));
    }
    // Loosely timed: the host runs ahead of the simulation kernel by up to a quantum.
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(net.host.quantum_ns, sc_core::SC_NS));
    const bool loop = net.host.architecture == HostArchitecture::Loopback;
    timeline_.host_layer_outputs.resize(loop ? net.layers.size() : host_kernels_.size());
    // The host program has every device layer's parameter record in its memory before it
    // starts: a u64 length, then the record (docs/weights-format.md).
    bursts_.resize(net.layers.size());
    for (size_t l = 0; l < (loop ? net.layers.size() : device_layers); ++l) {
        if (!net.layers[l].is_compute()) continue;
        const std::vector<uint8_t> record = encode_layer_record(net.layers[l], params.layers[l]);
        std::vector<uint8_t>& burst = bursts_[l];
        burst.resize(8 + record.size());
        for (int b = 0; b < 8; ++b) burst[size_t(b)] = uint8_t(uint64_t(record.size()) >> (8 * b));
        std::copy(record.begin(), record.end(), burst.begin() + 8);
    }
    if (loop) {
        SC_THREAD(loopback);
    } else {
        SC_THREAD(send);
        SC_THREAD(receive);
    }
}

void HostDriver::send_weights(size_t layer, size_t window, tlm_utils::tlm_quantumkeeper& qk) {
    std::vector<uint8_t>& burst = bursts_.at(layer);
    stream(tlm::TLM_WRITE_COMMAND, device_map::kWeightChannel + device_map::kWeightWindowSize * window, burst.data(),
           burst.size(), true, qk);
}

void HostDriver::loopback() {
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    working_ = true;
    write32(regs::kControl, regs::kControlReset, qk);
    write32(regs::kControl, regs::control_mode(regs::kModeLoopback), qk);
    qk.sync();
    timeline_.weights_start = timeline_.weights_done = sc_core::sc_time_stamp();  // weights travel per layer
    write32(regs::kControl, regs::control_mode(regs::kModeLoopback) | regs::kControlStart, qk);
    FeatureMap y;  // a layer's output; its buffer is reused for the next layer's
    for (int f = 0; f < frames_; ++f) {
        FeatureMap x = input_frame(net_.input, f);
        Encoding enc = net_.input.encoding();
        int bits = net_.input.bits;
        size_t window = 0;
        for (size_t l = 0; l < net_.layers.size(); ++l) {
            const LayerConfig& layer = net_.layers[l];
            write32(kLayerRegister, uint32_t(l), qk);
            if (layer.is_compute()) send_weights(l, window++, qk);
            const int in_bpc = DmaEngine::bytes_per_code(enc, bits);
            down_.resize(x.data.size() * size_t(in_bpc));
            DmaEngine::pack_codes(x.data.data(), x.data.size(), in_bpc, down_.data());
            stream(tlm::TLM_WRITE_COMMAND, device_map::kInputChannel, down_.data(), down_.size(), false, qk);
            if (l == 0) timeline_.frame_sent.push_back(qk.get_current_time());
            const StreamFormat fmt = DmaEngine::format_of(layer.out, layer.out_encoding, layer.out_bits);
            up_.resize(size_t(layer.out.elements()) * size_t(fmt.bytes_per_code));
            if (!stream(tlm::TLM_READ_COMMAND, device_map::kOutputChannel, up_.data(), up_.size(), false, qk)) return;
            y.shape = layer.out;
            y.data.resize(size_t(layer.out.elements()));  // every code is written below
            DmaEngine::unpack_codes(up_.data(), y.data.size(), fmt.bytes_per_code, fmt.is_signed, y.data.data());
            if (observer_ != nullptr) observer_->layer_frame(l, f, y);
            if (record_layers_) timeline_.host_layer_outputs[l].push_back(y);
            std::swap(x, y);
            enc = layer.out_encoding;
            bits = layer.out_bits;
        }
        qk.sync();
        timeline_.frame_received.push_back(sc_core::sc_time_stamp());
        timeline_.device_outputs.push_back(x);
        timeline_.frame_done.push_back(sc_core::sc_time_stamp());
    }
    read_counters(qk);
    working_ = false;
}

bool HostDriver::transfer(tlm::tlm_command cmd, uint64_t address, uint8_t* data, size_t len,
                          tlm_utils::tlm_quantumkeeper& qk) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(address);
    gp.set_data_ptr(data);
    gp.set_data_length(unsigned(len));
    gp.set_streaming_width(unsigned(len));
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = qk.get_local_time();
    socket->b_transport(gp, delay);
    qk.set(delay);
    if (qk.need_sync()) qk.sync();
    if (gp.is_response_error()) {
        char at[32];
        std::snprintf(at, sizeof at, "0x%llx", static_cast<unsigned long long>(address));
        timeline_.errors.push_back(std::string(cmd == tlm::TLM_READ_COMMAND ? "read" : "write") + " of " +
                                   std::to_string(len) + " bytes at " + at + ": " + gp.get_response_string());
        return false;
    }
    return true;
}

bool HostDriver::stream(tlm::tlm_command cmd, uint64_t address, uint8_t* data, size_t len, bool advance,
                        tlm_utils::tlm_quantumkeeper& qk) {
    for (size_t off = 0; off < len; off += kChunkBytes) {
        const size_t n = std::min(kChunkBytes, len - off);
        if (!transfer(cmd, address + (advance ? off : 0), data + off, n, qk)) return false;
    }
    return true;
}

uint32_t HostDriver::read32(uint64_t address, tlm_utils::tlm_quantumkeeper& qk) {
    uint8_t b[4] = {0, 0, 0, 0};
    transfer(tlm::TLM_READ_COMMAND, device_map::kRegisters + address, b, 4, qk);
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
}

uint64_t HostDriver::read64(uint64_t address, tlm_utils::tlm_quantumkeeper& qk) {
    const uint64_t lo = read32(address, qk);  // latches the high word
    return lo | uint64_t(read32(address + 4, qk)) << 32;
}

void HostDriver::write32(uint64_t address, uint32_t value, tlm_utils::tlm_quantumkeeper& qk) {
    uint8_t b[4] = {uint8_t(value), uint8_t(value >> 8), uint8_t(value >> 16), uint8_t(value >> 24)};
    transfer(tlm::TLM_WRITE_COMMAND, device_map::kRegisters + address, b, 4, qk);
}

void HostDriver::send() {
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    working_ = true;
    write32(regs::kControl, regs::kControlReset, qk);
    write32(regs::kControl, regs::control_mode(regs::kModeDataflow), qk);

    // Weight loading phase: each compute layer's record in contiguous bursts to its window.
    timeline_.weights_start = qk.get_current_time();
    size_t window = 0;
    for (size_t l = 0; l < device_layers_; ++l)
        if (net_.layers[l].is_compute()) send_weights(l, window++, qk);
    qk.sync();
    timeline_.weights_done = sc_core::sc_time_stamp();
    write32(regs::kControl, regs::kControlStart, qk);

    // Inference: frames back to back over channel 0.
    const int bpc = DmaEngine::bytes_per_code(net_.input.encoding(), net_.input.bits);
    for (int f = 0; f < frames_; ++f) {
        const FeatureMap frame = input_frame(net_.input, f);
        std::vector<uint8_t> bytes(frame.data.size() * size_t(bpc));
        DmaEngine::pack_codes(frame.data.data(), frame.data.size(), bpc, bytes.data());
        stream(tlm::TLM_WRITE_COMMAND, device_map::kInputChannel, bytes.data(), bytes.size(), false, qk);
        timeline_.frame_sent.push_back(qk.get_current_time());
    }
    qk.sync();
    working_ = false;
}

FeatureMap HostDriver::run_host_layers(const FeatureMap& device_output) {
    FeatureMap x = device_output;
    for (size_t h = 0; h < host_kernels_.size(); ++h) {
        const LayerConfig& layer = net_.layers[device_layers_ + h];
        FeatureMap y(layer.out);
        host_kernels_[h]->compute(x.data.data(), 1, y.data.data());
        // Two operations (multiply, add) per MAC at the host's throughput.
        const double seconds = 2.0 * double(mvtu_ops_per_frame(layer)) / (net_.host.host_gops * 1e9);
        timeline_.host_compute_seconds += seconds;
        working_ = true;
        sc_core::wait(sc_core::sc_time(seconds, sc_core::SC_SEC));
        working_ = false;
        if (observer_ != nullptr)
            observer_->layer_frame(device_layers_ + h, int(timeline_.host_layer_outputs[h].size()), y);
        timeline_.host_layer_outputs[h].push_back(y);
        x = std::move(y);
    }
    return x;
}

void HostDriver::receive() {
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    const LayerConfig& last = net_.layers[device_layers_ - 1];
    const int bpc = DmaEngine::bytes_per_code(last.out_encoding, last.out_bits);
    const bool is_signed = last.out_encoding == Encoding::Signed || last.out_encoding == Encoding::Accumulator;
    std::vector<uint8_t> bytes(size_t(last.out.elements()) * size_t(bpc));
    for (int f = 0; f < frames_; ++f) {
        if (!stream(tlm::TLM_READ_COMMAND, device_map::kOutputChannel, bytes.data(), bytes.size(), false, qk)) break;
        qk.sync();
        timeline_.frame_received.push_back(sc_core::sc_time_stamp());
        FeatureMap out(last.out);
        DmaEngine::unpack_codes(bytes.data(), out.data.size(), bpc, is_signed, out.data.data());
        timeline_.device_outputs.push_back(out);
        run_host_layers(out);
        timeline_.frame_done.push_back(sc_core::sc_time_stamp());
    }
    read_counters(qk);
}

void HostDriver::read_counters(tlm_utils::tlm_quantumkeeper& qk) {
    // Performance counters, read the way the board's software does.
    HostCounters& c = timeline_.counters;
    c.id = read32(regs::kId, qk);
    c.cycles = read64(regs::kCyclesLo, qk);
    c.frames = read32(regs::kFrames, qk);
    for (unsigned ch = 0; ch < 3; ++ch) c.dma_bytes[ch] = read64(regs::dma_bytes_lo(ch), qk);
    const uint32_t layers = read32(regs::kLayerCount, qk);
    for (uint32_t i = 0; i < layers; ++i) {
        c.layer_busy.push_back(read64(regs::layer_register(i, regs::kLayerBusyLo), qk));
        c.layer_starved.push_back(read64(regs::layer_register(i, regs::kLayerStarvedLo), qk));
        c.layer_blocked.push_back(read64(regs::layer_register(i, regs::kLayerBlockedLo), qk));
    }
    qk.sync();
}

}  // namespace qsim
