// Core tests of RCCM layers outside the datapath: the YAML fields (weights.quant rccm,
// weights.rccm, activation_unit, resources.bram_ports) and their errors, the weight file's
// rccm records (quant code 3, select indices, lambda_l), the generator's select indices, the
// float import (eq. 6.3 with lambda's 8-bit mantissa) through qnn-weights from-npy.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "testbenches/unit/config_test_support.hpp"
#include "sim/design/config_loader.hpp"
#include "models/network/npy.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/quantizer.hpp"
#include "models/network/weight_file.hpp"
#include "models/rccm/rccm_quantizer.hpp"
#include "testbenches/unit/config_test_support.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace rccm_config_test {

namespace fs = std::filesystem;
using testing_support::expect_error;
using testing_support::net;

const char* const kConvOnly =
    "  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
    "    weights: {quant: binary}\n    activation: {type: thresholds, bits: 2}\n";

// Two RCCM layers on an 8x8x4 input (lines 5..): a 3x3 conv (2-Add, relu) and an fc (4-Add).
std::string rccm_net(const std::string& conv_weights = "{quant: rccm, rccm: 2add}",
                     const std::string& extra = "") {
    return net("  - name: c\n"                                 // 5
               "    type: conv\n"                              // 6
               "    kernel: 3\n"                               // 7
               "    filters: 8\n"                              // 8
               "    weights: " + conv_weights + "\n" +         // 9
               "    activation: {type: relu, bits: 8}\n" +     // 10
               extra +
               "  - name: f\n"
               "    type: fc\n"
               "    filters: 6\n"
               "    weights: {quant: rccm, rccm: 4add}\n"
               "    activation: {type: thresholds, bits: 2}\n");
}

TEST(RccmConfig, LoadsCircuitSelectBitsDatapathAndActivationUnit) {
    const NetworkConfig cfg = parse_network_config(rccm_net(), "t.yaml");
    const LayerConfig& c = cfg.layers[0];
    EXPECT_EQ(c.weights.quant, WeightQuant::Rccm);
    EXPECT_EQ(c.weights.rccm, RccmKind::Add2);
    EXPECT_EQ(c.weights.bits, 4);
    EXPECT_EQ(c.weights.scale, 0.0);  // derived from the imported weights
    EXPECT_EQ(c.datapath, Datapath::Rccm);
    EXPECT_EQ(c.activation_unit, LayerConfig::ActivationUnit::AfterFanIn);
    EXPECT_EQ(c.max_abs_weight(), 92);
    const LayerConfig& f = cfg.layers[1];
    EXPECT_EQ(f.weights.rccm, RccmKind::Add4);
    EXPECT_EQ(f.weights.bits, 8);
    EXPECT_EQ(f.max_abs_weight(), 1214);
    EXPECT_EQ(cfg.resources.bram_ports, BramPorts::SimpleDual);
    const nlohmann::json j = testing_support::effective_json(rccm_net(), "t.yaml");
    EXPECT_EQ(j["layers"][0]["weights"]["rccm"], "2add");
    EXPECT_EQ(j["layers"][0]["datapath"], "rccm");
    EXPECT_EQ(j["layers"][0]["activation_unit"], "after_fan_in");
    EXPECT_EQ(j["resources"]["bram_ports"], "simple_dual");

    const NetworkConfig b = parse_network_config(
        rccm_net("{quant: rccm, rccm: 3add, bits: 6, scale: 0.01}", "    datapath: rccm\n"), "t.yaml");
    EXPECT_EQ(b.layers[0].weights.bits, 6);
    EXPECT_EQ(b.layers[0].weights.scale, 0.01);
    // Other layers keep their activation in the PEs unless told otherwise.
    const std::string u = net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                              "    weights: {quant: uniform, bits: 8}\n    activation: {type: relu, bits: 8}\n"
                              "    activation_unit: after_fan_in\n");
    EXPECT_EQ(parse_network_config(u, "t.yaml").layers[0].activation_unit, LayerConfig::ActivationUnit::AfterFanIn);
    const std::string tdp = "resources: {bram_ports: true_dual}\n" + net(kConvOnly);
    EXPECT_EQ(parse_network_config(tdp, "t.yaml").resources.bram_ports, BramPorts::TrueDual);
}

