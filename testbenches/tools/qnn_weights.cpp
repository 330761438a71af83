// qnn-weights: create and inspect QNN weight files (docs/weights-format.md).
//
//   qnn-weights generate --config NET.yaml --out FILE [--seed S] [--sparsity X] [--set NAME=VALUE ...]
//   qnn-weights from-npy --config NET.yaml --npy-dir DIR --out FILE [--set NAME=VALUE ...]
//   qnn-weights info FILE
//   qnn-weights [COMMAND] --help | --version
//   generate and from-npy also take --encoding packed|rle|huffman and --delta-bits B: ternary
//   layers stored run-length or Huffman coded (a version-2 file, docs/weights-format.md).
//
// Exit codes: 0 success, 1 invalid configuration / weight file / .npy input, 2 usage error.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/design/config_loader.hpp"
#include "models/network/network_config.hpp"
#include "models/network/npy.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/quantizer.hpp"
#include "models/network/weight_file.hpp"
#include "models/rccm/rccm_quantizer.hpp"
#include "models/common/output_file.hpp"
#include "testbenches/cli/cli.hpp"

namespace {

using namespace qsim;

const char* const kExitStatus = "exit status: 0 ok, 1 invalid config / weight file / npy input, 2 usage error\n";

const std::vector<cli::Subcommand> kCommands = {
    {"generate", "write deterministic random weights with analytic thresholds"},
    {"from-npy", "write weights quantised from NumPy .npy float arrays"},
    {"info", "list the layers of a weight file and check its checksum"},
};

const char* const kEncodingNote =
    "--encoding rle|huffman stores every ternary layer coded (index delta + sign, delta_bits B: the\n"
    "layer's decompressor.delta_bits, or the width giving the smallest run-length stream); the file\n"
    "is then version 2 (docs/weights-format.md).\n";

const char* const kFromNpyNote =
    "Quantises DIR/<layer>.weights.npy (float, shape [N, ...] with N*fan_in elements in synapse\n"
    "order) with the config's weights section. Optional per layer:\n"
    "  DIR/<layer>.thresholds.npy  shape [N, T] (thresholds / bipolar layers)\n"
    "  DIR/<layer>.bias.npy        shape [N]    (relu layers)\n"
    "  DIR/<layer>.requant.npy     [mul, shift] (relu layers)\n"
    "  DIR/<layer>.scales.npy      K or K^2 codes (SYQ row / pixel scaling)\n"
    "  DIR/<layer>.lambda.npy      [lambda_l]   (rccm layers: the 8-bit scale)\n"
    "An add layer with an activation has no weights: only its thresholds, or bias and requant.\n"
    "Missing ones are computed analytically, as the generator does.\n";

struct Options {
    std::string config, out, npy_dir, file;
    std::optional<uint64_t> seed;
    std::optional<double> sparsity;
    WeightFileOptions storage;  // --encoding, --delta-bits
    std::map<std::string, std::string> sets;
};

// The option values as typed; finish() checks and converts them with this tool's own messages
// (seeds also in hex or octal, as strtoull reads them).
struct RawOptions {
    std::string seed, sparsity, encoding, delta_bits;
    std::vector<std::string> sets, files;
};

uint64_t parse_u64(const std::string& opt, const std::string& s) {
    if (s.empty() || s[0] == '-' || s[0] == '+')
        throw cli::UsageError(opt + ": expected a non-negative integer, got '" + s + "'");
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(s.c_str(), &end, 0);
    if (errno == ERANGE || *end != '\0')
        throw cli::UsageError(opt + ": expected a non-negative 64-bit integer, got '" + s + "'");
    return v;
}

double parse_fraction(const std::string& opt, const std::string& s) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !(v >= 0.0 && v <= 1.0))
        throw cli::UsageError(opt + ": expected a number in [0, 1], got '" + s + "'");
    return v;
}

