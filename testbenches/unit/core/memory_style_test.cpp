// Core tests of where memories go (models/resources/memory_placement, docs/resources.md
// "Memories"): the auto rule, each style's cost, ram_style in configurations and overrides,
// the device's LUTRAM and UltraRAM, the multiplier rule, and `sim fold` on every device.
// Expected counts are worked out by hand from the primitives' sizes in the comments.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "models/resources/block_resources.hpp"
#include "models/resources/memory_placement.hpp"
#include "models/resources/resource_model.hpp"
#include "sim/design/overrides.hpp"
#include "sim/sweep/auto_fold.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace memory_style_test {

using testing_support::expect_error;
using testing_support::kConfigDir;

MemoryPlacement place(uint64_t depth, uint64_t width, MemoryKind kind, MemoryStyle style = MemoryStyle::Auto) {
    return place_memory(depth, width, {kind, style, BramPorts::SimpleDual});
}

TEST(MemoryPlacement, AutoPutsThresholdsAndSmallWeightsInLutram) {
    // 8 thresholds of 20 bits: 8 <= 32 words, two bits per LUT: 10 LUTs, no block RAM.
    const MemoryPlacement th = place(8, 20, MemoryKind::Thresholds);
    EXPECT_EQ(th.impl, MemoryImpl::Distributed);
    EXPECT_EQ(th.luts, 10u);
    EXPECT_EQ(th.bram.bram18, 0u);
    // 9 weights of 3 bits: 2 LUTs (it took a whole BRAM18 before).
    const MemoryPlacement w = place(9, 3, MemoryKind::Weights);
    EXPECT_EQ(w.impl, MemoryImpl::Distributed);
    EXPECT_EQ(w.luts, 2u);
    // 64 words is still LUTRAM, one bit per LUT: 64 x 20 -> 20 LUTs.
    EXPECT_EQ(place(64, 20, MemoryKind::Thresholds).luts, 20u);
}

TEST(MemoryPlacement, AutoPutsDeepMemoriesInBlockRam) {
    // 65 words is past the LUTRAM depth: 65 x 20 bit fits one 1K x 18 ... no, 20 > 18 bits: a
    // 512 x 36 BRAM18 holds it.
    const MemoryPlacement m = place(65, 20, MemoryKind::Weights);
    EXPECT_EQ(m.impl, MemoryImpl::Block);
    EXPECT_EQ(m.bram.bram18, 1u);
    // 576 x 256 bit: 1K x 18 needs 1 x 15 (256 / 18 = 14.2), 512 x 36 needs 2 x 8 = 16: 15.
    EXPECT_EQ(place(576, 256, MemoryKind::Weights).bram.bram18, 15u);
    EXPECT_EQ(place(576, 256, MemoryKind::LineBuffers).impl, MemoryImpl::Block);
}

TEST(MemoryPlacement, ShallowFifosAreShiftRegisters) {
    // 200 words of 16 bits: ceil(200 / 32) = 7 SRLC32E per bit: 112 LUTs.
    const MemoryPlacement srl = place(200, 16, MemoryKind::Fifos);
    EXPECT_EQ(srl.impl, MemoryImpl::Srl);
    EXPECT_EQ(srl.luts, 112u);
    // 256 is the last SRL depth (FINN's max_qsrl_depth); 300 x 16 is one 1K x 18 BRAM18.
    EXPECT_EQ(place(256, 16, MemoryKind::Fifos).impl, MemoryImpl::Srl);
    const MemoryPlacement deep = place(300, 16, MemoryKind::Fifos);
    EXPECT_EQ(deep.impl, MemoryImpl::Block);
    EXPECT_EQ(deep.bram.bram18, 1u);
}

TEST(MemoryPlacement, GivenStylesOverrideTheRule) {
    // ultra: URAM288 blocks of 4096 x 72: 4096 x 72 is one, 8192 x 100 is 2 deep x 2 wide.
    EXPECT_EQ(place(4096, 72, MemoryKind::Weights, MemoryStyle::Ultra).uram, 1u);
    EXPECT_EQ(place(8192, 100, MemoryKind::Weights, MemoryStyle::Ultra).uram, 4u);
    EXPECT_EQ(place(4097, 72, MemoryKind::Weights, MemoryStyle::Ultra).uram, 2u);
    // block: a threshold memory of 8 words takes a BRAM18 again.
    const MemoryPlacement b = place(8, 20, MemoryKind::Thresholds, MemoryStyle::Block);
    EXPECT_EQ(b.impl, MemoryImpl::Block);
    EXPECT_EQ(b.bram.bram18, 1u);
    // distributed, deep: 1000 words of 8 bits, ceil(1000 / 64) = 16 LUTs a bit: 128 LUTs.
    const MemoryPlacement d = place(1000, 8, MemoryKind::LineBuffers, MemoryStyle::Distributed);
    EXPECT_EQ(d.impl, MemoryImpl::Distributed);
    EXPECT_EQ(d.luts, 128u);
    // A single word is registers whatever the style.
    const MemoryPlacement r = place(1, 75, MemoryKind::Weights, MemoryStyle::Ultra);
    EXPECT_EQ(r.impl, MemoryImpl::Registers);
    EXPECT_EQ(r.register_bits, 75u);
}

