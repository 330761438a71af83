// System tests of the host link (ch. 6.6.1): weights loaded over DMA channel 1, frames in
// over channel 0, results back over channel 2, FC layers on the host, counters read from the
// register bank; bit-true in both TLM timing modes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sim/design/config_loader.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace host_link_test {

NetworkConfig with_host(const std::string& config, TimingMode mode) {
    NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/" + config + ".yaml");
    net.host.enabled = true;
    net.host.timing = mode;
    return net;
}

void expect_host_run_ok(const NetworkConfig& net) {
    SimOptions options;
    options.frames = 3;
    options.check = true;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock) << (r.deadlock_report.empty() ? "" : r.deadlock_report.front());
    EXPECT_TRUE(r.check.passed) << r.check.message;
    const HostResult& h = r.host;
    ASSERT_TRUE(h.enabled);
    EXPECT_TRUE(h.errors.empty()) << h.errors.front();
    EXPECT_EQ(h.device_layers, net.layers.size() - 1);  // the fc layer runs on the host
    // Bytes in equal what the host sent: 3 frames of 28x28 8-bit pixels, and every output byte.
    EXPECT_EQ(h.input_bytes, 3u * 28 * 28);
    const LayerConfig& last = net.layers[h.device_layers - 1];
    EXPECT_EQ(h.output_bytes, 3u * uint64_t(last.out.elements()));
    EXPECT_GT(h.weight_bytes, 0u);
    EXPECT_GT(h.weight_load_us, 0.0);
    EXPECT_GT(h.frames_per_second, 0.0);
    // The host read the counters back from the register bank.
    EXPECT_EQ(h.counter_frames, 3u);
    EXPECT_GT(h.counter_cycles, 0u);
}

TEST(HostLink, LoopbackRunsEveryLayerOverTheLinkBitTrue) {
    NetworkConfig net = with_host("mnist_int8_cnn", TimingMode::LooselyTimed);
    net.host.architecture = HostArchitecture::Loopback;
    SimOptions options;
    options.frames = 2;
    options.check = true;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock) << (r.deadlock_report.empty() ? "" : r.deadlock_report.front());
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_EQ(r.host.architecture, HostArchitecture::Loopback);
    EXPECT_EQ(r.host.counter_frames, 2u);
    // Every layer's input goes down and its output comes back, every frame.
    uint64_t in = 0, out = 0;
    for (const auto& l : net.layers) {
        in += uint64_t(l.in.elements()) * (l.in_encoding == Encoding::Accumulator ? 4 : (l.in_bits + 7) / 8);
        out += uint64_t(l.out.elements()) * (l.out_encoding == Encoding::Accumulator ? 4 : (l.out_bits + 7) / 8);
    }
    EXPECT_EQ(r.host.input_bytes, 2 * in);
    EXPECT_EQ(r.host.output_bytes, 2 * out);
    EXPECT_GT(r.host.weight_bytes, 0u);
}

TEST(HostLink, ApproximatelyTimedReportCountsEveryTlpAndBeat) {
    // The report's TLP statistics add up: every TLP the root port sent arrived in one of the
    // endpoint's windows, every read got its completion, each DMA window moved the bytes the DMA
    // channel counted, in at least ceil(bytes / max payload) TLPs and bytes / beat width beats.
    NetworkConfig net = with_host("mnist_int8_cnn", TimingMode::ApproximatelyTimed);
    net.host.architecture = HostArchitecture::Loopback;
    SimOptions options;
    options.frames = 2;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    const HostResult::Tlps& t = r.host.tlps;
    ASSERT_TRUE(t.present);
    uint64_t window_tlps = 0;
    for (const auto& w : t.windows) window_tlps += w.tlps;
    EXPECT_EQ(window_tlps, t.write_tlps + t.read_tlps);
    EXPECT_EQ(t.completions, t.read_tlps);
    const std::map<std::string, uint64_t> dma_bytes = {
        {"dma_input", r.host.input_bytes}, {"dma_weights", r.host.weight_bytes}, {"dma_output", r.host.output_bytes}};
    const uint64_t payload = uint64_t(net.host.pcie.max_payload_bytes);
    const uint64_t beat = uint64_t(net.host.dma.stream_bits / 8);
    int dma_windows = 0;
    for (const auto& w : t.windows) {
        const auto it = dma_bytes.find(w.name);
        if (it == dma_bytes.end()) continue;
        ++dma_windows;
        EXPECT_EQ(w.bytes, it->second) << w.name;
        EXPECT_GE(w.tlps, (w.bytes + payload - 1) / payload) << w.name;
        EXPECT_GE(w.beats, w.bytes / beat) << w.name;
        EXPECT_LE(w.beats, w.tlps * ((payload + beat - 1) / beat)) << w.name;
    }
    EXPECT_EQ(dma_windows, 3);
    const double run_us = r.total_cycles / r.clock_mhz;
    EXPECT_GT(t.down_busy_us, 0.0);
    EXPECT_LE(t.down_busy_us, run_us);
    EXPECT_GT(t.peak_non_posted, 0);
}