// The command line of subcommand cmd.subcommand, its options bound to `o` and `raw`.
void describe(cli::Command& cmd, Options& o, RawOptions& raw) {
    namespace po = boost::program_options;
    const std::string& c = cmd.subcommand;
    for (const cli::Subcommand& s : kCommands)
        if (s.name == c) cmd.summary = s.summary;
    if (c == "info") {
        cmd.synopsis = "FILE";
        cmd.hidden.add_options()("file", po::value(&raw.files));
        cmd.positional.add("file", -1);
        cmd.notes = "Lists the layers of weight file FILE and checks its checksum; for ternary layers also\n"
                    "the nonzeros and the bytes the run-length and Huffman codings take.\n" +
                    std::string(kExitStatus);
        return;
    }
    cmd.synopsis = c == "generate" ? "--config NET.yaml --out FILE [--seed S] [--sparsity X] [OPTIONS]"
                                   : "--config NET.yaml --npy-dir DIR --out FILE [OPTIONS]";
    auto add = cmd.options.add_options();
    add("config", po::value(&o.config)->value_name("NET.yaml"), "network configuration (required)");
    if (c == "from-npy")
        add("npy-dir", po::value(&o.npy_dir)->value_name("DIR"), "directory of the .npy arrays (required)");
    add("out", po::value(&o.out)->value_name("FILE"), "weight file to write (required)");
    if (c == "generate") {
        add("seed", po::value(&raw.seed)->value_name("S"), "generator seed (default: the config's weights.generator)");
        add("sparsity", po::value(&raw.sparsity)->value_name("X"),
            "share of zero weights, in [0, 1] (default: the config's weights.generator)");
    }
    add("encoding", po::value(&raw.encoding)->value_name("packed|rle|huffman"),
        "how ternary layers are stored (default packed)");
    add("delta-bits", po::value(&raw.delta_bits)->value_name("B"), "index delta width of rle/huffman, 1..15");
    add("set", po::value(&raw.sets)->value_name("NAME=VALUE")->composing(), "override a config parameter");
    cmd.notes = (c == "from-npy" ? std::string(kFromNpyNote) : std::string()) + kEncodingNote + kExitStatus;
}

// Checks and converts what describe() bound; throws cli::UsageError.
void finish(const std::string& command, const boost::program_options::variables_map& given, const RawOptions& raw,
            Options& o) {
    if (command == "info") {
        if (raw.files.size() != 1) throw cli::UsageError("info: expected exactly one weight file");
        o.file = raw.files[0];
        return;
    }
    if (given.count("seed")) o.seed = parse_u64("--seed", raw.seed);
    if (given.count("sparsity")) o.sparsity = parse_fraction("--sparsity", raw.sparsity);
    if (const auto coded = enum_from_text<WeightEncoding>(raw.encoding))
        o.storage.encoding = *coded;
    else if (given.count("encoding") && raw.encoding != "packed")
        throw cli::UsageError("--encoding: expected packed, " + enum_names<WeightEncoding>() + ", got '" + raw.encoding + "'");
    if (given.count("delta-bits")) {
        const uint64_t b = parse_u64("--delta-bits", raw.delta_bits);
        if (b < 1 || b > 15) throw cli::UsageError("--delta-bits: expected 1..15, got " + std::to_string(b));
        o.storage.delta_bits = int(b);
    }
    for (const std::string& kv : raw.sets) {
        const size_t p = kv.find('=');
        if (p == std::string::npos || p == 0) throw cli::UsageError("--set: expected NAME=VALUE, got '" + kv + "'");
        o.sets[kv.substr(0, p)] = kv.substr(p + 1);
    }
    if (o.config.empty()) throw cli::UsageError(command + ": --config is required");
    if (o.out.empty()) throw cli::UsageError(command + ": --out is required");
    if (command == "from-npy" && o.npy_dir.empty()) throw cli::UsageError("from-npy: --npy-dir is required");
    if (same_file(o.out, o.config))
        throw cli::UsageError("--out " + o.out + " is the file given as --config (the weights would replace it)");
}

uint64_t count_weights(const NetworkParams& p) {
    uint64_t n = 0;
    for (const auto& l : p.layers) n += l.weights.size() + l.selects.size();
    return n;
}