TEST(MemoryPlacement, ItemsCountLutramInsideTheLuts) {
    const ResourceItem it = memory_item("fc1", "mvtu", "threshold memory", 30, 16, 18, {MemoryKind::Thresholds});
    // 30 copies x ceil(18 / 2) = 270 LUTs, all of them LUTRAM.
    EXPECT_EQ(it.use.lut, 270u);
    EXPECT_EQ(it.use.lutram, 270u);
    EXPECT_EQ(it.use.bram18, 0u);
    ASSERT_TRUE(it.memory.has_value());
    EXPECT_EQ(it.memory->kind, "thresholds");
    EXPECT_EQ(it.memory->style, "distributed");
    EXPECT_EQ(it.memory->requested, "auto");
    EXPECT_EQ(it.memory->lut_each, 9u);
    const ResourceItem u = memory_item("fc1", "mvtu", "weight memory", 2, 8192, 100,
                                       {MemoryKind::Weights, MemoryStyle::Ultra});
    EXPECT_EQ(u.use.uram, 8u);
    EXPECT_EQ(u.memory->style, "ultra");
}

// ------------------------------------------------------------------------------------------
// Configurations.

const std::string kMlpFile = kConfigDir + "/mlp_w4a4_zu3.yaml";

std::string read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// The style of the memory parts named `part` of `layer` (all copies agree).
std::string style_of(const ResourceReport& rep, const std::string& layer, const std::string& part) {
    for (const auto& it : rep.items)
        if (it.layer == layer && it.part == part && it.memory) return it.memory->style;
    return "none";
}

TEST(RamStyle, FourBitMlpFitsTheZu3WithThresholdsInLutram) {
    const NetworkConfig net = load_network_config(kMlpFile);
    const ResourceReport rep = estimate_resources(net);
    EXPECT_TRUE(rep.device.fits) << rep.device.exceeded.front();
    EXPECT_EQ(style_of(rep, "fc2", "threshold memory"), "distributed");
    EXPECT_EQ(style_of(rep, "fc2", "weight memory"), "block");
    // 3 layers x 16 PEs x 15 thresholds = 720 memories of 16 words: 720 x ceil(A / 2) LUTs.
    uint64_t lutram = 0;
    for (const auto& it : rep.items)
        if (it.part == "threshold memory") lutram += it.use.lutram;
    EXPECT_EQ(lutram % 720, 0u);
    EXPECT_GT(lutram, 0u);
    // In block RAM, as before, they take a BRAM18 each and the design does not fit.
    design::NetworkSpec spec = design::parse_yaml_spec(read(kMlpFile), kMlpFile, {}, kConfigDir);
    ASSERT_FALSE(design::apply_override(spec, "resources.ram_style", "block", design::Origin{}).has_value());
    const ResourceReport all_block = estimate_resources(design::derive_or_throw(spec));
    EXPECT_FALSE(all_block.device.fits);
    uint64_t threshold_bram = 0;
    for (const auto& it : all_block.items)
        if (it.part == "threshold memory") threshold_bram += it.use.bram18;
    EXPECT_EQ(threshold_bram, 720u);
    EXPECT_GT(all_block.total.bram18, 432u * 19 / 10);  // over 190% of the ZU3's 432
}

TEST(RamStyle, OverridesMoveAMemoryBetweenKinds) {
    design::NetworkSpec spec = design::parse_yaml_spec(read(kMlpFile), kMlpFile, {}, kConfigDir);
    // One kind of one layer, every kind of another, and the network default.
    ASSERT_FALSE(design::apply_override(spec, "fc1.ram_style.thresholds", "block", design::Origin{}).has_value());
    ASSERT_FALSE(design::apply_override(spec, "fc2.ram_style", "distributed", design::Origin{}).has_value());
    ASSERT_FALSE(design::apply_override(spec, "resources.ram_style.weights", "ultra", design::Origin{}).has_value());
    const ResourceReport rep = estimate_resources(design::derive_or_throw(spec));
    EXPECT_EQ(style_of(rep, "fc1", "threshold memory"), "block");
    EXPECT_EQ(style_of(rep, "fc3", "threshold memory"), "distributed");  // auto
    EXPECT_EQ(style_of(rep, "fc2", "weight memory"), "distributed");     // the layer's own
    EXPECT_EQ(style_of(rep, "fc1", "weight memory"), "ultra");           // the network's
    // The ZU3 has no UltraRAM: the report says so.
    EXPECT_FALSE(rep.device.fits);
    bool named = false;
    for (const auto& e : rep.device.exceeded) named = named || e.find("ZU3 has no UltraRAM") != std::string::npos;
    EXPECT_TRUE(named);
    EXPECT_THROW(design::apply_override(spec, "fc1.ram_style.biases", "block", design::Origin{}), std::invalid_argument);
}