TEST(RccmConfigError, FieldsAreCheckedWithTheirPositions) {
    expect_error(rccm_net("{quant: rccm}"), "9:14", "layers[0].weights.rccm", {"missing required field"});
    expect_error(rccm_net("{quant: rccm, rccm: 5add}"), "9:34", "layers[0].weights.rccm",
                 {"unknown RCCM circuit '5add'", "expected one of: 2add, 3add, 4add"});
    expect_error(rccm_net("{quant: rccm, rccm: 2add, bits: 8}"), "9:46", "layers[0].weights.bits",
                 {"must be 4 for 2-Add select indices (got 8)"});
    expect_error(rccm_net("{quant: rccm, rccm: 2add, scale: -1}"), "9:47", "layers[0].weights.scale",
                 {"must be > 0 (got -1)"});
    expect_error(rccm_net("{quant: uniform, bits: 8, rccm: 2add}"), "9:40", "layers[0].weights.rccm",
                 {"not allowed for uniform weights"});
    expect_error(rccm_net("{quant: rccm, rccm: 2add, threshold: 0.1}"), "9:40", "layers[0].weights.threshold",
                 {"not allowed for rccm weights"});
    expect_error(rccm_net("{quant: rccm, rccm: 2add}", "    activation_unit: per_pe\n"), "11:22",
                 "layers[0].activation_unit", {"must be 'after_fan_in' for rccm weights"});
    expect_error(rccm_net("{quant: rccm, rccm: 2add}", "    activation_unit: fanned\n"), "11:22",
                 "layers[0].activation_unit", {"unknown activation unit 'fanned'", "per_pe, after_fan_in"});
    expect_error(rccm_net("{quant: rccm, rccm: 2add}", "    datapath: dsp_mac\n"), "11:15", "layers[0].datapath",
                 {"must be 'rccm' for rccm weights"});
    expect_error("resources: {bram_ports: triple}\n" + net(kConvOnly), "1:25", "resources.bram_ports",
                 {"unknown block RAM port mode 'triple'", "simple_dual, true_dual"});
    // A raw output of lambda x acc must fit 32 bits for every lambda: 3x3x4 x 1214 x 255 x 255 does not.
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: rccm, rccm: 4add}\n    activation: {type: none}\n"),
                 "5:5", "layers[0]", {"activation 'none'", "max lambda 255", "give the layer an activation"});
}

// ------------------------------------------------------------------------------------------
// Weight files

NetworkConfig rccm_cfg() { return parse_network_config(rccm_net(), "t.yaml"); }

TEST(RccmWeightFile, RoundTripsSelectIndicesAndLambda) {
    const NetworkConfig cfg = rccm_cfg();
    const NetworkParams p = generate_params(cfg, 5, 0.2);
    ASSERT_EQ(p.layers[0].selects.size(), size_t(8 * 36));
    ASSERT_EQ(p.layers[1].selects.size(), size_t(6 * 6 * 6 * 8));
    for (uint8_t s : p.layers[0].selects) EXPECT_LT(s, 16);
    const std::vector<uint8_t> bytes = encode_weight_file(cfg, p);
    EXPECT_EQ(bytes[8], 1);  // still a version-1 file: rccm is a new quant code
    testing_support::expect_same(decode_weight_file(bytes, cfg), p);
    // The layer record: quant 3, 4-bit fields, and lambda_l as the record's last byte.
    const std::vector<uint8_t> rec = encode_layer_record(cfg.layers[0], p.layers[0]);
    EXPECT_EQ(rec[2 + 1], 3);
    EXPECT_EQ(rec[2 + 1 + 1], 4);
    EXPECT_EQ(rec.back(), uint8_t(p.layers[0].lambda));
    EXPECT_EQ(decode_layer_record(rec, cfg.layers[0]).selects, p.layers[0].selects);
    // Generation is deterministic and depends on the seed.
    EXPECT_EQ(generate_params(cfg, 5, 0.2).layers[0].selects, p.layers[0].selects);
    EXPECT_NE(generate_params(cfg, 6, 0.2).layers[0].selects, p.layers[0].selects);
}

TEST(RccmWeightFile, RejectsBadLambdaAndMismatchedCircuit) {
    const NetworkConfig cfg = rccm_cfg();
    NetworkParams p = generate_params(cfg, 5, 0.0);
    std::vector<uint8_t> rec = encode_layer_record(cfg.layers[0], p.layers[0]);
    rec.back() = 0;
    try {
        decode_layer_record(rec, cfg.layers[0]);
        ADD_FAILURE() << "lambda 0 accepted";
    } catch (const WeightFileError& e) {
        EXPECT_EQ(e.field(), "layers[c].lambda");
        EXPECT_EQ(e.offset(), rec.size() - 1);
    }
    // A 3-Add config does not read a 2-Add record: the select width differs.
    const NetworkConfig c3 = parse_network_config(rccm_net("{quant: rccm, rccm: 3add}"), "t.yaml");
    try {
        decode_layer_record(encode_layer_record(cfg.layers[0], p.layers[0]), c3.layers[0]);
        ADD_FAILURE() << "2-Add record read as 3-Add";
    } catch (const WeightFileError& e) {
        EXPECT_EQ(e.field(), "layers[c].weight_bits");
    }
    p.layers[0].lambda = 256;
    EXPECT_THROW(encode_weight_file(cfg, p), WeightFileError);
    p.layers[0].lambda = 9;
    p.layers[0].selects[3] = 16;  // does not fit 4 bits
    EXPECT_THROW(encode_weight_file(cfg, p), WeightFileError);
}