void report_written(const std::string& out, const NetworkConfig& cfg, const NetworkParams& p) {
    size_t layers = 0, adds = 0;
    for (const auto& l : cfg.layers) {
        layers += l.is_compute() ? 1 : 0;
        adds += l.is_requantised_add() ? 1 : 0;
    }
    std::error_code ec;
    auto size = std::filesystem::file_size(out, ec);
    std::cout << "qnn-weights: wrote " << out << ": " << layers << " compute layers, ";
    if (adds) std::cout << adds << " add layer" << (adds > 1 ? "s" : "") << " (requantisation only), ";
    std::cout << count_weights(p) << " weights, " << (ec ? 0 : size) << " bytes\n";
}

int cmd_generate(const Options& o) {
    const NetworkConfig cfg = load_network_config(o.config, o.sets);
    const uint64_t seed = o.seed ? *o.seed : cfg.weights.seed;
    const double sparsity = o.sparsity ? *o.sparsity : cfg.weights.sparsity;
    const NetworkParams p = generate_params(cfg, seed, sparsity);
    write_weight_file(o.out, cfg, p, o.storage);
    report_written(o.out, cfg, p);
    std::cout << "  seed " << seed << ", sparsity " << sparsity << "\n";
    return 0;
}

std::string join_path(const std::string& dir, const std::string& name) {
    return (std::filesystem::path(dir) / name).string();
}

bool exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

std::string shape_of(const std::vector<size_t>& dims) {
    NpyArray a;
    a.shape = dims;
    return a.shape_string();
}

// Integer value of a threshold/bias/requant entry: rounded half away from zero, must fit int32.
int32_t to_int32(const NpyArray& a, size_t i, const std::string& path) {
    const double v = a.values[i];
    const double r = std::round(v);
    if (!std::isfinite(v) || r < -2147483648.0 || r > 2147483647.0)
        throw NpyError(path, a.data_offset + i * npy_item_size(a.dtype),
                       "element " + std::to_string(i) + " (" + std::to_string(v) +
                           "): expected a finite value that fits in int32");
    return int32_t(r);
}

// An RCCM layer (ch. 6.5): select indices of the nearest scaled coefficients (eq. 6.3), the
// 8-bit lambda_l (from DIR/<layer>.lambda.npy when present, else lambda's mantissa), and, as a
// check of the circuit choice, the KL divergence (eq. 6.2) of the weights from each circuit's set.
void import_rccm_layer(const LayerConfig& L, const std::vector<double>& w, const std::string& lambda_path,
                       LayerParams& p) {
    const RccmImport q = quantize_rccm_weights(w, L.weights);
    p.selects = q.selects;
    p.lambda = q.lambda_code;
    if (exists(lambda_path)) {
        const NpyArray a = read_npy(lambda_path);
        if (a.size() != 1)
            throw NpyError(lambda_path, a.header_offset, "shape " + a.shape_string() + ": expected one value, lambda_l");
        p.lambda = to_int32(a, 0, lambda_path);
        if (p.lambda < 1 || p.lambda > 255)
            throw NpyError(lambda_path, a.data_offset, "lambda " + std::to_string(p.lambda) + ": expected 1..255");
    }
    const std::vector<float> wf(w.begin(), w.end());
    std::cerr << "qnn-weights: " << L.name << ": " << rccm_name(L.weights.rccm) << ", lambda " << q.lambda
              << " (lambda_l " << p.lambda << " x 2^-" << q.exponent << "), D_KL of the weights from";
    for (RccmKind k : {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4})
        std::cerr << " " << rccm_name(k) << " " << rccm_set_divergence(wf, rccm_coefficient_set(rccm_circuit(k)));
    std::cerr << "\n";
}

// SYQ row/pixel scaling factors (ch. 5.4): DIR/<layer>.scales.npy with K or K^2 integer codes
// (floats rounded), each in 1 .. 2^bits - 1; without the file every factor is 2^(bits-1).
void import_syq_scales(const LayerConfig& L, const std::string& path, LayerParams& p) {
    const size_t count = size_t(L.scaling_factors());
    const int32_t max = (int32_t(1) << L.scaling.bits) - 1;
    if (!exists(path)) {
        p.scales.assign(count, int32_t(1) << (L.scaling.bits - 1));
        std::cerr << "qnn-weights: " << L.name << ": no " << path << ", every SYQ factor set to "
                  << p.scales.front() << "\n";
        return;
    }
    const NpyArray a = read_npy(path);
    if (a.size() != count)
        throw NpyError(path, a.header_offset,
                       "shape " + a.shape_string() + ": expected " + std::to_string(count) + " scaling factors");
    p.scales.resize(count);
    for (size_t i = 0; i < count; ++i) {
        p.scales[i] = to_int32(a, i, path);
        if (p.scales[i] < 1 || p.scales[i] > max)
            throw NpyError(path, a.data_offset + i * npy_item_size(a.dtype),
                           "factor " + std::to_string(p.scales[i]) + ": expected 1.." + std::to_string(max));
    }
}