TEST(RamStyle, ScalarAndMappingFormsInTheFile) {
    std::string text = read(kMlpFile);
    const std::string fc2 = "  - name: fc2\n    type: fc\n";
    ASSERT_NE(text.find(fc2), std::string::npos);
    text.replace(text.find(fc2), fc2.size(), fc2 + "    ram_style: block\n");
    text.replace(text.find("run: {"), 0, "resources: { ram_style: { thresholds: distributed, weights: ultra } }\n");
    const ResourceReport rep = estimate_resources(parse_network_config(text, "s.yaml", {}, kConfigDir));
    EXPECT_EQ(style_of(rep, "fc2", "threshold memory"), "block");
    EXPECT_EQ(style_of(rep, "fc2", "weight memory"), "block");
    EXPECT_EQ(style_of(rep, "fc1", "weight memory"), "ultra");
    EXPECT_EQ(style_of(rep, "fc1", "threshold memory"), "distributed");
    // The effective configuration keeps what was set, and loads again to the same design.
    const nlohmann::json eff = testing_support::effective_json(text, "s.yaml", kConfigDir);
    EXPECT_EQ(eff["layers"][1]["ram_style"]["weights"], "block");
    EXPECT_EQ(eff["resources"]["ram_style"]["weights"], "ultra");
    EXPECT_FALSE(eff["layers"][0].contains("ram_style"));
}

TEST(RamStyle, BadValuesNameTheFieldAndTheChoices) {
    const std::string net = "name: t\ndevice: {name: generic, clock_mhz: 100}\ninput: {height: 4, width: 4, channels: 2}\n";
    const std::string fc = "layers:\n  - name: f\n    type: fc\n    filters: 4\n    weights: {quant: binary}\n"
                           "    activation: {type: thresholds}\n";
    expect_error(net + fc + "    ram_style: bram\n", "10:16", "layers[0].ram_style",
                 {"unknown memory style 'bram'", "auto, block, distributed, ultra"});
    expect_error(net + fc + "    ram_style: {thresholds: lut}\n", "10:29", "layers[0].ram_style.thresholds",
                 {"unknown memory style 'lut'"});
    expect_error(net + fc + "    ram_style: {biases: block}\n", "10:17", "layers[0].ram_style.biases",
                 {"unknown field 'biases'", "weights, thresholds, fifos, line_buffers, ofm_buffers"});
    expect_error("resources: {ram_style: [block]}\n" + net + fc, "1:24", "resources.ram_style", {"mapping"});
}

// ------------------------------------------------------------------------------------------
// Multipliers and devices.

TEST(Multipliers, AutoBuildsNarrowProductsInLuts) {
    const std::string head = "name: t\ndevice: {name: ZU3, clock_mhz: 100}\ninput: {height: 4, width: 4, channels: 8}\n"
                             "layers:\n  - name: f\n    type: fc\n    filters: 8\n    activation: {type: none}\n";
    auto multipliers = [&](int wbits, const std::string& extra) {
        const std::string w = "    weights: {quant: uniform, bits: " + std::to_string(wbits) + "}\n";
        return parse_network_config(head + w + extra, "m.yaml", {}, kConfigDir).layers[0].multipliers;
    };
    // 8-bit inputs: 2- and 3-bit weights go to LUTs, 4 bits and up to DSP slices (FINN: both >= 4).
    EXPECT_EQ(multipliers(2, ""), Multipliers::Lut);
    EXPECT_EQ(multipliers(3, ""), Multipliers::Lut);
    EXPECT_EQ(multipliers(4, ""), Multipliers::Dsp);
    EXPECT_EQ(multipliers(8, ""), Multipliers::Dsp);
    // Given settings stay.
    EXPECT_EQ(multipliers(2, "    multipliers: dsp\n"), Multipliers::Dsp);
    EXPECT_EQ(multipliers(8, "    multipliers: lut\n"), Multipliers::Lut);
    // Narrow inputs: 2-bit activations of the layer before put 8-bit weights in LUTs too.
    const NetworkConfig two = parse_network_config(
        "name: t\ndevice: {name: ZU3, clock_mhz: 100}\ninput: {height: 4, width: 4, channels: 8, bits: 2}\n"
        "layers:\n  - name: f\n    type: fc\n    filters: 8\n    activation: {type: none}\n"
        "    weights: {quant: uniform, bits: 8}\n",
        "m.yaml", {}, kConfigDir);
    EXPECT_EQ(two.layers[0].multipliers, Multipliers::Lut);
    EXPECT_TRUE(two.layers[0].multipliers_auto);
}