// ------------------------------------------------------------------------------------------
// Float import

TEST(RccmImport, LambdaMantissaAndNearestCoefficients) {
    int32_t code = 0;
    int e = 0;
    rccm_lambda_code(1.0, code, e);
    EXPECT_EQ(code, 128);
    EXPECT_EQ(e, 7);
    rccm_lambda_code(0.0123, code, e);
    EXPECT_GE(code, 128);
    EXPECT_LE(code, 255);
    EXPECT_NEAR(std::ldexp(double(code), -e), 0.0123, 0.0123 / 256);
    rccm_lambda_code(255.9 / 256, code, e);  // rounds up to 256: the next power of two
    EXPECT_EQ(code, 128);
    EXPECT_EQ(e, 7);
    EXPECT_THROW(rccm_lambda_code(0.0, code, e), std::invalid_argument);

    WeightQuantConfig q;
    q.quant = WeightQuant::Rccm;
    q.rccm = RccmKind::Add2;
    q.scale = 0.0;  // as the loader leaves it: lambda from the weights' range
    // max|w| = 9.2: lambda = 9.2 / 92 = 0.1, so w = 0.8 is coefficient 8, -3.6 is -36.
    const RccmImport r = quantize_rccm_weights({0.8, -3.6, 9.2, 0.0, 0.04}, q);
    EXPECT_DOUBLE_EQ(r.lambda, 0.1);
    const RccmCodebook book = make_rccm_codebook(rccm_circuit(RccmKind::Add2));
    ASSERT_EQ(r.selects.size(), 5u);
    EXPECT_EQ(rccm_decode(book, r.selects[0]), 8);
    EXPECT_EQ(rccm_decode(book, r.selects[1]), -36);
    EXPECT_EQ(rccm_decode(book, r.selects[2]), 92);
    EXPECT_EQ(rccm_decode(book, r.selects[3]), 0);
    EXPECT_EQ(rccm_decode(book, r.selects[4]), 0);  // 0.4 coefficient steps: 0
    q.scale = 1.0;
    EXPECT_EQ(rccm_decode(book, quantize_rccm_weights({30.0}, q).selects[0]), 28);
    EXPECT_THROW(quantize_weights(std::vector<double>{1.0}, q), std::invalid_argument);
}

std::string run_tool(const std::string& args) {
    std::string out;
    FILE* f = ::popen((std::string(QSIM_QNN_WEIGHTS) + " " + args + " 2>&1").c_str(), "r");
    if (!f) return "popen failed";
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    const int st = ::pclose(f);
    return (WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok\n" : "failed\n") + out;
}

TEST(RccmImport, FromNpyQuantisesWithTheLayersCircuit) {
    const fs::path d = fs::temp_directory_path() / ("qsim_rccm_npy_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    const std::string yaml = (d / "net.yaml").string();
    std::ofstream(yaml) << rccm_net();
    const NetworkConfig cfg = load_network_config(yaml);
    std::vector<float> wc(8 * 36), wf(6 * 6 * 6 * 8);
    for (size_t i = 0; i < wc.size(); ++i) wc[i] = float(std::sin(double(i))) * 0.5f;
    for (size_t i = 0; i < wf.size(); ++i) wf[i] = float(std::cos(double(i) * 0.7)) * 0.2f;
    write_npy_f32((d / "c.weights.npy").string(), {8, 3, 3, 4}, wc);
    write_npy_f32((d / "f.weights.npy").string(), {6, 288}, wf);
    write_npy((d / "f.lambda.npy").string(), {1}, {77}, NpyDtype::I4);
    const std::string out = (d / "w.qnnw").string();
    const std::string r = run_tool("from-npy --config " + yaml + " --npy-dir " + d.string() + " --out " + out);
    ASSERT_EQ(r.rfind("ok\n", 0), 0u) << r;
    EXPECT_NE(r.find("c: 2-Add"), std::string::npos) << r;
    EXPECT_NE(r.find("D_KL"), std::string::npos) << r;
    const NetworkParams p = read_weight_file(out, cfg);
    WeightQuantConfig q = cfg.layers[0].weights;
    const RccmImport want = quantize_rccm_weights(std::vector<double>(wc.begin(), wc.end()), q);
    EXPECT_EQ(p.layers[0].selects, want.selects);
    EXPECT_EQ(p.layers[0].lambda, want.lambda_code);
    EXPECT_EQ(p.layers[1].lambda, 77);  // from f.lambda.npy
    EXPECT_EQ(p.layers[1].thresholds.size(), size_t(6 * 3));
    fs::remove_all(d);
}

}  // namespace rccm_config_test
}  // namespace qsim