int cmd_from_npy(const Options& o) {
    const NetworkConfig cfg = load_network_config(o.config, o.sets);
    NetworkParams params;
    params.layers.resize(cfg.layers.size());

    // Weights first (Accumulator inputs of later layers depend on earlier weights).
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        const LayerConfig& L = cfg.layers[l];
        if (!L.is_compute()) continue;
        const std::string path = join_path(o.npy_dir, L.name + ".weights.npy");
        const NpyArray a = read_npy(path);
        const size_t n = size_t(L.out.channels), fan_in = size_t(L.fan_in());
        if (a.shape.empty() || a.shape[0] != n || a.size() != n * fan_in)
            throw NpyError(path, a.header_offset,
                           "shape " + a.shape_string() + ": expected [N, ...] with N = " + std::to_string(n) +
                               " rows of fan_in = " + std::to_string(fan_in) + " values (" +
                               std::to_string(n * fan_in) + " elements) for layer '" + L.name +
                               "', e.g. " + shape_of({n, fan_in}));
        for (size_t i = 0; i < a.size(); ++i)
            if (!std::isfinite(a.values[i]))
                throw NpyError(path, a.data_offset + i * npy_item_size(a.dtype),
                               "weight " + std::to_string(i) + " is not finite: expected a finite float");
        LayerParams& p = params.layers[l];
        p.layer = L.name;
        if (L.weights.quant == WeightQuant::Rccm)
            import_rccm_layer(L, a.values, join_path(o.npy_dir, L.name + ".lambda.npy"), p);
        else
            p.weights = quantize_weights(a.values, L.weights);
        if (L.scaling_factors() > 0) import_syq_scales(L, join_path(o.npy_dir, L.name + ".scales.npy"), p);
    }

    const std::vector<ValueModel> models = input_value_models(cfg, params);
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        const LayerConfig& L = cfg.layers[l];
        if (!L.has_params()) continue;
        LayerParams& p = params.layers[l];
        p.layer = L.name;
        // An add layer's requantisation is modelled over the sum of its inputs (sum_model).
        LayerParams analytic = p;
        if (L.is_compute()) fill_analytic_activation(L, models[l], analytic);
        else fill_sum_requantisation(L, analytic);
        const size_t n = size_t(L.out.channels);
        const ActivationType act = L.activation.type;
        if (act == ActivationType::Thresholds || act == ActivationType::Bipolar) {
            const size_t T = size_t(L.thresholds_per_channel());
            const std::string path = join_path(o.npy_dir, L.name + ".thresholds.npy");
            if (!exists(path)) {
                std::cerr << "qnn-weights: " << L.name << ": no " << path
                          << ", using the generator's analytic thresholds\n";
                p.thresholds = analytic.thresholds;
                continue;
            }
            const NpyArray a = read_npy(path);
            const bool shape_ok = (a.shape.size() == 2 && a.shape[0] == n && a.shape[1] == T) ||
                                  (T == 1 && a.shape.size() == 1 && a.shape[0] == n);
            if (!shape_ok)
                throw NpyError(path, a.header_offset,
                               "shape " + a.shape_string() + ": expected " + shape_of({n, T}) +
                                   " (N, thresholds per channel) for layer '" + L.name + "'");
            p.thresholds.resize(n * T);
            for (size_t i = 0; i < n * T; ++i) {
                p.thresholds[i] = to_int32(a, i, path);
                if (i % T != 0 && p.thresholds[i] < p.thresholds[i - 1])
                    throw NpyError(path, a.data_offset + i * npy_item_size(a.dtype),
                                   "channel " + std::to_string(i / T) + ": threshold " +
                                       std::to_string(i % T) + " (" + std::to_string(p.thresholds[i]) +
                                       ") is below the previous one (" + std::to_string(p.thresholds[i - 1]) +
                                       "): expected ascending thresholds");
            }
        } else if (act == ActivationType::Relu) {
            const std::string bpath = join_path(o.npy_dir, L.name + ".bias.npy");
            const std::string rpath = join_path(o.npy_dir, L.name + ".requant.npy");
            if (!exists(bpath)) {
                std::cerr << "qnn-weights: " << L.name << ": no " << bpath
                          << ", using the generator's analytic bias and requantisation\n";
                p.bias = analytic.bias;
            } else {
                const NpyArray a = read_npy(bpath);
                if (!(a.shape.size() == 1 && a.shape[0] == n) &&
                    !(a.shape.size() == 2 && a.shape[0] == n && a.shape[1] == 1))
                    throw NpyError(bpath, a.header_offset,
                                   "shape " + a.shape_string() + ": expected " + shape_of({n}) +
                                       " (one bias per output channel) for layer '" + L.name + "'");
                p.bias.resize(n);
                for (size_t i = 0; i < n; ++i) p.bias[i] = to_int32(a, i, bpath);
            }
            if (exists(rpath)) {
                const NpyArray a = read_npy(rpath);
                if (a.size() != 2)
                    throw NpyError(rpath, a.header_offset,
                                   "shape " + a.shape_string() + ": expected (2,) holding [mul, shift]");
                p.mul = to_int32(a, 0, rpath);
                p.shift = to_int32(a, 1, rpath);
                if (p.mul < 1)
                    throw NpyError(rpath, a.data_offset, "mul " + std::to_string(p.mul) + ": expected >= 1");
                if (p.shift < 1 || p.shift > 31)
                    throw NpyError(rpath, a.data_offset + npy_item_size(a.dtype),
                                   "shift " + std::to_string(p.shift) + ": expected 1..31");
            } else {
                const AccumulatorModel acc = !L.is_compute() ? sum_model(L)
                                             : L.weights.quant == WeightQuant::Rccm
                                                 ? rccm_accumulator_model(L, p, models[l])
                                                 : accumulator_model(L, p.weights, models[l]);
                analytic_relu_scale(L, acc, p.bias, p.mul, p.shift);
                if (exists(bpath))
                    std::cerr << "qnn-weights: " << L.name << ": no " << rpath
                              << ", using the analytic mul " << p.mul << " and shift " << p.shift << "\n";
            }
        }
    }
    write_weight_file(o.out, cfg, params, o.storage);
    report_written(o.out, cfg, params);
    return 0;
}