TEST(HostLink, LooselyTimedReportHasNoTlpStatistics) {
    const NetworkConfig net = with_host("mnist_int8_cnn", TimingMode::LooselyTimed);
    SimOptions options;
    options.frames = 1;
    EXPECT_FALSE(simulate(net, load_params(net), options).host.tlps.present);
}

TEST(HostLink, LooselyTimedDataflowIsBitTrue) { expect_host_run_ok(with_host("mnist_int8_cnn", TimingMode::LooselyTimed)); }

TEST(HostLink, ApproximatelyTimedDataflowIsBitTrue) {
    expect_host_run_ok(with_host("mnist_int8_cnn", TimingMode::ApproximatelyTimed));
}

// `sim` (one simulation per process) on mnist_int8_cnn with a host section, in one timing mode.
nlohmann::json run_sim_with_host(const std::string& architecture, const std::string& timing) {
    std::ifstream base(std::string(QSIM_SOURCE_DIR) + "/configs/mnist_int8_cnn.yaml");
    std::stringstream yaml;
    yaml << base.rdbuf() << "\nhost: { architecture: " << architecture << ", timing: " << timing << " }\n";
    const std::filesystem::path dir = std::filesystem::temp_directory_path();
    const std::string stem = "qsim_link_modes_" + architecture + "_" + timing;
    const std::string config = (dir / (stem + ".yaml")).string(), report = (dir / (stem + ".json")).string();
    std::ofstream(config) << yaml.str();
    const std::string cmd = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + QSIM_SIM_BINARY + " --config " + config +
                            " --frames 3 --check --report " + report + " > /dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(report);
    return nlohmann::json::parse(in);
}

void expect_same_run(const std::string& architecture) {
    const nlohmann::json lt = run_sim_with_host(architecture, "lt"), at = run_sim_with_host(architecture, "at");
    EXPECT_EQ(lt["host"]["timing"], "lt");
    EXPECT_EQ(at["host"]["timing"], "at");
    // Bit-identical outputs, both checked against the golden reference.
    EXPECT_EQ(lt["outputs"], at["outputs"]);
    EXPECT_EQ(lt["frames"]["completed"], 3);
    EXPECT_EQ(at["frames"]["completed"], 3);
    // The loosely-timed mode annotates the approximately-timed model's idle-link times, so the
    // rates agree; what is left is the register accesses' round trip and the accelerator's
    // row-by-row pace under beat-by-beat delivery.
    const double fps_lt = lt["host"]["frames_per_second"], fps_at = at["host"]["frames_per_second"];
    EXPECT_GT(fps_lt, 0.0);
    EXPECT_NEAR(fps_at / fps_lt, 1.0, 0.02) << architecture << ": lt " << fps_lt << ", at " << fps_at;
    EXPECT_EQ(lt["host"]["dma_bytes"], at["host"]["dma_bytes"]);
}

TEST(HostLink, BothTimingModesGiveTheSameOutputsAndRateDataflow) { expect_same_run("dataflow"); }

TEST(HostLink, BothTimingModesGiveTheSameOutputsAndRateLoopback) { expect_same_run("loopback"); }

}  // namespace host_link_test
}  // namespace qsim

namespace qsim {
namespace host_link_test {

TEST(HostLink, TheAcceleratorBackpressuresTheDmaInputChannel) {
    // The link could deliver a 224x224 RGB frame in ~25 us, but the accelerator takes one pixel
    // per clock (271 us at 185 MHz): the input channel's transfers wait for the FIFO behind it.
    NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pcie.yaml");
    SimOptions options;
    options.frames = 3;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_LT(r.host.link_us_per_frame, 0.2 * r.host.compute_us_per_frame);
    EXPECT_NEAR(r.host.send_interval_us, r.host.compute_us_per_frame, 0.02 * r.host.compute_us_per_frame);
    EXPECT_EQ(r.host.bound, "accelerator");
    EXPECT_EQ(r.interval_cycles, 224u * 224);  // the accelerator runs as without the host
    EXPECT_EQ(r.host.host_layers, 3u);         // fc6-fc8 on the host (ch. 4.7.1.1)
    EXPECT_GT(r.host.weight_load_us, 0.0);
}

TEST(HostLink, ApproximatelyTimedBackpressureReachesTheLinkBeatByBeat) {
    // The same with every TLP and beat modelled: the accelerator's full input buffer holds the
    // DMA channel's beats, the endpoint's buffers and the root port's credits, so the host
    // sends at the accelerator's pace.
    NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pcie.yaml");
    net.host.timing = TimingMode::ApproximatelyTimed;
    SimOptions options;
    options.frames = 3;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.host.errors.empty());
    EXPECT_NEAR(r.host.send_interval_us, r.host.compute_us_per_frame, 0.02 * r.host.compute_us_per_frame);
    EXPECT_EQ(r.host.bound, "accelerator");
    EXPECT_EQ(r.interval_cycles, 224u * 224);
    EXPECT_NEAR(r.host.frames_per_second, 185e6 / (224.0 * 224), 0.001 * 185e6 / (224.0 * 224));
}

}  // namespace host_link_test
}  // namespace qsim
