// Core tests of the design-space sweeps (testbenches/sweep): axes and points, applying a point
// to a configuration, the analytical tier, resuming, sharding and merging, the Pareto front,
// automatic folding and the SLURM scripts. No SystemC kernel (the simulation tier is tested in
// the system tests).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/accelerator/dataflow_timing.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/design/derive.hpp"
#include "sim/design/yaml_front_end.hpp"
#include "models/resources/resource_model.hpp"
#include "models/common/version.hpp"
#include "sim/sweep/auto_fold.hpp"
#include "sim/sweep/design_space.hpp"
#include "sim/sweep/slurm_scripts.hpp"
#include "sim/sweep/sweep_report.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace qsim::sweep {
namespace sweep_test {

namespace fs = std::filesystem;

const std::string kAlexNet = std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pruned40.yaml";

std::string read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

class TempDir {
public:
    TempDir() : path_(fs::temp_directory_path() / ("qsim_sweep_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()))) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

DesignSpace alexnet_space() {
    DesignSpace s;
    s.config = kAlexNet;
    s.axes = {parse_axis("conv2.pe=7,11,77"), parse_axis("conv4.reuse=1,2"), parse_axis("conv5.mmv=1,2,7,14"),
              parse_axis("clock_mhz=150,185")};
    return s;
}

TEST(SweepAxes, ValuesRangesAndErrors) {
    EXPECT_EQ(parse_axis("conv2.pe=11,22,77").values, (std::vector<std::string>{"11", "22", "77"}));
    EXPECT_EQ(parse_axis("conv4.reuse=1..8*2").values, (std::vector<std::string>{"1", "2", "4", "8"}));
    EXPECT_EQ(parse_axis("conv4.simd=3..6").values, (std::vector<std::string>{"3", "4", "5", "6"}));
    const Axis p = parse_axis("param.wbits=1,2");
    EXPECT_TRUE(p.is_param);
    EXPECT_EQ(p.param, "wbits");
    EXPECT_THROW(parse_axis("conv2.pe"), std::invalid_argument);
    // Names are checked against the configuration: fields, layers, params, each axis once.
    const design::NetworkSpec spec = design::read_yaml_spec(kAlexNet);
    EXPECT_NO_THROW(check_axes(spec, {parse_axis("*.reuse=1,2"), parse_axis("conv2.fifo_depth=2,4"),
                                      parse_axis("conv1.folding.simd=1,3"), parse_axis("input.fifo_depth=2,8")}));
    for (const char* bad : {"conv2.speed=1", "conv9.pe=1", "param.wbits=1", "devise.clock_mhz=1", "*.nothing=1"})
        EXPECT_THROW(check_axes(spec, {parse_axis(bad)}), std::invalid_argument) << bad;
    EXPECT_THROW(check_axes(spec, {parse_axis("conv2.pe=7"), parse_axis("conv2.pe=11")}), std::invalid_argument);
    EXPECT_THROW(parse_axis("conv2.pe=8..4"), std::invalid_argument);
    EXPECT_THROW(parse_axis("conv2.pe=1,,2"), std::invalid_argument);
    try {
        parse_axis("conv2.pe=a..4");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("expected an integer, got 'a'"), std::string::npos) << e.what();
    }
}

// Ranges at the ends of the integers neither overflow nor expand without bound; values that
// would break `--point NAME=V;NAME=V` or JSON are refused; the axes together hold at most
// kMaxAxisValues values.
TEST(SweepAxes, LimitsAndValuesThatCannotBePassedOn) {
    EXPECT_EQ(parse_axis("a.pe=1..9223372036854775807*2").values.size(), 63u);  // 2^0 .. 2^62
    EXPECT_EQ(parse_axis("a.pe=9223372036854775806..9223372036854775807").values.back(), "9223372036854775807");
    EXPECT_THROW(parse_axis("a.pe=-9223372036854775807..9223372036854775807"), std::invalid_argument);
    EXPECT_EQ(parse_axis("a.pe=1..1000000").values.size(), kMaxAxisValues);
    EXPECT_THROW(parse_axis("a.pe=0..1000000"), std::invalid_argument);
    for (const char* bad : {"a.pe=7;b.pe=1", "a.pe=x=1", "a.pe=\x01", "a.pe=\xc3\xa9", "a;b.pe=1", "a b.pe=1", "=1"})
        EXPECT_THROW(parse_axis(bad), std::invalid_argument) << bad;
    EXPECT_THROW(parse_axis("a.pe=" + std::string(257, '7')), std::invalid_argument);
    DesignSpace space;
    add_axis(space, parse_axis("a.pe=1..600000"));
    try {
        add_axis(space, parse_axis("b.pe=1..400001"));
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("more than 1,000,000 values in all"), std::string::npos) << e.what();
    }
    EXPECT_EQ(space.axes.size(), 1u);
}

TEST(SweepPoints, GridOrderRandomSampleAndEncoding) {
    DesignSpace s = alexnet_space();
    EXPECT_EQ(s.point_count(), 3u * 2 * 4 * 2);
    // The last axis runs fastest.
    EXPECT_EQ(s.point(0), (std::vector<uint32_t>{0, 0, 0, 0}));
    EXPECT_EQ(s.point(1), (std::vector<uint32_t>{0, 0, 0, 1}));
    EXPECT_EQ(s.point(2), (std::vector<uint32_t>{0, 0, 1, 0}));
    EXPECT_EQ(s.point(47), (std::vector<uint32_t>{2, 1, 3, 1}));
    EXPECT_EQ(s.encode(s.point(47)), "conv2.pe=77;conv4.reuse=2;conv5.mmv=14;clock_mhz=185");
    const std::vector<Axis> back = parse_point(s.encode(s.point(47)));
    ASSERT_EQ(back.size(), 4u);
    EXPECT_EQ(back[0].name, "conv2.pe");
    EXPECT_EQ(back[3].values, (std::vector<std::string>{"185"}));
    // A random sample: the same seed gives the same points, another seed others.
    const std::string grid_digest = s.digest();
    s.sample = {SampleSpec::Mode::Random, 100, 7};
    std::vector<std::vector<uint32_t>> a;
    for (uint64_t i = 0; i < 100; ++i) a.push_back(s.point(i));
    for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(s.point(i), a[i]);
    std::set<std::vector<uint32_t>> distinct(a.begin(), a.end());
    EXPECT_GT(distinct.size(), 20u);
    const std::string d7 = s.digest();
    s.sample.seed = 8;
    bool differs = false;
    for (uint64_t i = 0; i < 100; ++i) differs |= s.point(i) != a[i];
    EXPECT_TRUE(differs);
    EXPECT_NE(s.digest(), d7);
    EXPECT_NE(d7, grid_digest);
}

TEST(SweepApply, DerivesPrunedChannelsAndReportsInvalidPoints) {
    const design::NetworkSpec base = design::read_yaml_spec(kAlexNet);
    DesignSpace s;
    s.config = kAlexNet;
    s.axes = {parse_axis("conv2.pe=7")};
    design::NetworkSpec spec = base;
    design::Derived d = derive_point(spec, assignments(s, s.point(0)), "sweep axis");
    ASSERT_TRUE(d.ok());
    // conv2 keeps 40% of 256 filters in 2 groups: 76.8 per group rounded up to a multiple of 7.
    EXPECT_EQ(d.design.find_layer("conv2")->out.channels, 2 * 77);
    EXPECT_EQ(d.design.find_layer("pool2")->in.channels, 154);
    // PE 10 rounds conv2 up to 160 channels, and conv3's SIMD 22 no longer divides them: the
    // point is invalid, with the loader's message at conv3's folding.simd in the file.
    s.axes = {parse_axis("conv2.pe=10")};
    spec = base;
    d = derive_point(spec, assignments(s, s.point(0)), "sweep axis");
    ASSERT_EQ(d.violations.size(), 1u);
    EXPECT_EQ(d.violations[0].field, "layers[3].folding.simd");
    const std::string why = spec.error(d.violations[0]).what();
    EXPECT_NE(why.find(kAlexNet + ":"), std::string::npos) << why;
    EXPECT_NE(why.find(": layers[3].folding.simd: must divide in_channels/groups = 160 (got 22)"), std::string::npos) << why;
    // A rule broken by the overridden value itself names the override as where it came from.
    s.axes = {parse_axis("conv4.reuse=3")};
    spec = base;
    d = derive_point(spec, assignments(s, s.point(0)), "sweep axis");
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(std::string(spec.error(d.violations[0]).what()),
              kAlexNet + ": sweep axis conv4.reuse=3: layers[5].reuse: reuse 3 must divide folding.pe = 2 (the PE "
                         "array of pe / reuse PEs is time-shared 3 ways)");
    s.axes = {parse_axis("conv9.pe=1")};
    spec = base;
    EXPECT_THROW(derive_point(spec, assignments(s, s.point(0)), "sweep axis"), std::invalid_argument);
}

TEST(SweepApply, AnalyticalTierUsesTheModelsOfTheSimulation) {
    // A point's analytical result equals the models applied to the same configuration edited by hand.
    const NetworkConfig base = load_network_config(kAlexNet);
    DesignSpace s;
    s.config = kAlexNet;
    s.axes = {parse_axis("conv4.pe=4"), parse_axis("conv4.mmv=14"), parse_axis("clock_mhz=150")};
    const PointResult r = evaluate_point(s, design::read_yaml_spec(kAlexNet), 0);
    ASSERT_TRUE(r.valid) << r.reason;
    NetworkConfig by_hand = base;
    by_hand.device.clock_mhz = 150;
    LayerConfig& c4 = by_hand.layers[size_t(by_hand.find_layer("conv4") - &by_hand.layers[0])];
    c4.folding.pe = 4;
    c4.folding.mmv = 14;
    const DataflowEstimate est = estimate_dataflow(by_hand);
    EXPECT_EQ(r.interval_cycles, est.interval_cycles);
    EXPECT_DOUBLE_EQ(r.frames_per_second, est.frames_per_second(150e6));
    const ResourceReport rep = estimate_resources(by_hand);
    EXPECT_EQ(r.resources.lut, rep.total.lut);
    EXPECT_EQ(r.resources.bram18, rep.total.bram18);
    EXPECT_TRUE(r.fits);
    EXPECT_EQ(r.bottleneck, "source");
}

TEST(SweepRun, ShardedAndMergedEqualsUnsharded) {
    TempDir t;
    const DesignSpace s = alexnet_space();
    RunOptions o;
    o.out_dir = t / "all";
    const RunSummary all = run_sweep(s, o);
    EXPECT_EQ(all.points, 48u);
    std::vector<std::string> shards;
    for (uint32_t i = 0; i < 3; ++i) {
        RunOptions so = o;
        so.out_dir = t / ("shard_" + std::to_string(i));
        so.shard_index = i;
        so.shard_count = 3;
        EXPECT_EQ(run_sweep(s, so).points, 16u);
        shards.push_back(so.out_dir);
    }
    merge_shards(shards, t / "merged", false);
    for (const char* f : {"results.csv", "results.json", "pareto.csv"})
        EXPECT_EQ(read(t / ("merged/" + std::string(f))), read(t / ("all/" + std::string(f)))) << f;
    // A shard missing, or a shard of another sweep, is an error.
    EXPECT_THROW(merge_shards({shards[0], shards[1]}, t / "bad", false), std::runtime_error);
    DesignSpace other = s;
    other.axes[0] = parse_axis("conv2.pe=7,11");
    RunOptions oo = o;
    oo.out_dir = t / "other";
    oo.shard_count = 3;
    run_sweep(other, oo);
    EXPECT_THROW(merge_shards({oo.out_dir, shards[1], shards[2]}, t / "bad2", false), std::runtime_error);
}

TEST(SweepRun, ResumesWithoutRedoingFinishedPoints) {
    TempDir t;
    const DesignSpace s = alexnet_space();
    RunOptions o;
    o.out_dir = t / "full";
    run_sweep(s, o);
    const std::string expected = read(t / "full/results.csv");
    // An interrupted run: the checkpoint holds 20 points and a half-written line.
    o.out_dir = t / "part";
    run_sweep(s, o);
    std::ifstream in(t / "part/points.jsonl");
    std::string line, kept;
    for (int i = 0; i < 20 && std::getline(in, line); ++i) kept += line + "\n";
    in.close();
    std::ofstream(t / "part/points.jsonl") << kept << "{\"index\": 20, \"poi";
    const RunSummary resumed = run_sweep(s, o);
    EXPECT_EQ(resumed.evaluated, 28u);
    EXPECT_EQ(read(t / "part/results.csv"), expected);
    // The same directory for a different sweep is refused.
    DesignSpace other = s;
    other.axes.pop_back();
    EXPECT_THROW(run_sweep(other, o), std::runtime_error);
}

TEST(SweepRun, ResultsNameInvalidPointsAndTheParetoFront) {
    TempDir t;
    DesignSpace s;
    s.config = kAlexNet;
    s.axes = {parse_axis("conv4.reuse=1,2,3"), parse_axis("conv2.pe=11,77")};
    RunOptions o;
    o.out_dir = t / "r";
    const RunSummary sum = run_sweep(s, o);
    EXPECT_EQ(sum.points, 6u);
    EXPECT_EQ(sum.valid, 4u);
    const std::string csv = read(t / "r/results.csv");
    EXPECT_NE(csv.find(": sweep axis conv4.reuse=3: layers[5].reuse: reuse 3 must divide folding.pe = 2"),
              std::string::npos)
        << csv;
    // The first line names the tool, its version and the columns' schema; the header follows.
    const std::string banner = std::string("# sim ") + qsim::version() + ", sweep results schema 2 (docs/sweeps.md)\n";
    EXPECT_EQ(csv.rfind(banner + "index,conv4.reuse,conv2.pe,valid,reason", 0), 0u) << csv.substr(0, 200);
    EXPECT_EQ(read(t / "r/pareto.csv").rfind(std::string("# sim ") + qsim::version() + ", sweep pareto schema 2", 0), 0u);
    EXPECT_NE(read(t / "r/pareto.csv").find("lut,"), std::string::npos);
}

TEST(Pareto, KeepsOnlyPointsNoOtherBeats) {
    std::vector<PointResult> rows(5);
    const double fps[] = {100, 200, 150, 300, 50};
    const uint64_t lut[] = {10, 20, 30, 40, 5};
    for (size_t i = 0; i < rows.size(); ++i) {
        rows[i].index = i;
        rows[i].tier = "analytical";
        rows[i].frames_per_second = fps[i];
        rows[i].resources.lut = lut[i];
    }
    rows[2].valid = false;  // would be dominated anyway
    const std::vector<size_t> front = pareto_front(rows, "lut");
    EXPECT_EQ(front, (std::vector<size_t>{4, 0, 1, 3}));
}

TEST(AutoFold, RediscoversTheBalancedAlexNetPruned40) {
    // Table 4.3: 3,797 FPS at 185 MHz; the input stream allows 3,687 (one pixel per clock).
    const NetworkConfig base = load_network_config(kAlexNet);
    const design::NetworkSpec spec = design::read_yaml_spec(kAlexNet);
    FoldRequest req;
    req.target_fps = 3797;
    const FoldResult r = auto_fold(spec, req);
    EXPECT_EQ(r.target_cycles, 224u * 224);
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes[0].find("the input stream needs 50,176 cycles per frame"), std::string::npos) << r.notes[0];
    EXPECT_LE(std::fabs(r.frames_per_second - 3797) / 3797, 0.05) << r.frames_per_second;
    EXPECT_FALSE(r.target_reached) << "3,687 frames/s is not the 3,797 asked for";
    EXPECT_TRUE(r.fits);
    for (const auto& l : r.net.layers) EXPECT_LE(layer_cycles_per_frame(l), r.target_cycles) << l.name;
    // With conv1 kept as the thesis fixes it (SIMD 3, PE 60, MMV 18), the balancing rule finds
    // the shipped foldings of conv2-conv5.
    req.keep = {"conv1"};
    const FoldResult kept = auto_fold(spec, req);
    EXPECT_TRUE(kept.fits);
    EXPECT_EQ(kept.interval_cycles, 224u * 224);
    for (const char* name : {"conv1", "conv2", "conv3", "conv4", "conv5"}) {
        const LayerConfig& got = *kept.net.find_layer(name);
        const LayerConfig& shipped = *base.find_layer(name);
        EXPECT_EQ(got.folding.pe, shipped.folding.pe) << name;
        EXPECT_EQ(got.folding.simd, shipped.folding.simd) << name;
        EXPECT_EQ(got.folding.mmv, shipped.folding.mmv) << name;
        EXPECT_EQ(got.out.channels, shipped.out.channels) << name;
    }
    // The printed configuration loads, from another directory too (its device library is
    // referred to from there), and describes the same design.
    TempDir t;
    fs::create_directories(t / "elsewhere");
    std::ofstream(t / "elsewhere/folded.yaml") << folded_yaml(kAlexNet, r, "# test\n", t / "elsewhere");
    const NetworkConfig again = load_network_config(t / "elsewhere/folded.yaml");
    EXPECT_EQ(estimate_dataflow(again).interval_cycles, r.interval_cycles);
    EXPECT_EQ(estimate_resources(again).total.lut, r.resources.lut);
}

TEST(AutoFold, FastestFoldingThatFitsASmallerDevice) {
    // AlexNet pruned-40 does not fit a ZU3 at the KU115's frame rate; folded for the device it
    // runs slower and fits, and the interval 1% shorter (the scan's previous step) does not.
    std::string text = read(kAlexNet);
    const std::string ku115 = "device: { name: KU115, clock_mhz: 185 }";
    ASSERT_NE(text.find(ku115), std::string::npos);
    text.replace(text.find(ku115), ku115.size(), "device: { name: ZU3, clock_mhz: 185 }");
    const NetworkConfig base = parse_network_config(text, "zu3.yaml", {}, std::string(QSIM_SOURCE_DIR) + "/configs");
    const design::NetworkSpec spec = design::parse_yaml_spec(text, "zu3.yaml", {}, std::string(QSIM_SOURCE_DIR) + "/configs");
    EXPECT_FALSE(estimate_resources(base).device.fits);
    const FoldResult r = auto_fold(spec, FoldRequest{});
    EXPECT_TRUE(r.fits);
    EXPECT_GT(r.interval_cycles, 224u * 224);
    FoldRequest tighter;
    tighter.target_fps = base.clock_hz() / (double(r.target_cycles) / 1.01);
    EXPECT_FALSE(auto_fold(spec, tighter).fits);
    EXPECT_NE(r.notes.back().find("whose folding fits ZU3"), std::string::npos) << r.notes.back();
}

TEST(AutoFold, TimesEachLayerByItsOwnRule) {
    // sparse_tnn_vgg's layers are decompressor-fed: fold balances them by the decompressor's
    // entries per row at the generator's density, the rule the analytical tier prints, so the
    // interval it reports is its design's own.
    const design::NetworkSpec spec = design::read_yaml_spec(std::string(QSIM_SOURCE_DIR) + "/configs/sparse_tnn_vgg.yaml");
    FoldRequest req;
    req.target_fps = 5000;
    const FoldResult r = auto_fold(spec, req);
    EXPECT_EQ(r.interval_cycles, estimate_dataflow(r.net).interval_cycles);
    for (const auto& l : r.net.layers) EXPECT_LE(layer_cycles_per_frame(l), r.target_cycles) << l.name;
    EXPECT_TRUE(r.target_reached);
    bool decompressor = false;
    for (const auto& l : r.net.layers) decompressor |= l.decompressor.enabled;
    EXPECT_TRUE(decompressor);
}

TEST(AutoFold, FoldsAgainWhenTheSimulationIsSlower) {
    // A simulator that finds every design 10% slower than its closed form: fold balances for a
    // shorter interval until the simulated one reaches the target, and says so in a note.
    const design::NetworkSpec spec = design::read_yaml_spec(kAlexNet);
    FoldRequest req;
    req.target_fps = 185e6 / 120000.0;
    int runs = 0;
    const FoldResult r = auto_fold(spec, req, [&](const FoldResult& f) {
        ++runs;
        return uint64_t(double(f.interval_cycles) * 1.10);
    });
    EXPECT_GE(runs, 2);
    EXPECT_TRUE(r.target_reached);
    EXPECT_LE(r.sim_interval_cycles, uint64_t(120000 * 1.01));
    EXPECT_EQ(r.reported_cycles(), r.sim_interval_cycles);
    bool noted = false;
    for (const auto& n : r.notes) noted |= n.find("folded again for") != std::string::npos;
    EXPECT_TRUE(noted);
    // A simulator that is always far slower: fold says it cannot reach the target.
    req.target_fps = 3000;
    const FoldResult slow = auto_fold(spec, req, [](const FoldResult& f) { return f.interval_cycles * 3; });
    EXPECT_FALSE(slow.target_reached);
}

TEST(AutoFold, RefusesWhatTheLoaderRefusesAndTheLoopbackArchitecture) {
    std::string text = read(kAlexNet);
    // A rule other than the folding broken: the loader's own message.
    const std::string conv2 = "  - name: conv2\n";
    ASSERT_NE(text.find(conv2), std::string::npos);
    std::string bad = text;
    bad.insert(bad.find(conv2) + conv2.size(), "    decompressor: { encoding: rle }\n");
    const std::string dir = std::string(QSIM_SOURCE_DIR) + "/configs";
    try {
        parse_network_config(bad, "bad.yaml", {}, dir);
        FAIL();
    } catch (const ConfigError& loader) {
        try {
            auto_fold(design::parse_yaml_spec(bad, "bad.yaml", {}, dir), FoldRequest{});
            FAIL();
        } catch (const ConfigError& fold) {
            EXPECT_EQ(std::string(fold.what()), std::string(loader.what()));
        }
    }
    const std::string pcie = std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pcie.yaml";
    EXPECT_THROW(auto_fold(design::read_yaml_spec(pcie, {{"arch", "loopback"}}), FoldRequest{}), std::runtime_error);
}

TEST(SweepSpec, FileAndSlurmRoundTrip) {
    TempDir t;
    std::ofstream(t / "s.yaml") << "config: " << kAlexNet
                                << "\naxes:\n  conv2.pe: [7, 11]\n  conv4.reuse: \"1..2\"\nsample: { mode: random, points: 5, seed: 3 }\n";
    DesignSpace s;
    read_spec_file(t / "s.yaml", s);
    EXPECT_EQ(s.axes.size(), 2u);
    EXPECT_EQ(s.sample.points, 5u);
    // What spec_text writes reads back to the same points.
    std::ofstream(t / "back.json") << spec_text(s);
    DesignSpace back;
    read_spec_file(t / "back.json", back);
    EXPECT_EQ(back.digest(), s.digest());
    std::ofstream(t / "bad.yaml") << "config: x.yaml\naxes:\n  conv2.pe: [7]\nsampel: {}\n";
    // The SLURM array's shards each get their own directory: the task id must expand.
    RunOptions o;
    o.out_dir = t / "cluster";
    write_slurm_scripts(s, o, 4);
    const std::string array = read(t / "cluster/slurm/array.sbatch");
    const std::string submit = read(t / "cluster/slurm/submit.sh");
    EXPECT_NE(submit.find("--array=0-3"), std::string::npos) << submit;
    EXPECT_NE(array.find("--shard \"${SLURM_ARRAY_TASK_ID}/4\" --out '" + (t / "cluster") + "/shard_'\"${SLURM_ARRAY_TASK_ID}\""),
              std::string::npos)
        << array;
    EXPECT_NE(submit.find("--dependency=afterok:\"${jid}\""), std::string::npos) << submit;
    EXPECT_NE(read(t / "cluster/slurm/merge.sbatch").find("/shard_3'"), std::string::npos);
    EXPECT_EQ(array.find("#SBATCH --output"), std::string::npos) << "paths stay out of #SBATCH lines";
    try {
        read_spec_file(t / "bad.yaml", s);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("bad.yaml:4:1: sampel: unknown field"), std::string::npos) << e.what();
    }
}

