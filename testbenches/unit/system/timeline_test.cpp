// sim --trace / --vcd and sim timeline: the trace is valid trace-event JSON, its spans add up
// to each block's busy / starved / blocked cycles in the report, the frame window bounds it,
// the VCD carries the same states, and the Gantt picture is drawn from it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "models/common/version.hpp"
#include "testbenches/unit/system/sim_process.hpp"

namespace qsim {
namespace timeline_test {

using testing_support::run_sim;
using testing_support::SimRun;

const std::string kAlexnet = std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pruned40.yaml";
const std::string kPcie = std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pcie.yaml";

std::string slurp(const std::filesystem::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// The checks Chromium's and Perfetto's importers make of a JSON trace: an object with a
// traceEvents array; every event an object with a one-letter phase, numeric pid and tid where
// the phase has them, a numeric non-negative ts for timed phases, dur >= 0 for complete
// events, metadata with args, counters with numeric args, async begin/end paired by id.
void expect_valid_trace_events(const nlohmann::json& t) {
    ASSERT_TRUE(t.is_object());
    ASSERT_TRUE(t.contains("traceEvents") && t["traceEvents"].is_array());
    std::map<long long, int> open;
    for (const auto& e : t["traceEvents"]) {
        ASSERT_TRUE(e.is_object()) << e;
        ASSERT_TRUE(e.contains("ph") && e["ph"].is_string() && e["ph"].get<std::string>().size() == 1) << e;
        const std::string ph = e["ph"];
        ASSERT_TRUE(std::set<std::string>({"X", "C", "i", "M", "b", "e"}).count(ph)) << e;
        ASSERT_TRUE(e.contains("name") && e["name"].is_string()) << e;
        ASSERT_TRUE(e.contains("pid") && e["pid"].is_number_integer()) << e;
        if (ph == "M") {
            ASSERT_TRUE(e.contains("args") && e["args"].is_object()) << e;
            continue;
        }
        ASSERT_TRUE(e.contains("ts") && e["ts"].is_number() && e["ts"].get<double>() >= 0) << e;
        if (ph == "X") {
            ASSERT_TRUE(e.contains("tid") && e["tid"].is_number_integer()) << e;
            ASSERT_TRUE(e.contains("dur") && e["dur"].is_number() && e["dur"].get<double>() >= 0) << e;
        }
        if (ph == "C") {
            ASSERT_TRUE(e.contains("args") && e["args"].is_object() && !e["args"].empty()) << e;
            for (const auto& [k, v] : e["args"].items()) ASSERT_TRUE(v.is_number()) << e;
        }
        if (ph == "i") {
            ASSERT_EQ(e.value("s", ""), "g") << e;
        }
        if (ph == "b") ++open[e.at("id").get<long long>()];
        if (ph == "e") {
            ASSERT_EQ(open[e.at("id").get<long long>()], 1) << "an end without its begin: " << e;
            open.erase(e.at("id").get<long long>());
        }
    }
    EXPECT_TRUE(open.empty()) << open.size() << " async transfers never ended";
}

class Timeline : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("qsim_timeline_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::filesystem::path dir_;
};

TEST_F(Timeline, SpansAddUpToEveryBlocksCyclesOnTheReuseDesign) {
    const SimRun r = run_sim({"--config", kAlexnet, "--point", "conv1.reuse=2", "--frames", "2", "--no-timing",
                              "--trace", path("t.json"), "--report", path("r.json")});
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("timeline       whole run, "), std::string::npos) << r.output;
    const nlohmann::json t = nlohmann::json::parse(slurp(path("t.json")));
    const nlohmann::json report = nlohmann::json::parse(slurp(path("r.json")));
    expect_valid_trace_events(t);
    // Both files say which tool wrote them; the report its schema.
    EXPECT_EQ(report["schema_version"], 1);
    EXPECT_EQ(report["tool"], std::string("sim ") + qsim::version());
    EXPECT_EQ(t["otherData"]["tool"], std::string("sim ") + qsim::version());
    std::map<std::pair<std::string, std::string>, uint64_t> cycles;  // (block, state)
    std::map<std::string, double> last_end;                             // spans of a block never overlap
    std::set<std::string> counters;
    int frame_marks = 0;
    for (const auto& e : t["traceEvents"]) {
        if (e["ph"] == "X") {
            const std::string block = e["args"]["block"];
            cycles[{block, e["name"]}] += e["args"]["cycles"].get<uint64_t>();
            const double ts = e["ts"];
            EXPECT_GE(ts + 1e-6, last_end[block]) << block << " overlaps itself at " << ts;
            last_end[block] = std::max(last_end[block], ts + e["dur"].get<double>());
        }
        if (e["ph"] == "C") counters.insert(e["name"]);
        if (e["ph"] == "i") ++frame_marks;
    }
    ASSERT_FALSE(report["blocks"].empty());
    for (const auto& b : report["blocks"]) {
        for (const char* state : {"busy", "starved", "blocked"}) {
            const std::pair<std::string, std::string> key(b["name"], state);
            EXPECT_EQ(cycles[key], b[std::string(state) + "_cycles"].get<uint64_t>())
                << b["name"] << " " << state;
        }
    }
    // A FIFO between every pair of blocks, the line buffers and the reuse layer's OFM buffer.
    EXPECT_TRUE(counters.count("accel.conv1_ofm_buffer.store")) << counters.size();
    EXPECT_TRUE(counters.count("accel.conv1_swu.line_buffer"));
    EXPECT_TRUE(counters.count("accel.conv1_to_conv2"));
    EXPECT_EQ(frame_marks, 4);  // two frames in, two out
    // The stall the picture shows: conv1's OFM buffer blocks (conv2 takes its burst slowly).
    const std::pair<std::string, std::string> ofm_blocked("accel.conv1_ofm_buffer", "blocked");
    EXPECT_GT(cycles[ofm_blocked], 10000u);

    // The Gantt picture of it.
    const SimRun g = run_sim({"timeline", path("t.json"), "--out", path("t.svg")});
    ASSERT_EQ(g.status, 0) << g.output;
    const std::string svg = slurp(path("t.svg"));
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find(">conv1 ofm_buffer</text>"), std::string::npos);
    EXPECT_NE(svg.find("#e53935"), std::string::npos);  // blocked spans drawn
    EXPECT_NE(svg.find(">frame 1 out</text>"), std::string::npos);
}

TEST_F(Timeline, TheFrameWindowBoundsTheTraceAndTheVcd) {
    const SimRun whole = run_sim({"--config", kAlexnet, "--frames", "4", "--no-timing", "--trace", path("all.json")});
    ASSERT_EQ(whole.status, 0) << whole.output;
    const SimRun part = run_sim({"--config", kAlexnet, "--frames", "4", "--no-timing", "--trace", path("w.json"),
                                 "--trace-frames", "2..2", "--vcd", path("w.vcd")});
    ASSERT_EQ(part.status, 0) << part.output;
    const nlohmann::json all = nlohmann::json::parse(slurp(path("all.json")));
    const nlohmann::json w = nlohmann::json::parse(slurp(path("w.json")));
    expect_valid_trace_events(w);
    EXPECT_EQ(w["otherData"]["window"], "frames 2..2");
    const double start = w["otherData"]["window_start_us"];
    EXPECT_GT(start, 0.0);
    double end = 0.0;
    std::set<std::string> marks;
    for (const auto& e : w["traceEvents"]) {
        if (e["ph"] == "M") continue;
        EXPECT_GE(e["ts"].get<double>() + 1e-6, start) << e;
        if (e["ph"] == "X") end = std::max(end, e["ts"].get<double>() + e["dur"].get<double>());
        if (e["ph"] == "i") marks.insert(e["name"]);
    }
    EXPECT_TRUE(marks.count("frame 2 in") && marks.count("frame 2 out")) << marks.size();
    EXPECT_FALSE(marks.count("frame 0 in"));
    EXPECT_FALSE(marks.count("frame 3 out"));
    double frame2_out = 0.0;
    for (const auto& e : w["traceEvents"])
        if (e["ph"] == "i" && e["name"] == "frame 2 out") frame2_out = e["ts"];
    EXPECT_LE(end, frame2_out + 1e-6);  // cut at the window's end
    EXPECT_LT(w["otherData"]["records"].get<uint64_t>(), all["otherData"]["records"].get<uint64_t>());

    // The VCD: SystemC's format, a state per block and a fill per channel, changes only in the window.
    const std::string vcd = slurp(path("w.vcd"));
    EXPECT_NE(vcd.find("$timescale"), std::string::npos);
    EXPECT_NE(vcd.find("$scope module conv1_mvtu $end"), std::string::npos);
    EXPECT_NE(vcd.find("$scope module conv1_to_conv2 $end"), std::string::npos);
    EXPECT_NE(vcd.find("$scope module host_sink $end"), std::string::npos);
    EXPECT_NE(vcd.find(" state [31:0]"), std::string::npos);
    EXPECT_NE(vcd.find(" fill [31:0]"), std::string::npos);
    EXPECT_NE(vcd.find("\n#"), std::string::npos);  // value changes at some time
    // Nothing but the three files (SystemC's file was written aside and put in place).
    std::set<std::string> files;
    for (const auto& f : std::filesystem::directory_iterator(dir_)) files.insert(f.path().filename().string());
    EXPECT_EQ(files, (std::set<std::string>{"all.json", "w.json", "w.vcd"}));
}

TEST_F(Timeline, TheHostLinkTransfersAreInTheTrace) {
    const SimRun r = run_sim({"--config", kPcie, "--frames", "2", "--no-timing", "--trace", path("t.json")});
    ASSERT_EQ(r.status, 0) << r.output;
    const nlohmann::json t = nlohmann::json::parse(slurp(path("t.json")));
    expect_valid_trace_events(t);
    int to_device = 0, to_host = 0;
    for (const auto& e : t["traceEvents"])
        if (e["ph"] == "b") (e["name"].get<std::string>().rfind("host to device", 0) == 0 ? to_device : to_host)++;
    EXPECT_GT(to_device, 0);
    EXPECT_GT(to_host, 0);
}

TEST_F(Timeline, BadRequestsAreUsageErrors) {
    SimRun r = run_sim({"--config", kAlexnet, "--trace-frames", "1..2"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("--trace-frames needs --trace or --vcd"), std::string::npos) << r.output;
    r = run_sim({"--config", kAlexnet, "--trace", path("t.json"), "--trace-frames", "3..1"});
    EXPECT_EQ(r.status, 2) << r.output;
    r = run_sim({"--config", kAlexnet, "--trace", path("t.json"), "--trace-frames", "x"});
    EXPECT_EQ(r.status, 2) << r.output;
    r = run_sim({"--config", kAlexnet, "--frames", "2", "--trace", path("t.json"), "--trace-frames", "5..6"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("the run has frames 0..1"), std::string::npos) << r.output;
    r = run_sim({"--config", kAlexnet, "--trace", kAlexnet});
    EXPECT_EQ(r.status, 2) << r.output;
    // sim timeline: not a trace, a missing file, a wrong extension.
    std::ofstream(path("x.json")) << "{\"a\": 1}";
    r = run_sim({"timeline", path("x.json"), "--out", path("x.svg")});
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("expected a trace written by sim --trace"), std::string::npos) << r.output;
    r = run_sim({"timeline", path("none.json"), "--out", path("x.svg")});
    EXPECT_EQ(r.status, 1) << r.output;
    r = run_sim({"timeline", path("x.json"), "--out", path("x.gif")});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_FALSE(std::filesystem::exists(path("x.svg")));
}

}  // namespace timeline_test
}  // namespace qsim
