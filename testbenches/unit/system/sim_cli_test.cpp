// System tests of the `sim` command: exit codes, error messages that name file, line and
// field, the JSON report, and a weight file round trip through --weights.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/design/config_loader.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"

namespace qsim {
namespace sim_cli_test {

struct SimRun {
    int status = -1;
    std::string output;  // stdout and stderr
};

SimRun run_sim(const std::string& args) {
    const std::string cmd = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + QSIM_SIM_BINARY + " " + args + " 2>&1";
    SimRun r;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

class SimCli : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("qsim_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string write(const std::string& name, const std::string& text) {
        const auto path = dir_ / name;
        std::ofstream(path) << text;
        return path.string();
    }
    std::filesystem::path dir_;
};

const char* kTiny = R"(name: tiny
device: {clock_mhz: 100}
input: {height: 6, width: 6, channels: 3}
run: {frames: 2}
layers:
  - name: conv1
    type: conv
    kernel: 3
    filters: 4
    weights: {quant: binary}
    activation: {type: thresholds, bits: 2}
    folding: {pe: 2, simd: 3}
)";

TEST_F(SimCli, RunsChecksAndWritesTheJsonReport) {
    const std::string cfg = write("tiny.yaml", kTiny);
    const std::string report = (dir_ / "out.json").string();
    const SimRun r = run_sim("--config " + cfg + " --check --report " + report);
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("golden check   PASS"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("frames/s"), std::string::npos);
    std::ifstream in(report);
    const nlohmann::json j = nlohmann::json::parse(in);
    EXPECT_EQ(j["network"], "tiny");
    EXPECT_EQ(j["frames"]["completed"], 2);
    EXPECT_GT(j["performance"]["frames_per_second"].get<double>(), 0.0);
    EXPECT_EQ(j["layers"].size(), 1u);
    EXPECT_EQ(j["layers"][0]["datapath"], "addsub");
    EXPECT_TRUE(j["check"]["passed"].get<bool>());
    EXPECT_TRUE(j["layers"][0].contains("stall_cycles"));
    EXPECT_TRUE(j["performance"]["bottleneck"].contains("reason"));
}

TEST_F(SimCli, PrintsResourcesAndDeviceUseNextToFramesPerSecond) {
    const std::string report = (dir_ / "out.json").string();
    const SimRun r = run_sim("--config " + std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pruned40.yaml --frames 2 "
                             "--report " + report);
    ASSERT_EQ(r.status, 0) << r.output;
    // The resource table, the device line and the summary next to frames/s.
    EXPECT_NE(r.output.find("resources (after implementation"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("device use     KU115: LUT "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(": fits"), std::string::npos) << r.output;
    const size_t fps = r.output.find("throughput");
    const size_t res = r.output.find("resources      ");
    ASSERT_NE(res, std::string::npos) << r.output;
    EXPECT_LT(fps, res);
    EXPECT_NE(r.output.find("fits the KU115", res), std::string::npos) << r.output;
    std::ifstream in(report);
    const nlohmann::json j = nlohmann::json::parse(in);
    const auto& res_json = j["resources"];
    EXPECT_EQ(res_json["flow"], "implementation");
    EXPECT_GT(res_json["total"]["lut"].get<uint64_t>(), 100000u);
    EXPECT_GT(res_json["total"]["bram18"].get<uint64_t>(), 0u);
    EXPECT_EQ(res_json["total"]["bram36"].get<double>(), res_json["total"]["bram18"].get<double>() / 2);
    EXPECT_TRUE(res_json["device"]["fits"].get<bool>());
    EXPECT_GT(res_json["device"]["percent"]["dsp"].get<double>(), 0.0);
    uint64_t lut = 0;
    for (const auto& it : res_json["items"]) lut += it["lut"].get<uint64_t>();
    EXPECT_EQ(lut, res_json["total"]["lut"].get<uint64_t>());
    for (const auto& l : j["layers"]) EXPECT_TRUE(l.contains("resources")) << l["name"];
    // Memory parts carry their shape, and the shape gives their block RAM.
    int weight_memories = 0;
    for (const auto& it : res_json["items"]) {
        if (!it.contains("memory")) continue;
        const auto& m = it["memory"];
        const uint64_t each = m["bram18_each"].get<uint64_t>();
        EXPECT_EQ(it["bram18"].get<uint64_t>(), m["copies"].get<uint64_t>() * each) << it["rule"];
        EXPECT_EQ(each, m["bram18_rows"].get<uint64_t>() * m["bram18_cols"].get<uint64_t>()) << it["rule"];
        if (each > 0) {
            const uint64_t ad = m["aspect"][0].get<uint64_t>(), aw = m["aspect"][1].get<uint64_t>();
            EXPECT_EQ(m["bram18_rows"].get<uint64_t>(), (m["depth"].get<uint64_t>() + ad - 1) / ad) << it["rule"];
            EXPECT_EQ(m["bram18_cols"].get<uint64_t>(), (m["width"].get<uint64_t>() + aw - 1) / aw) << it["rule"];
        }
        if (it["part"] == "weight memory" && it["layer"] == "conv2") {
            // conv2: PE 77, SIMD 30 binary weights; a 5x5 window over one group's 30 of pruned
            // conv1's 60 channels, 30 lanes at a time, for each of the 154 / 77 filters of a PE.
            EXPECT_EQ(m["copies"].get<uint64_t>(), 77u);
            EXPECT_EQ(m["width"].get<uint64_t>(), 30u);
            EXPECT_EQ(m["depth"].get<uint64_t>(), 5u * 5 * 30 / 30 * (154 / 77));
        }
        weight_memories += it["part"] == "weight memory";
    }
    EXPECT_EQ(weight_memories, 5);  // conv1 .. conv5
}

TEST_F(SimCli, SaysPlainlyWhenTheDesignDoesNotFit) {
    // FINN's LFC folding at 8-bit weights on the Z7020: far more BRAM than the device has.
    const SimRun r = run_sim("--config " + std::string(QSIM_SOURCE_DIR) +
                             "/configs/finn_lfc.yaml --frames 1 --set wbits=8 --set wquant=uniform");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("DOES NOT FIT"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("exceeded     BRAM18: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("does NOT fit the Z7020"), std::string::npos) << r.output;
}

TEST_F(SimCli, ReportShowsWhereEachMemoryWent) {
    // The 4-bit MLP on the ZU3: thresholds in LUTRAM under auto; a --point moves fc1's into
    // block RAM, and both the text and the JSON report say where each memory went.
    const std::string report = (dir_ / "r.json").string();
    const SimRun r = run_sim("--config " + std::string(QSIM_SOURCE_DIR) +
                             "/configs/mlp_w4a4_zu3.yaml --frames 1 --point fc1.ram_style.thresholds=block --report " +
                             report);
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("thresholds 240 block (240 BRAM18)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("thresholds 480 distributed"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("LUTRAM"), std::string::npos) << r.output;
    std::ifstream f(report);
    const nlohmann::json j = nlohmann::json::parse(f);
    std::map<std::string, std::string> styles;  // layer -> threshold memory style
    for (const auto& it : j["resources"]["items"])
        if (it["part"] == "threshold memory") styles[it["layer"]] = it["memory"]["style"];
    EXPECT_EQ(styles["fc1"], "block");
    EXPECT_EQ(styles["fc2"], "distributed");
    EXPECT_GT(j["resources"]["total"]["lutram"].get<uint64_t>(), 0u);
    EXPECT_EQ(j["config"]["layers"][0]["ram_style"]["thresholds"], "block");
}

TEST_F(SimCli, BadConfigNamesFileLineAndField) {
    std::string text = kTiny;
    text.replace(text.find("simd: 3"), 7, "simd: 2");
    const std::string cfg = write("bad.yaml", text);
    const SimRun r = run_sim("--config " + cfg);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.output.find(cfg + ":12:28:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("layers[0].folding.simd: must divide"), std::string::npos) << r.output;
}

TEST_F(SimCli, MissingConfigAndUsageErrors) {
    SimRun r = run_sim("--config " + (dir_ / "nope.yaml").string());
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.output.find("nope.yaml"), std::string::npos) << r.output;
    r = run_sim("");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.output.find("--config is required"), std::string::npos);
    r = run_sim("--config " + write("t.yaml", kTiny) + " --frames 0");
    EXPECT_EQ(r.status, 2);
    r = run_sim("--config " + write("t2.yaml", kTiny) + " --set size=3");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.output.find("params.size"), std::string::npos) << r.output;
}

TEST_F(SimCli, WeightFileRoundTripAndCorruption) {
    const std::string cfg = write("tiny.yaml", kTiny);
    const NetworkConfig net = load_network_config(cfg);
    const std::string good = (dir_ / "tiny.qnnw").string();
    write_weight_file(good, net, generate_params(net, 5, 0.0));
    SimRun r = run_sim("--config " + cfg + " --weights " + good + " --check");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("weights   " + good), std::string::npos) << r.output;

    // Flip one payload byte: the checksum catches it and the message names the file.
    std::string bytes;
    {
        std::ifstream in(good, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    bytes[40] = char(bytes[40] ^ 0x10);
    const std::string bad = (dir_ / "bad.qnnw").string();
    std::ofstream(bad, std::ios::binary) << bytes;
    r = run_sim("--config " + cfg + " --weights " + bad);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.output.find(bad + ":@"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("checksum"), std::string::npos) << r.output;
}

TEST_F(SimCli, GraphWritesEveryLayerAndEveryStreamWithItsFifo) {
    const std::string dot = (dir_ / "g.dot").string();
    const SimRun r =
        run_sim("--config " + std::string(QSIM_SOURCE_DIR) + "/configs/resnet_cifar_tiny.yaml --frames 2 --graph " + dot);
    ASSERT_EQ(r.status, 0) << r.output;
    std::ifstream f(dot);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    // Ten layers, the input and the output; an edge per input of every layer (the input into the
    // stem, seven layers with one input, two joins with two) and one out of the last: 13.
    size_t nodes = 0, edges = 0;
    for (size_t at = 0; (at = text.find("label=", at)) != std::string::npos; ++at) ++nodes;
    for (size_t at = 0; (at = text.find(" -> ", at)) != std::string::npos; ++at) ++edges;
    EXPECT_EQ(edges, 13u);
    EXPECT_EQ(nodes, 1 + 12 + 13u);  // labels: the title's, the nodes', the edges'
    EXPECT_NE(text.find("L0 -> L3 [label=\"branch 6 rows, peak 6\"]"), std::string::npos) << text;  // the skip FIFO
    EXPECT_NE(text.find("L0 [fillcolor=8, penwidth=3"), std::string::npos) << text;  // the bottleneck
    const SimRun bad = run_sim("--config " + std::string(QSIM_SOURCE_DIR) + "/configs/resnet_cifar_tiny.yaml --graph x.txt");
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.output.find("expected a .dot, .svg or .png file"), std::string::npos) << bad.output;
}

}  // namespace sim_cli_test
}  // namespace qsim
