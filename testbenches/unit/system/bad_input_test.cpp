// The catalogue of bad inputs (docs/errors.md), run through the `sim` binary: one test per
// line of bad_inputs/cases.tsv. Each case checks that sim exits normally (never a signal)
// with exactly the expected code (1 bad input, 2 usage), prints nothing on stdout, and prints
// one line on stderr that starts with the expected prefix (file, line:col or @offset, field)
// and holds the expected substrings (the expectation). Weight-file cases write a valid file
// for bad_inputs/base_tiny.yaml with write_weight_file and damage it first.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/design/config_loader.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"

namespace qsim {
namespace bad_input_test {

namespace fs = std::filesystem;

const std::string kCaseDir = std::string(QSIM_SOURCE_DIR) + "/testbenches/unit/system/bad_inputs";

struct BadInputCase {
    std::string name;
    std::string config;   // file in kCaseDir, "" for none
    std::string weights;  // damage kind, "" for none
    std::string args;
    int exit_code = 1;
    std::string prefix;
    std::vector<std::string> substrings;
    std::string problem;  // set when the manifest line itself is broken
};

// How ctest and gtest show a case: the command line it runs and the exit code it expects.
void PrintTo(const BadInputCase& c, std::ostream* os) {
    *os << "sim";
    if (!c.config.empty()) *os << " --config " << c.config;
    if (!c.weights.empty()) *os << " --weights <" << c.weights << ">";
    if (!c.args.empty()) *os << " " << c.args;
    *os << " -> exit " << c.exit_code;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : line) {
        if (ch == '\t') {
            out.push_back(cur);
            cur.clear();
        } else if (ch != '\r') {
            cur.push_back(ch);
        }
    }
    out.push_back(cur);
    return out;
}

std::vector<BadInputCase> load_cases() {
    std::vector<BadInputCase> cases;
    const std::string path = kCaseDir + "/cases.tsv";
    std::ifstream in(path);
    if (!in) {
        BadInputCase c;
        c.name = "manifest_missing";
        c.problem = "cannot read " + path;
        return {c};
    }
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line[0] == '#') continue;
        const std::vector<std::string> f = split_tabs(line);
        BadInputCase c;
        c.name = f[0];
        if (f.size() < 6) {
            c.problem = path + ":" + std::to_string(line_no) + ": expected at least 6 tab-separated columns";
            cases.push_back(c);
            continue;
        }
        c.config = f[1] == "-" ? "" : f[1];
        c.weights = f[2] == "-" ? "" : f[2];
        c.args = f[3] == "-" ? "" : f[3];
        c.exit_code = std::atoi(f[4].c_str());
        c.prefix = f[5];
        c.substrings.assign(f.begin() + 6, f.end());
        cases.push_back(c);
    }
    return cases;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
    return s;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void put_u32le(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}

// Recomputes the CRC-32 trailer after an edit, so that the edit itself is what is reported.
void fix_checksum(std::vector<uint8_t>& b) {
    put_u32le(b, b.size() - kWeightFileTrailerBytes, crc32(b.data(), b.size() - kWeightFileTrailerBytes));
}