TEST(DeviceUse, ChecksLutramAndUltraRam) {
    // name, clock, family, lut, ff, bram18, dsp, lutram, uram (the ZU3 of configs/devices.yaml).
    DeviceConfig zu3{"ZU3", 200.0, "Zynq UltraScale+", 70560, 141120, 432, 360, 28800, 0, ""};
    Resources r{30000, 1000, 10, 0};
    r.lutram = 28801;
    r.uram = 1;
    const DeviceUse d = device_use(r, zu3);
    EXPECT_FALSE(d.fits);
    ASSERT_EQ(d.exceeded.size(), 2u);
    EXPECT_EQ(d.exceeded[0], "LUTRAM: 28,801 used of 28,800 (100%)");
    EXPECT_EQ(d.exceeded[1], "URAM: 1 used; the ZU3 has no UltraRAM (UltraScale+ parts only)");
    // A library without the SLICEM count: LUTRAM is not checked.
    zu3.lutram = 0;
    r.uram = 0;
    EXPECT_TRUE(device_use(r, zu3).fits);
    DeviceConfig vu3p = zu3;
    vu3p.uram = 320;
    r.uram = 320;
    const DeviceUse v = device_use(r, vu3p);
    EXPECT_TRUE(v.fits);
    EXPECT_DOUBLE_EQ(v.uram_pct, 100.0);
}

TEST(DeviceLibrary, LutramAndUramOfTheShippedDevices) {
    const design::NetworkSpec spec = design::parse_yaml_spec(read(kMlpFile), kMlpFile, {}, kConfigDir);
    ASSERT_FALSE(spec.device_library.devices.empty());
    for (const auto& e : spec.device_library.devices) {
        EXPECT_TRUE(e.lutram.given) << e.name;
        EXPECT_GT(e.lutram.value, 0) << e.name;
        EXPECT_LT(e.lutram.value, e.lut.value) << e.name;  // a share of the LUTs
        const bool plus = e.family.value.find("UltraScale+") != std::string::npos;
        if (!plus) EXPECT_FALSE(e.uram.given) << e.name << ": UltraRAM is UltraScale+ only";
    }
}

TEST(DeviceLibrary, LutramAboveTheLutsIsRefused) {
    const std::string lib = "devices:\n  X:\n    family: Zynq UltraScale+\n    lut: 100\n    ff: 200\n"
                            "    bram18: 4\n    dsp: 2\n    lutram: 101\n";
    const std::string dir = ::testing::TempDir() + "/qsim_memstyle_lib";
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/devices.yaml") << lib;
    try {
        parse_network_config("name: t\ndevice: {name: X, clock_mhz: 100}\ninput: {height: 4, width: 4, channels: 2}\n"
                             "layers:\n  - name: f\n    type: fc\n    filters: 4\n    weights: {quant: binary}\n"
                             "    activation: {type: thresholds}\n",
                             "t.yaml", {}, dir);
        ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("devices.yaml:8:13: devices.X.lutram: must be at most lut = 100"), std::string::npos)
            << what;
    }
    std::filesystem::remove_all(dir);
}

// `sim fold` targets every device of the library: the fastest folding of the 4-bit MLP fits each.
TEST(AutoFold, FoldsForEveryDeviceOfTheLibrary) {
    const std::string text = read(kMlpFile);
    const std::string zu3 = "device: { name: ZU3, clock_mhz: 200 }";
    ASSERT_NE(text.find(zu3), std::string::npos);
    const design::NetworkSpec lib = design::parse_yaml_spec(text, kMlpFile, {}, kConfigDir);
    ASSERT_GE(lib.device_library.devices.size(), 12u);
    for (const auto& d : lib.device_library.devices) {
        std::string t = text;
        t.replace(t.find(zu3), zu3.size(), "device: { name: " + d.name + ", clock_mhz: 200 }");
        const design::NetworkSpec spec = design::parse_yaml_spec(t, d.name + ".yaml", {}, kConfigDir);
        const sweep::FoldResult r = sweep::auto_fold(spec, sweep::FoldRequest{});
        EXPECT_TRUE(r.fits) << d.name;
        EXPECT_NE(r.notes.back().find("whose folding fits " + d.name), std::string::npos) << r.notes.back();
    }
}

}  // namespace memory_style_test
}  // namespace qsim
