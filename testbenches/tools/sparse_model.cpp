// sparse-model: the effective-throughput model of sparse ternary networks (thesis ch. 3.4.3-
// 3.4.4) for the device of a configuration, as JSON for scripts/sparse_study.py:
//
//   sparse-model --config NET.yaml [--set NAME=VALUE ...] [--gammas 1,0.5,...] [--reuse 1,2,...]
//   sparse-model --help | --version
//
// For each datapath type (XNOR-popcount in LUTs, float add on DSPs): the compute budget, the
// shares C_op and C_d of one MAC lane and one decoder, the dense peak, and C_e and T_e at every
// (gamma, R). Everything comes from the device library and models/resources; nothing is typed
// in. Exit codes: 0 ok, 1 bad configuration, 2 usage.
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/design/config_loader.hpp"
#include "models/resources/cost_model.hpp"
#include "models/resources/effective_throughput.hpp"
#include "testbenches/cli/cli.hpp"

namespace {

using namespace qsim;

std::vector<double> parse_list(const std::string& opt, const std::string& text, double lo, double hi) {
    std::vector<double> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        char* end = nullptr;
        const double v = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !(v > lo && v <= hi))
            throw std::invalid_argument(opt + ": '" + item + "' is not a number in (" + std::to_string(lo) + ", " +
                                        std::to_string(hi) + "]");
        out.push_back(v);
        if (out.size() > 1000) throw std::invalid_argument(opt + ": more than 1000 values");
    }
    if (out.empty()) throw std::invalid_argument(opt + ": empty list");
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::string config;
    std::vector<std::string> set_args;
    std::string gamma_list, reuse_list;
    cli::Command cmd("sparse-model", "--config NET.yaml [--set NAME=VALUE ...] [--gammas LIST] [--reuse LIST]",
                     "Effective-throughput model of sparse ternary networks (thesis ch. 3.4.3-3.4.4) on the\n"
                     "device of a configuration, as JSON.");
    cmd.options.add_options()
        ("config", po::value(&config)->value_name("NET.yaml"), "network configuration (required)")
        ("set", po::value(&set_args)->value_name("NAME=VALUE")->composing(), "override a config parameter")
        ("gammas", po::value(&gamma_list)->value_name("LIST"),
         "densities gamma, comma-separated, each in (0, 1] (default 1,0.5,0.25,0.1,0.05,0.024)")
        ("reuse", po::value(&reuse_list)->value_name("LIST"),
         "reuse factors R, comma-separated, each >= 1 (default 1,2,4,...,256)");
    cmd.notes = "exit status: 0 ok, 1 bad configuration, 2 usage error\n";
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;

    std::map<std::string, std::string> sets;
    std::vector<double> gammas = {1.0, 0.5, 0.25, 0.1, 0.05, 0.024};
    std::vector<double> reuse = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    try {
        for (const std::string& kv : set_args) {
            const size_t p = kv.find('=');
            if (p == std::string::npos || p == 0) throw std::invalid_argument("--set: expected NAME=VALUE");
            sets[kv.substr(0, p)] = kv.substr(p + 1);
        }
        if (parsed.values.count("gammas")) gammas = parse_list("--gammas", gamma_list, 0.0, 1.0);
        if (parsed.values.count("reuse")) reuse = parse_list("--reuse", reuse_list, 0.999999, 1e12);
        if (config.empty()) throw std::invalid_argument("--config is required");
    } catch (const std::invalid_argument& e) {
        return cli::usage_error(cmd, e.what());
    }
    try {
        const NetworkConfig net = load_network_config(config, sets);
        nlohmann::json j;
        j["device"] = {{"name", net.device.name}, {"lut", net.device.lut}, {"dsp", net.device.dsp}};
        j["clock_mhz"] = net.device.clock_mhz;
        j["constants"] = {{"lut_per_xnor_popcount_mac", cost::kLutPerXnorPopcountMac},
                          {"dsp_per_float_adder", cost::kDspPerFloatAdder},
                          {"rle_decoder_lut", cost::kRleDecoderLut},
                          {"compute_lut_share", cost::kComputeLutShare},
                          {"compute_dsp_share", cost::kComputeDspShare},
                          {"ops_per_mac", cost::kOpsPerMac}};
        nlohmann::json models = nlohmann::json::array();
        for (SparseDatapath d : {SparseDatapath::XnorPopcount, SparseDatapath::FloatAdd}) {
            const SparseCostModel m = sparse_cost_model(net.device, d, net.device.clock_mhz);
            nlohmann::json points = nlohmann::json::array();
            for (double g : gammas)
                for (double r : reuse)
                    points.push_back({{"gamma", g},
                                      {"reuse", r},
                                      {"c_e", m.effective_cost(g, r)},
                                      {"t_e_ops", m.effective_ops(g, r)}});
            models.push_back({{"datapath", to_string(d)},
                              {"lut_budget", m.lut_budget},
                              {"dsp_budget", m.dsp_budget},
                              {"mac_luts", m.mac_luts},
                              {"mac_dsps", m.mac_dsps},
                              {"decoder_luts", m.decoder_luts},
                              {"c_op", m.c_op},
                              {"c_d", m.c_d},
                              {"dense_peak_ops", m.dense_peak_ops()},
                              {"points", points}});
        }
        j["models"] = models;
        std::cout << j.dump(2) << "\n";
    } catch (const ConfigError& e) {
        std::cerr << e.what() << "\n";
        return 1;
    } catch (const std::invalid_argument& e) {
        std::cerr << "sparse-model: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
