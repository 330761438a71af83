// Entry points shared by the libFuzzer targets (testbenches/fuzz/*_fuzz.cpp) and the
// regression test (testbenches/unit/core/fuzz_regression_test.cpp).
//
// Each function feeds one input to a parser and swallows only the errors the parser documents
// (ConfigError, WeightFileError, NpyError, std::invalid_argument of the quantiser). Anything
// else (another exception, a crash, a sanitizer report, a hang) escapes and is a finding.
// Header-only on purpose: the fuzz build (clang, no GoogleTest) and core_tests (GCC) both
// compile it.
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "sim/design/config_loader.hpp"
#include "sim/design/derive.hpp"
#include "sim/design/effective_config.hpp"
#include "sim/design/yaml_front_end.hpp"
#include "models/network/network_config.hpp"
#include "models/network/npy.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/quantizer.hpp"
#include "models/network/weight_codes.hpp"
#include "models/network/weight_file.hpp"

namespace qsim::fuzz {

// ------------------------------------------------------------------------------------------
// (a) YAML network loader.

// A config that parsed is also dumped as JSON and, when small, its parameters are generated
// (both must work for every config the loader accepts).
constexpr int64_t kMaxGeneratedWeights = 200000;

// Set QSIM_FUZZ_STRICT=1 to treat the loader's "internal error" (a std::exception other than
// ConfigError, caught and rewrapped by parse_network_config) as a finding too.
inline bool strict_internal_errors() {
    static const bool strict = [] {
        const char* v = std::getenv("QSIM_FUZZ_STRICT");
        return v && std::strcmp(v, "0") != 0 && *v;
    }();
    return strict;
}

inline bool same_params(const NetworkParams& a, const NetworkParams& b) {
    if (a.layers.size() != b.layers.size()) return false;
    for (size_t i = 0; i < a.layers.size(); ++i) {
        const LayerParams& x = a.layers[i];
        const LayerParams& y = b.layers[i];
        if (x.layer != y.layer || x.weights != y.weights || x.thresholds != y.thresholds ||
            x.bias != y.bias || x.mul != y.mul || x.shift != y.shift)
            return false;
    }
    return true;
}

// Parameters of a config (generated or decoded) must survive encode -> decode unchanged.
inline void check_round_trip(const NetworkConfig& cfg, const NetworkParams& p) {
    const std::vector<uint8_t> bytes = encode_weight_file(cfg, p, "fuzz-roundtrip.qnnw");
    if (!same_params(decode_weight_file(bytes, cfg, "fuzz-roundtrip.qnnw"), p))
        throw std::logic_error("weight file round trip changed the parameters");
    // DMA channel 1 leaves a layer record's weights packed: its codes must unpack to the same
    // weights (RCCM: select indices), and the rest of the record must decode the same.
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        if (!cfg.layers[l].is_compute()) continue;
        const std::vector<uint8_t> rec = encode_layer_record(cfg.layers[l], p.layers[l], "fuzz-record");
        const uint8_t* packed = nullptr;
        const LayerParams kept = decode_layer_record(rec.data(), rec.size(), cfg.layers[l], "fuzz-record", &packed);
        const bool rccm = cfg.layers[l].weights.quant == WeightQuant::Rccm;
        const std::vector<int8_t> want =
            rccm ? std::vector<int8_t>(p.layers[l].selects.begin(), p.layers[l].selects.end()) : p.layers[l].weights;
        std::vector<int8_t> got = kept.weights;
        if (packed != nullptr) {
            if (!kept.weights.empty() || !kept.selects.empty())
                throw std::logic_error("a record left packed also decoded its weights");
            got.resize(want.size());
            const int quant = int(cfg.layers[l].weights.quant == WeightQuant::Binary    ? 0
                                  : cfg.layers[l].weights.quant == WeightQuant::Ternary ? 1
                                  : rccm                                                ? 3
                                                                                        : 2);
            const int bits = quant == 0 ? 1 : quant == 1 ? 2 : cfg.layers[l].weights.bits;
            if (unpack_weight_codes(packed, got.size(), quant, bits, got.data()) != got.size())
                throw std::logic_error("a record left packed holds an invalid code");
        }
        if (got != want || kept.thresholds != p.layers[l].thresholds || kept.bias != p.layers[l].bias ||
            kept.scales != p.layers[l].scales || kept.mul != p.layers[l].mul || kept.shift != p.layers[l].shift ||
            kept.lambda != p.layers[l].lambda)
            throw std::logic_error("layer '" + cfg.layers[l].name + "': its record left packed decodes differently");
    }
}

