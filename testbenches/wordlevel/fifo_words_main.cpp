// fifo_words: word-level truth for the FIFO sizing of the residual block of
// testbenches/unit/system/fifo_size_test.cpp (docs/fifo_words.md). It runs the Verilated
// streaming skeleton (rtl/skeleton/residual_block.sv) for N frames and reports the steady-state
// interval and whether it deadlocked; --search finds the smallest skip FIFO in words that keeps
// the rate and the smallest that completes, unpaced and paced; --table prints the interval for
// a range of skip depths; --check is the ctest (WordLevel.*): the minima hold, one word less
// does not, and, with --sim, the row model's sized skip FIFO (`sim fifo-size`) x 8 words is set
// against the word-level minimum.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "testbenches/cli/cli.hpp"
#include "testbenches/wordlevel/word_run.hpp"

using namespace qsim;
using namespace qsim::words;

namespace {

constexpr double kClockHz = 200e6;  // the block's clock (residual_block.yaml)
constexpr uint64_t kConvCycles = 9;  // K*K*ceil(C/SIMD): the conv skeleton's CYCLES
constexpr uint64_t kBottleneck = uint64_t(kHeight) * kWidth * kConvCycles;  // 576

uint64_t pace_of(double fps) { return fps > 0 ? uint64_t(std::ceil(kClockHz / fps)) : 0; }

struct Minima {
    double fps = 0;       // 0: unpaced
    uint64_t pace = 0;    // source interval in cycles (0: unpaced)
    uint64_t target = 0;  // cycles a frame to keep
    int live = -1;        // smallest skip depth that completes every frame
    int rate = -1;        // smallest skip depth that keeps the target
};

RunSpec with(RunSpec s, int skip, uint64_t pace) {
    s.depths.skip = skip;
    s.interval = pace;
    return s;
}

// The target: the pace, or unpaced the interval with a skip FIFO as deep as the build allows.
Minima search(const RunSpec& base, double fps) {
    Minima m;
    m.fps = fps;
    m.pace = pace_of(fps);
    if (m.pace) {
        m.target = m.pace;
    } else {
        const RunResult deep = run(with(base, kMaxDepth, 0));
        m.target = deep.span ? (deep.span_cycles + deep.span - 1) / deep.span : 0;
    }
    for (int d = 0; d <= kMaxDepth && m.rate < 0; ++d) {
        const RunResult r = run(with(base, d, m.pace));
        if (m.live < 0 && !r.deadlock && !r.mismatch) m.live = d;
        if (r.keeps(m.target)) m.rate = d;
    }
    return m;
}

std::string pace_text(const Minima& m) {
    if (!m.pace) return "unpaced";
    std::ostringstream o;
    o << "paced " << m.pace << " (" << m.fps << " frames/s)";
    return o.str();
}

// The depths in rows `sim fifo-size` gives every FIFO of the block for `fps` (0: the
// bottleneck's rate), read from the config it writes; a depth it leaves out is the default.
bool sized_rows(const std::string& sim, const std::string& config, const std::string& dir, double fps,
                Depths& rows, std::string& command) {
    const std::string out = dir + "/sized_" + std::to_string(uint64_t(fps)) + ".yaml";
    std::filesystem::remove(out);
    command = sim + " fifo-size --config " + config + " --jobs 2 --out " + out +
              (fps > 0 ? " --target-fps " + std::to_string(uint64_t(fps)) : std::string());
    const std::string quiet = command + " > " + dir + "/fifo_size.log 2>&1";
    if (std::system(quiet.c_str()) != 0 || !std::filesystem::exists(out)) return false;
    const YAML::Node root = YAML::LoadFile(out);
    auto depth = [](const YAML::Node& n, int fallback) { return n && n.as<int>() > 0 ? n.as<int>() : fallback; };
    auto input = [&](const YAML::Node& l, size_t k, int fallback) {
        const YAML::Node d = l["input_fifo_depths"];
        return d && d.size() > k ? depth(d[k], fallback) : fallback;
    };
    rows = Depths{2, 2, 2, 2, 2, 2, 2};
    rows.in = depth(root["input"]["fifo_depth"], 2);
    for (const YAML::Node& l : root["layers"]) {
        const std::string name = l["name"].as<std::string>();
        const int own = depth(l["fifo_depth"], 2);
        if (name == "stem") rows.stem = own;
        if (name == "c1") rows.c1 = own;
        if (name == "c2") rows.c2 = own;
        if (name == "join") rows.out = own;
    }
    for (const YAML::Node& l : root["layers"]) {  // branch FIFOs: the producer's depth unless given
        const std::string name = l["name"].as<std::string>();
        if (name == "c1") rows.branch = input(l, 0, rows.stem);
        if (name == "join") rows.skip = input(l, 1, rows.stem);
    }
    return true;
}

Depths times(const Depths& r, int k) {
    return Depths{r.in * k, r.stem * k, r.branch * k, r.c1 * k, r.c2 * k, r.skip * k, r.out * k};
}

std::string depths_text(const Depths& d) {
    std::ostringstream o;
    o << "in " << d.in << ", stem " << d.stem << ", branch " << d.branch << ", c1 " << d.c1 << ", c2 " << d.c2
      << ", skip " << d.skip << ", out " << d.out;
    return o.str();
}

int failures = 0;
void expect(bool ok, const std::string& what) {
    std::cout << (ok ? "PASS  " : "FAIL  ") << what << "\n";
    if (!ok) ++failures;
}

// At the search's minima: the rate is kept, one word less does not keep it, one word less than
// the smallest completing depth deadlocks; unpaced, deep FIFOs reach the bottleneck's rate.
void check_minima(const RunSpec& spec, const Minima& m, const std::string& at) {
    if (!m.pace)
        expect(m.target == kBottleneck, at + "deep skip FIFO reaches the bottleneck's " + std::to_string(kBottleneck) +
                                            " cycles/frame (got " + std::to_string(m.target) + ")");
    expect(m.rate >= 0, at + "some skip depth up to " + std::to_string(kMaxDepth) + " words keeps the rate");
    if (m.rate < 0) return;
    const RunResult ok = run(with(spec, m.rate, m.pace));
    expect(ok.keeps(m.target) && int(ok.frame_done.size()) == spec.frames,
           at + "skip " + std::to_string(m.rate) + " words completes every frame at " + ok.text());
    if (m.rate > 0) {
        const RunResult less = run(with(spec, m.rate - 1, m.pace));
        expect(!less.keeps(m.target),
               at + "skip " + std::to_string(m.rate - 1) + " words (one less) deadlocks or misses the rate: " + less.text());
    }
    if (m.live > 0) {
        const RunResult dead = run(with(spec, m.live - 1, m.pace));
        expect(dead.deadlock, at + "skip " + std::to_string(m.live - 1) +
                                  " words (one less than completes) deadlocks: " + dead.text());
        // The diagnosis names the skip FIFO, full at its depth, and the join's empty input.
        const std::string why = dead.diagnosis();
        const std::string skip_full = "the fork cannot write the full skip FIFO fork -> join (" +
                                      std::to_string(m.live - 1) + "/" + std::to_string(m.live - 1) + " words)";
        expect(why.find(skip_full) != std::string::npos && why.find("waits on its empty input c2 -> join") != std::string::npos,
               at + "the deadlock's diagnosis names the full skip FIFO and the join's empty input: " + why);
    }
}

std::vector<double> parse_fps_list(const std::string& text) {
    std::vector<double> out;
    std::stringstream list(text);
    for (std::string item; std::getline(list, item, ',');)
        out.push_back(double(cli::parse_count("--target-fps", item, 0, 1000000000)));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    RunSpec spec;
    int others = -1, skip = 16;
    uint64_t interval = 0;
    std::string fps_text = "0,180000,90000", table, sim, config, work_dir = ".";
    cli::Command cmd("fifo_words",
                     "[--skip W] [--fifo W] [--frames N] [--interval C] | --search | --table A..B | --check "
                     "[--sim SIM --config YAML]",
                     "Word-level (Verilated RTL) run of the residual block's streaming skeleton: interval and\n"
                     "deadlock for a skip FIFO depth in words, the smallest depths by search, the ctest check.");
    cmd.options.add_options()
        ("skip", po::value(&skip)->value_name("W"), "skip FIFO (fork -> join) depth in words (default 16: 2 rows)")
        ("fifo", po::value(&others)->value_name("W"), "every other FIFO's depth in words (default 16: 2 rows)")
        ("fifo-in", po::value(&spec.depths.in)->value_name("W"), "source -> stem")
        ("fifo-stem", po::value(&spec.depths.stem)->value_name("W"), "stem -> fork")
        ("fifo-branch", po::value(&spec.depths.branch)->value_name("W"), "fork -> c1")
        ("fifo-c1", po::value(&spec.depths.c1)->value_name("W"), "c1 -> c2")
        ("fifo-c2", po::value(&spec.depths.c2)->value_name("W"), "c2 -> join")
        ("fifo-out", po::value(&spec.depths.out)->value_name("W"), "join -> sink")
        ("frames", po::value(&spec.frames)->value_name("N"), "frames per run (default 16; the last N/2 give the interval)")
        ("interval", po::value(&interval)->value_name("C"), "pace the source at a frame every C cycles (default 0: unpaced)")
        ("stall-limit", po::value(&spec.stall_limit)->value_name("C"), "cycles without a word moving = deadlock (default 10000)")
        ("search", "smallest skip depths keeping the rate and completing, for each --target-fps")
        ("table", po::value(&table)->value_name("A..B"), "interval for skip depths A..B, for each --target-fps")
        ("target-fps", po::value(&fps_text)->value_name("F,..."),
         "frame rates for --search/--table/--check at 200 MHz, 0 = unpaced (default 0,180000,90000)")
        ("check", "the regression: minima hold, one word less does not, row model x 8 against them")
        ("sim", po::value(&sim)->value_name("SIM"), "with --check: the `sim` executable, to run `sim fifo-size`")
        ("config", po::value(&config)->value_name("YAML"), "with --sim: the block's config (residual_block.yaml)")
        ("work-dir", po::value(&work_dir)->value_name("DIR"), "with --sim: where sized configs are written (default .)");
    cmd.notes = "exit status: 0 ok (--check: every check passed), 1 a check failed or a run deadlocked, 2 usage error\n";
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    const auto& v = parsed.values;
    std::vector<double> fps;
    int table_a = 0, table_b = 0;
    try {
        fps = parse_fps_list(fps_text);
        if (others >= 0) {
            auto& d = spec.depths;
            for (auto [name, field] : {std::pair{"fifo-in", &d.in}, {"fifo-stem", &d.stem}, {"fifo-branch", &d.branch},
                                       {"fifo-c1", &d.c1}, {"fifo-c2", &d.c2}, {"fifo-out", &d.out}})
                if (!v.count(name)) *field = others;
        }
        if (!table.empty()) {
            const size_t dots = table.find("..");
            if (dots == std::string::npos) throw cli::UsageError("--table: expected A..B, got '" + table + "'");
            table_a = int(cli::parse_count("--table", table.substr(0, dots), 0, kMaxDepth));
            table_b = int(cli::parse_count("--table", table.substr(dots + 2), uint64_t(table_a), kMaxDepth));
        }
        if (v.count("sim") && config.empty()) throw cli::UsageError("--sim needs --config");
        if (spec.frames < 2 || spec.frames > 100000) throw cli::UsageError("--frames must be in 2..100000");
        spec.depths.skip = skip;
        const Depths& c = spec.depths;
        for (int w : {c.in, c.stem, c.branch, c.c1, c.c2, c.skip, c.out})
            if (w < 0 || w > kMaxDepth)
                throw cli::UsageError("FIFO depths must be in 0.." + std::to_string(kMaxDepth) + " words");
    } catch (const std::exception& e) {
        return cli::usage_error(cmd, e.what());
    }
    const Depths& d = spec.depths;
    std::cout << "residual block " << kHeight << "x" << kWidth << " (1 word = 1 pixel, " << kWordsPerRow
              << " words a row); FIFOs in words: in " << d.in << ", stem " << d.stem << ", branch " << d.branch
              << ", c1 " << d.c1 << ", c2 " << d.c2 << ", out " << d.out << "; " << spec.frames << " frames a run\n";

    if (!table.empty()) {
        std::vector<Minima> targets;
        std::cout << "skip words | rows";
        for (double f : fps) {
            Minima m;
            m.fps = f;
            m.pace = pace_of(f);
            targets.push_back(m);
            std::cout << " | " << pace_text(m);
        }
        std::cout << "\n";
        for (int s = table_a; s <= table_b; ++s) {
            std::printf("%10d | %4.3g", s, double(s) / kWordsPerRow);
            for (const Minima& m : targets) std::cout << " | " << run(with(spec, s, m.pace)).text();
            std::cout << "\n";
        }
        return 0;
    }

    if (v.count("search") || v.count("check")) {
        std::vector<Minima> found;
        for (double f : fps) {
            const Minima m = search(spec, f);
            found.push_back(m);
            std::cout << pace_text(m) << ": target " << m.target << " cycles/frame; smallest skip FIFO that completes "
                      << m.live << " words, that keeps the rate " << m.rate << " words\n";
        }
        if (!v.count("check")) return 0;

        std::cout << "\n";
        for (const Minima& m : found) check_minima(spec, m, pace_text(m) + ": ");
        if (!sim.empty()) {
            std::filesystem::create_directories(work_dir);
            std::cout << "\nrow model (`sim fifo-size`): the sized design's depths, rows x " << kWordsPerRow
                      << " words, run word by word\n";
            for (const double f : fps) {
                std::string command;
                Depths rows;
                const bool sized = sized_rows(sim, config, work_dir, f, rows, command);
                expect(sized, command + " writes a sized config");
                if (!sized) continue;
                RunSpec design = spec;
                design.depths = times(rows, kWordsPerRow);
                const Minima m = search(design, f);
                const std::string at = pace_text(m) + ": ";
                std::cout << at << "sized rows: " << depths_text(rows) << "; word-level minimum skip with the other "
                          << "FIFOs at the sized words: completes " << m.live << ", keeps the rate " << m.rate << "\n";
                check_minima(design, m, at);
                if (m.rate < 0) continue;
                const int words = rows.skip * kWordsPerRow;
                const RunResult r = run(with(design, words, m.pace));
                // The skeleton is monotone in the skip depth: the sized words keep the rate exactly
                // when they are at least the minimum.
                expect(r.keeps(m.target) == (words >= m.rate),
                       at + "the sized design in words (skip " + std::to_string(rows.skip) + " rows = " +
                           std::to_string(words) + " words) " + (r.keeps(m.target) ? "keeps the rate" : "does not") +
                           " (" + r.text() + "), as skip " + (words >= m.rate ? ">=" : "<") + " the minimum " +
                           std::to_string(m.rate));
                // The row model's fork holds the row it is writing outside both branch FIFOs, so its
                // skip path buffers one row more than the skip FIFO: (rows + 1) x 8 words must cover
                // the word-level minimum.
                const int path = (rows.skip + 1) * kWordsPerRow;
                expect(path >= m.rate, at + "(rows + 1) x " + std::to_string(kWordsPerRow) + " = " +
                                           std::to_string(path) + " words >= the word-level minimum " +
                                           std::to_string(m.rate));
                std::cout << "NOTE  " << at << "rows x " << kWordsPerRow << " = " << words << " words "
                          << (words >= m.rate ? ">= " : "< ") << "the word-level minimum " << m.rate << " ("
                          << (words >= m.rate ? "+" : "") << words - m.rate << "): the row model's words column is "
                          << (words >= m.rate ? "safe here" : "NOT safe here") << "\n";
            }
        }
        std::cout << (failures ? "FAILED: " + std::to_string(failures) + " check(s)\n" : "all checks passed\n");
        return failures ? 1 : 0;
    }

    spec.interval = interval;
    const RunResult r = run(spec);
    std::cout << "skip " << d.skip << " words, " << (interval ? "paced " + std::to_string(interval) : "unpaced")
              << ": " << r.text() << (r.deadlock ? "\n" + r.diagnosis() : "") << "\nframes done at cycles:";
    for (uint64_t c : r.frame_done) std::cout << " " << c;
    std::cout << "\n";
    return r.deadlock || r.mismatch ? 1 : 0;
}
