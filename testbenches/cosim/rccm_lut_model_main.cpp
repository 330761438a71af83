// rccm_lut_model: the simulator's structural LUT figure of each RCCM for given input widths,
// as JSON, for testbenches/cosim/make_cosim_doc.py: cost::rccm_multiplier_luts of the resource
// model (docs/resources.md: one LUT per bit of each stage's ripple-carry adder, the multiplexer
// and the sign control of a base topology folded into the same LUT, thesis Fig. 6.3), with the
// stage widths it sums (rccm_stage_adder_bits, models/rccm/rccm_topology).
//
// It also gives the same model's figure for one XNOR-popcount PE (rtl/xnor_popcount_pe.sv) of
// SIMD lanes in an fc layer of `--pe-fan-in` inputs with `--pe-thresholds` thresholds per
// channel: the popcount adder tree, the accumulator and the comparators (cost_model.hpp).
//
//   rccm_lut_model [--signed 0|1] [--pe-fan-in N] [--pe-thresholds T] [--pe-simd S,...] WIDTH...
//   rccm_lut_model --help | --version
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "models/rccm/rccm_topology.hpp"
#include "models/resources/cost_model.hpp"
#include "testbenches/cli/cli.hpp"

using namespace qsim;

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    // --signed: any text but 0 means signed; the widths are checked below with this tool's message.
    std::string signed_text = "1", simd_text;
    std::vector<std::string> width_args;
    int pe_fan_in = 256, pe_thresholds = 3;
    cli::Command cmd("rccm_lut_model", "[--signed 0|1] [--pe-fan-in N] [--pe-thresholds T] [--pe-simd S,...] [WIDTH...]",
                     "The resource model's LUT figure of each RCCM for the given input widths (default\n"
                     "4 8 12 16) and of one XNOR-popcount PE per SIMD width, as JSON (make_cosim_doc.py).");
    cmd.options.add_options()
        ("signed", po::value(&signed_text)->value_name("0|1"), "signed inputs (default 1)")
        ("pe-fan-in", po::value(&pe_fan_in)->value_name("N"), "fan-in of the PE's fc layer (default 256)")
        ("pe-thresholds", po::value(&pe_thresholds)->value_name("T"), "thresholds per channel (default 3)")
        ("pe-simd", po::value(&simd_text)->value_name("S,..."), "SIMD widths of the PE (default 8,16,32,64)");
    cmd.hidden.add_options()("width", po::value(&width_args));
    cmd.positional.add("width", -1);
    cmd.notes = "WIDTH: RCCM input width in bits, 2..24. exit status: 0 ok, 2 usage error\n";
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    const bool is_signed = signed_text != "0";
    if (pe_fan_in < 1 || pe_fan_in > 1 << 20 || pe_thresholds < 0 || pe_thresholds > 1 << 16)
        return cli::usage_error(cmd, "--pe-fan-in must be in 1..1048576 and --pe-thresholds in 0..65536");
    std::vector<int> pe_simd = {8, 16, 32, 64};
    std::vector<int> widths;
    try {
        if (parsed.values.count("pe-simd")) {
            pe_simd.clear();
            std::stringstream list(simd_text);
            for (std::string item; std::getline(list, item, ',');)
                pe_simd.push_back(int(cli::parse_count("--pe-simd", item, 1, uint64_t(pe_fan_in))));
        }
        for (const std::string& a : width_args) widths.push_back(int(cli::parse_count("WIDTH", a, 2, 24)));
    } catch (const std::exception& e) {
        return cli::usage_error(cmd, e.what());
    }
    if (widths.empty()) widths = {4, 8, 12, 16};
    std::cout << "{\"rule\": \"one LUT per adder bit (docs/resources.md)\", \"signed\": " << (is_signed ? "true" : "false")
              << ", \"rccm\": {";
    bool first_kind = true;
    for (RccmKind k : {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4}) {
        const RccmCircuit c = rccm_circuit(k);
        std::cout << (first_kind ? "" : ", ") << "\"" << rccm_name(k) << "\": {";
        first_kind = false;
        for (size_t j = 0; j < widths.size(); ++j) {
            // An RCCM layer on inputs of this width: the resource model's own figure.
            LayerConfig l;
            l.weights.quant = WeightQuant::Rccm;
            l.weights.rccm = k;
            l.weights.bits = rccm_select_bits(k);
            l.in_bits = widths[j];
            l.in_encoding = is_signed ? Encoding::Signed : Encoding::Unsigned;
            l.datapath = Datapath::Rccm;
            const std::vector<int> bits = rccm_stage_adder_bits(c, widths[j], is_signed);
            std::cout << (j ? ", " : "") << "\"" << widths[j] << "\": {\"stages\": [";
            for (size_t i = 0; i < bits.size(); ++i) std::cout << (i ? ", " : "") << bits[i];
            std::cout << "], \"luts\": " << cost::rccm_multiplier_luts(l)
                      << ", \"product_bits\": " << cost::rccm_product_width(l) << "}";
        }
        std::cout << "}";
    }
    std::cout << "}, \"pe\": {\"fan_in\": " << pe_fan_in << ", \"thresholds\": " << pe_thresholds << ", \"simd\": {";
    for (size_t j = 0; j < pe_simd.size(); ++j) {
        LayerConfig l;
        l.type = LayerType::Fc;
        l.in = {1, 1, pe_fan_in};
        l.out = {1, 1, pe_simd[j]};
        l.folding.simd = pe_simd[j];
        l.in_encoding = Encoding::Bipolar;
        l.in_bits = 1;
        l.weights.quant = WeightQuant::Binary;
        l.weights.bits = 1;
        l.datapath = Datapath::XnorPopcount;
        const int acc = cost::accumulator_bits(l);
        const uint64_t tree = cost::adder_tree_luts(uint64_t(pe_simd[j]), cost::product_bits(l));
        const uint64_t acc_luts = uint64_t(acc) * cost::kLutPerAdderBit;
        const uint64_t cmp = uint64_t(pe_thresholds) * uint64_t(acc) * cost::kLutPerComparatorBit;
        std::cout << (j ? ", " : "") << "\"" << pe_simd[j] << "\": {\"acc_bits\": " << acc << ", \"tree\": " << tree
                  << ", \"accumulator\": " << acc_luts << ", \"comparators\": " << cmp
                  << ", \"luts\": " << tree + acc_luts + cmp << "}";
    }
    std::cout << "}}}\n";
    return 0;
}