// Known open finding F1 (reported, not fixed yet; config_loader.cpp is not ours to edit):
// yaml-cpp 0.7 (Debian 12) loops forever in YAML::LoadAll, allocating without bound, when a
// document is empty because the parser is stuck on a token it cannot consume (e.g. the text
// ",", upstream yaml-cpp issue #1040). parse_network_config calls LoadAll, so such a config
// hangs the loader. The saved input is testbenches/fuzz/regressions/config/open-*.yaml.
//
// While the loader is affected (probed once, in a child process, with the text ","), the
// config fuzz target skips inputs with that pattern, so that the fuzzer can look for other
// bugs; once the loader is fixed the probe passes and those inputs are fuzzed like any other.
// The regression test never skips (skip_open_findings() stays false there).
inline bool& skip_open_findings() {
    static bool skip = false;
    return skip;
}

class CountDocuments : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// True when YAML::LoadAll would not terminate on `text`: the parser reports more documents
// than the text has document markers ("---", "...") plus two.
inline bool yaml_load_all_loops(const std::string& text) {
    size_t markers = 0;
    for (size_t at = 0; (at = text.find("---", at)) != std::string::npos; at += 3) ++markers;
    for (size_t at = 0; (at = text.find("...", at)) != std::string::npos; at += 3) ++markers;
    std::istringstream in(text);
    try {
        YAML::Parser parser(in);
        CountDocuments handler;
        for (size_t docs = 0; parser.HandleNextDocument(handler);)
            if (++docs > markers + 2) return true;
    } catch (const YAML::Exception&) {
    }
    return false;
}

// Whether parse_network_config still hangs on "," (child process, 3 s limit). Called first
// from LLVMFuzzerInitialize, before libFuzzer starts its threads.
inline bool loader_has_open_yaml_loop() {
    static const bool open = [] {
        const pid_t pid = ::fork();
        if (pid == 0) {
            std::signal(SIGALRM, SIG_DFL);  // libFuzzer has its own handler
            ::alarm(3);
            try {
                (void)parse_network_config(",", "probe.yaml");
            } catch (...) {
            }
            ::_exit(0);
        }
        int status = 0;
        if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return false;
        const bool hangs = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (hangs)
            std::fprintf(stderr,
                         "fuzz: known open finding F1 (YAML::LoadAll loops on an empty document, e.g. "
                         "\",\") is still present in parse_network_config; skipping such inputs\n");
        return hangs;
    }();
    return open;
}

inline void run_config(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (skip_open_findings() && yaml_load_all_loops(text)) return;
    NetworkConfig cfg;
    design::NetworkSpec spec;
    try {
        spec = design::parse_yaml_spec(text, "fuzz.yaml");
        cfg = design::derive_or_throw(spec);
    } catch (const ConfigError& e) {
        if (strict_internal_errors() && e.message().rfind("internal error", 0) == 0) throw;
        return;
    }
    // Open finding F2 (reported): the loader accepts strings that are not UTF-8 (yaml-cpp does
    // not check), and nlohmann::json::dump() throws type_error 316 on them, so `sim --report`
    // fails after the run. Dumped with replacement characters here until that is settled.
    (void)design::effective_config_json(spec, cfg).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    int64_t total = 0;
    for (const auto& l : cfg.layers) {
        if (!l.is_compute()) continue;
        const int64_t w = l.weight_count();
        const int64_t t = int64_t(l.out.channels) * l.thresholds_per_channel();
        if (w < 0 || t < 0 || w > kMaxGeneratedWeights || t > kMaxGeneratedWeights) return;
        total += w + t;
        if (total > kMaxGeneratedWeights) return;
    }
    NetworkParams p;
    try {
        p = generate_params(cfg, cfg.weights.seed, cfg.weights.sparsity);
    } catch (const ConfigError&) {
        return;  // documented for configurations the generator cannot handle
    }
    try {
        check_round_trip(cfg, p);
    } catch (const WeightFileError&) {
        // encode_weight_file refuses what the format cannot hold (e.g. names > 65535 bytes).
    }
}

// ------------------------------------------------------------------------------------------
// (b) Weight-file reader, against one fixed small network that uses every weight
// quantisation and activation the format knows.

inline const char* weights_config_yaml() {
    return R"(name: fuzz_weights
device: {name: generic, clock_mhz: 100}
input: {height: 6, width: 6, channels: 2, bits: 4}
weights: {generator: {seed: 5, sparsity: 0.25}}
layers:
  - name: c1
    type: conv
    kernel: 3
    padding: same
    filters: 4
    weights: {quant: binary}
    activation: {type: thresholds, bits: 2}
    folding: {pe: 2, simd: 2}
  - name: c2
    type: conv
    kernel: 3
    filters: 4
    weights: {quant: ternary, threshold: 0.1}
    activation: {type: bipolar}
    folding: {pe: 2, simd: 4}
  - name: p
    type: maxpool
    kernel: 2
  - name: f1
    type: fc
    filters: 6
    weights: {quant: uniform, bits: 3, scale: 0.5}
    activation: {type: relu, bits: 4}
    folding: {pe: 2, simd: 4}
  - name: f2
    type: fc
    filters: 3
    weights: {quant: uniform, bits: 8}
    activation: {type: none}
    folding: {pe: 1, simd: 6}
)";
}

