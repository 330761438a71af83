// The host: software driving the accelerator over PCIe the way the board's driver would
// (ch. 6.6.1). One thread loads every layer's weights over DMA channel 1 (the weight loading
// phase, before inference), writes CONTROL.START, and streams the input frames over channel 0;
// another reads each frame's output back over channel 2, runs the layers placed on the host
// (the FC layers of ch. 4.7.1.1) at the host's throughput, and at the end reads the
// performance counters from the register bank. Loosely-timed transfers use temporal
// decoupling (tlm_quantumkeeper); in approximately-timed mode the link itself arbitrates.
// In the loopback architecture (ch. 6.6.3) one thread walks the layers of every frame:
// select the layer (LAYER register), send its weights and input map, read its output map back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/common/feature_map.hpp"
#include "models/common/frame_assembler.hpp"
#include "models/mvtu/mvtu_kernel.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

struct HostCounters {
    uint64_t id = 0;
    uint64_t cycles = 0;
    uint64_t frames = 0;
    uint64_t dma_bytes[3] = {0, 0, 0};
    std::vector<uint64_t> layer_busy, layer_starved, layer_blocked;
};

struct HostTimeline {
    sc_core::sc_time weights_start, weights_done;
    std::vector<sc_core::sc_time> frame_sent;      // last input byte handed to the link
    std::vector<sc_core::sc_time> frame_received;  // device output back in host memory
    std::vector<sc_core::sc_time> frame_done;      // after the host layers
    double host_compute_seconds = 0.0;
    std::vector<FeatureMap> device_outputs;        // what came back over channel 2
    // [host layer][frame]; in the loopback architecture every layer's output came back to the
    // host, so this holds [layer][frame] for all layers.
    std::vector<std::vector<FeatureMap>> host_layer_outputs;
    HostCounters counters;
    std::vector<std::string> errors;               // failed transfers (response status)
};

class HostDriver : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<HostDriver> socket;

    SC_HAS_PROCESS(HostDriver);
    // record_layers: in the loopback architecture, keep every layer's output of every frame
    // (HostTimeline::host_layer_outputs; the golden check needs them). The host layers' outputs
    // of the dataflow architecture are always kept (the last one is the run's output).
    // observer: told of every layer output the host sees (host layers; every layer in the
    // loopback architecture) as it is produced.
    HostDriver(sc_core::sc_module_name name, const NetworkConfig& net, const NetworkParams& params,
               size_t device_layers, int frames, bool record_layers, LayerFrameObserver* observer = nullptr);

    const HostTimeline& timeline() const { return timeline_; }
    bool working() const { return working_; }
    uint64_t frames_done() const { return timeline_.frame_done.size(); }

    static constexpr size_t kChunkBytes = 16384;  // bytes per DMA transfer
    static constexpr uint64_t kLayerRegister = 0x044;  // loopback: the layer the next maps belong to

private:
    void send();
    void receive();
    void loopback();
    void send_weights(size_t layer, size_t window, tlm_utils::tlm_quantumkeeper& qk);
    void read_counters(tlm_utils::tlm_quantumkeeper& qk);
    // Moves `len` bytes; returns false (and records why) on an error response.
    bool transfer(tlm::tlm_command cmd, uint64_t address, uint8_t* data, size_t len,
                  tlm_utils::tlm_quantumkeeper& qk);
    bool stream(tlm::tlm_command cmd, uint64_t address, uint8_t* data, size_t len, bool advance,
                tlm_utils::tlm_quantumkeeper& qk);
    uint32_t read32(uint64_t address, tlm_utils::tlm_quantumkeeper& qk);
    uint64_t read64(uint64_t address, tlm_utils::tlm_quantumkeeper& qk);
    void write32(uint64_t address, uint32_t value, tlm_utils::tlm_quantumkeeper& qk);
    FeatureMap run_host_layers(const FeatureMap& device_output);

    const NetworkConfig& net_;
    const NetworkParams& params_;
    size_t device_layers_;
    int frames_;
    std::vector<std::unique_ptr<MvtuKernel>> host_kernels_;
    std::vector<std::vector<uint8_t>> bursts_;  // per layer: u64 length + parameter record
    bool record_layers_;
    LayerFrameObserver* observer_;
    std::vector<uint8_t> down_, up_;            // loopback: a layer's maps as they cross the link
    HostTimeline timeline_;
    bool working_ = false;
};

}  // namespace qsim