// A spec is refused at the line of what is wrong: a key given twice (YAML would keep one), a
// misspelt sample field, a value that is not UTF-8, a second document; a directory or a device
// is not read.
TEST(SweepSpec, RefusesDuplicatesUnknownSampleFieldsAndNonFiles) {
    TempDir t;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"axes:\n  conv2.pe: [7]\n  conv2.pe: [11]\n", ":3:3: axes.conv2.pe: given twice"},
        {"set: {wbits: 1, wbits: 2}\naxes:\n  conv2.pe: [7]\n", ":1:17: set.wbits: given twice"},
        {"axes: {conv2.pe: [7]}\naxes: {conv2.pe: [8]}\n", ":2:1: axes: given twice"},
        {"axes: {conv2.pe: [7]}\nsample: {mode: random, pionts: 5}\n", ":2:24: sample.pionts: unknown field"},
        {"config: a\xff.yaml\naxes: {conv2.pe: [7]}\n", ":1:9: config: the value is not UTF-8 text"},
        {"axes: {conv2.pe: [7]}\n---\naxes: {conv2.pe: [8]}\n", ":3:1: yaml: expected a single YAML document, found 2"},
    };
    for (const auto& [text, want] : cases) {
        std::ofstream(t / "s.yaml") << text;
        DesignSpace s;
        try {
            read_spec_file(t / "s.yaml", s);
            ADD_FAILURE() << "accepted: " << text;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
        }
    }
    for (const std::string& path : {t / "", std::string("/dev/zero")}) {
        DesignSpace s;
        EXPECT_THROW(read_spec_file(path, s), std::invalid_argument) << path;
    }
}

}  // namespace sweep_test
}  // namespace qsim::sweep