inline const NetworkConfig& weights_config() {
    static const NetworkConfig cfg = parse_network_config(weights_config_yaml(), "fuzz_weights.yaml");
    return cfg;
}

inline void put_le(std::vector<uint8_t>& b, size_t at, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) b[at + i] = uint8_t(v >> (8 * i));
}

inline void decode_or_error(const std::vector<uint8_t>& bytes) {
    NetworkParams p;
    try {
        p = decode_weight_file(bytes, weights_config(), "fuzz.qnnw");
    } catch (const WeightFileError&) {
        return;
    }
    // What the reader accepts, the writer must accept and reproduce.
    check_round_trip(weights_config(), p);
}

// Readers that take a path (`qnn-weights info`, the sweep spec, the IDX reader) get a scratch
// file of this process, removed at exit.
class ScratchFile {
public:
    // In /dev/shm when there is one: a file on disk costs a discard per truncation.
    explicit ScratchFile(const std::string& suffix = ".qnnw")
        : path_(dir() / ("qsim_fuzz_" + std::to_string(::getpid()) + suffix)) {}
    ~ScratchFile() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    const std::string& write(const std::vector<uint8_t>& bytes) {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        return path_.native();
    }

private:
    static std::filesystem::path dir() {
        std::error_code ec;
        if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0)
            return "/dev/shm";
        return std::filesystem::temp_directory_path();
    }
    std::filesystem::path path_;
};

inline void summarize_or_error(const std::vector<uint8_t>& bytes) {
    static ScratchFile scratch;
    try {
        (void)format_weight_file_summary(summarize_weight_file(scratch.write(bytes)));
    } catch (const WeightFileError&) {
    }
}

inline void run_weights(const uint8_t* data, size_t size) {
    std::vector<uint8_t> bytes(data, data + size);
    // 1. The bytes as they are (magic, header, size and checksum checks; truncation walk),
    //    also through the config-less summary of `qnn-weights info`.
    decode_or_error(bytes);
    summarize_or_error(bytes);
    // 2. The same bytes with header.payload_bytes and the CRC trailer made consistent, so that
    //    mutations reach the layer records behind the checksum.
    if (bytes.size() >= kWeightFileHeaderBytes + kWeightFileTrailerBytes) {
        const size_t payload_end = bytes.size() - kWeightFileTrailerBytes;
        put_le(bytes, 16, payload_end - kWeightFileHeaderBytes, 8);
        put_le(bytes, payload_end, crc32(bytes.data(), payload_end), 4);
        decode_or_error(bytes);
    }
}

// ------------------------------------------------------------------------------------------
// (c) .npy parser, plus the float quantisers on whatever values it returns.

inline void run_npy(const uint8_t* data, size_t size) {
    const std::vector<uint8_t> bytes(data, data + size);
    NpyArray a;
    try {
        a = parse_npy(bytes, "fuzz.npy");
    } catch (const NpyError&) {
        return;
    }
    size_t count = 1;
    for (size_t d : a.shape) count *= d;
    if (count != a.values.size()) throw std::logic_error("parse_npy: shape does not match the value count");
    (void)a.shape_string();
    WeightQuantConfig configs[3];
    configs[0].quant = WeightQuant::Binary;
    configs[1].quant = WeightQuant::Ternary;
    configs[1].bits = 2;
    configs[1].threshold = 0.5;
    configs[2].quant = WeightQuant::Uniform;
    configs[2].bits = 4;
    configs[2].scale = 0.25;
    for (const auto& q : configs) {
        try {
            (void)quantize_weights(a.values, q);
        } catch (const std::invalid_argument&) {
        }
    }
    // Integer arrays must round-trip through the writer.
    if (a.dtype != NpyDtype::F4 && a.dtype != NpyDtype::F8 && a.dtype != NpyDtype::I8) {
        const NpyArray b = parse_npy(make_npy(a.shape, a.values, a.dtype), "fuzz-roundtrip.npy");
        if (b.values != a.values || b.shape != a.shape)
            throw std::logic_error("parse_npy(make_npy(x)) != x");
    }
}

}  // namespace qsim::fuzz