// Writes the weight file of one damage kind for `config_path` at `out`; "missing" writes none.
void write_damaged_weights(const std::string& kind, const std::string& config_path, const std::string& out) {
    if (kind == "missing") return;
    const NetworkConfig net = load_network_config(config_path);
    if (kind == "shape_mismatch") {
        // A valid file, but for the same network with 8 filters instead of 4.
        const NetworkConfig other = load_network_config(config_path, {{"F", "8"}});
        write_weight_file(out, other, generate_params(other, 3, 0.0));
        return;
    }
    std::vector<uint8_t> b = encode_weight_file(net, generate_params(net, 3, 0.0), out);
    if (kind == "truncated") {
        b.resize(40);  // inside the first layer record
    } else if (kind == "wrong_magic") {
        b[0] = 'X';
    } else if (kind == "unsupported_version") {
        b[8] = 3;  // versions 1 and 2 are defined
        b[9] = 0;
        fix_checksum(b);
    } else if (kind == "checksum_mismatch") {
        b[b.size() - kWeightFileTrailerBytes - 1] ^= 0x01;  // a threshold byte; the stored CRC stays
    } else if (kind == "invalid_ternary_code") {
        // Weight 0 of conv1: the record starts at the header's end; its packed weights follow
        // the u16 name length, the name and 28 bytes of fixed fields.
        const size_t weights_at = kWeightFileHeaderBytes + 2 + std::string("conv1").size() + 28;
        b[weights_at] = uint8_t((b[weights_at] & ~3u) | 2u);  // code 10: invalid for ternary
        fix_checksum(b);
    } else if (kind == "trailing_garbage") {
        const std::string junk = "garbage";
        b.insert(b.end(), junk.begin(), junk.end());
    } else {
        FAIL() << "unknown weight damage kind '" << kind << "' in cases.tsv";
    }
    std::ofstream(out, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

struct SimOutput {
    bool exited = false;  // false: killed by a signal, or could not run
    int code = -1;
    int signal = 0;
    std::string out, err;
};

SimOutput run_sim(const std::string& args, const std::string& err_file) {
    const std::string cmd = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + QSIM_SIM_BINARY + " " + args +
                            " 2>'" + err_file + "'";
    SimOutput r;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = pclose(p);
    if (WIFEXITED(st)) {
        r.exited = true;
        r.code = WEXITSTATUS(st);
    } else if (WIFSIGNALED(st)) {
        r.signal = WTERMSIG(st);
    }
    r.err = read_file(err_file);
    return r;
}

class BadInput : public ::testing::TestWithParam<BadInputCase> {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("qsim_bad_input_" + std::to_string(getpid()) + "_" + GetParam().name);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_P(BadInput, RejectedWithOneMessage) {
    const BadInputCase& c = GetParam();
    ASSERT_TRUE(c.problem.empty()) << c.problem;
    ASSERT_TRUE(c.exit_code == 1 || c.exit_code == 2) << "cases.tsv: exit must be 1 or 2 for " << c.name;

    const std::string config = c.config.empty() ? "" : kCaseDir + "/" + c.config;
    const std::string weights = (dir_ / (c.name + ".qnnw")).string();
    auto expand = [&](const std::string& s) {
        return replace_all(replace_all(replace_all(s, "{config}", config), "{dir}", kCaseDir), "{weights}", weights);
    };
    std::string args;
    if (!config.empty()) args += "--config '" + config + "'";
    if (!c.weights.empty()) {
        ASSERT_NO_FATAL_FAILURE(write_damaged_weights(c.weights, config, weights));
        args += " --weights '" + weights + "'";
    }
    if (!c.args.empty()) args += " " + expand(c.args);

    const SimOutput r = run_sim(args, (dir_ / "stderr.txt").string());
    ASSERT_TRUE(r.exited) << "sim did not exit normally (signal " << r.signal << ") for: sim " << args
                          << "\nstderr: " << r.err;
    EXPECT_EQ(r.code, c.exit_code) << "sim " << args << "\nstderr: " << r.err;
    EXPECT_EQ(r.out, "") << "nothing may be printed on stdout for a rejected input";

    // Exactly one line.
    ASSERT_FALSE(r.err.empty()) << "no message on stderr for: sim " << args;
    EXPECT_EQ(r.err.back(), '\n') << r.err;
    const std::string msg = r.err.substr(0, r.err.size() - (r.err.back() == '\n' ? 1 : 0));
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "expected a single line, got:\n" << r.err;
    std::cout << "[ exit " << r.code << "   ] " << msg << "\n";
    RecordProperty("message", msg);

    const std::string prefix = expand(c.prefix);
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << "expected the message to start with\n  " << prefix << "\ngot\n  " << msg;
    for (const auto& s : c.substrings) {
        const std::string want = expand(s);
        EXPECT_NE(msg.find(want), std::string::npos) << "expected\n  " << want << "\nin\n  " << msg;
    }
}

std::string case_name(const ::testing::TestParamInfo<BadInputCase>& info) {
    std::string n;
    for (char ch : info.param.name) n.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
    return n.empty() ? "case" + std::to_string(info.index) : n;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInput, ::testing::ValuesIn(load_cases()), case_name);

// The catalogue covers what docs/errors.md promises: at least 32 cases, every name unique.
TEST(BadInputCatalogue, HasEnoughDistinctCases) {
    const std::vector<BadInputCase> cases = load_cases();
    EXPECT_GE(cases.size(), 32u);
    std::vector<std::string> names;
    for (const auto& c : cases) {
        EXPECT_TRUE(c.problem.empty()) << c.problem;
        for (const auto& n : names) EXPECT_NE(n, c.name) << "duplicate case name";
        names.push_back(c.name);
    }
}

// The weight-file cases damage a file that is otherwise accepted: undamaged, it runs.
TEST(BadInputCatalogue, BaseConfigRunsWithItsUndamagedWeightFile) {
    const fs::path dir = fs::temp_directory_path() / ("qsim_bad_input_base_" + std::to_string(getpid()));
    fs::create_directories(dir);
    const std::string config = kCaseDir + "/base_tiny.yaml";
    const std::string weights = (dir / "good.qnnw").string();
    const NetworkConfig net = load_network_config(config);
    write_weight_file(weights, net, generate_params(net, 3, 0.0));
    const SimOutput r = run_sim("--config '" + config + "' --weights '" + weights + "' --check", (dir / "err.txt").string());
    EXPECT_TRUE(r.exited);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("golden check   PASS"), std::string::npos) << r.out;
    fs::remove_all(dir);
}

}  // namespace bad_input_test
}  // namespace qsim