int cmd_info(const Options& o) {
    const WeightFileSummary s = summarize_weight_file(o.file);
    std::cout << format_weight_file_summary(s);
    return s.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    cli::Command tool("qnn-weights", "COMMAND [OPTIONS]", "Create and inspect QNN weight files (docs/weights-format.md).");
    tool.notes = "qnn-weights COMMAND --help lists the options of a command.\n" + std::string(kExitStatus);
    const cli::Dispatched command = cli::dispatch(tool, kCommands, argc, argv);
    if (command.exit_code) return *command.exit_code;

    cli::Command cmd("qnn-weights", "", "", command.name);
    Options o;
    RawOptions raw;
    describe(cmd, o, raw);
    const cli::Parsed parsed = cli::parse(cmd, argc - 1, argv + 1);
    if (parsed.exit_code) return *parsed.exit_code;
    try {
        finish(command.name, parsed.values, raw, o);
    } catch (const cli::UsageError& e) {
        return cli::usage_error(cmd, e.what());
    }
    try {
        if (command.name == "generate") return cmd_generate(o);
        if (command.name == "from-npy") return cmd_from_npy(o);
        return cmd_info(o);
    } catch (const ConfigError& e) {
        std::cerr << e.what() << "\n";
        return 1;
    } catch (const WeightFileError& e) {
        std::cerr << e.what() << "\n";
        return 1;
    } catch (const NpyError& e) {
        std::cerr << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "qnn-weights: error: " << e.what() << "\n";
        return 1;
    }
}
