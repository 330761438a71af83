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
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "models/rccm/rccm_topology.hpp"
#include "models/resources/cost_model.hpp"

using namespace qsim;

int main(int argc, char** argv) {
    bool is_signed = true;
    std::vector<int> widths;
    int pe_fan_in = 256, pe_thresholds = 3;
    std::vector<int> pe_simd = {8, 16, 32, 64};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--signed" && i + 1 < argc) {
            is_signed = std::string(argv[++i]) != "0";
        } else if (a == "--pe-fan-in" && i + 1 < argc) {
            pe_fan_in = std::atoi(argv[++i]);
        } else if (a == "--pe-thresholds" && i + 1 < argc) {
            pe_thresholds = std::atoi(argv[++i]);
        } else if (a == "--pe-simd" && i + 1 < argc) {
            pe_simd.clear();
            for (const char* p = argv[++i]; *p;) {
                pe_simd.push_back(std::atoi(p));
                while (*p && *p != ',') ++p;
                if (*p == ',') ++p;
            }
        } else {
            const int w = std::atoi(a.c_str());
            if (w < 2 || w > 24) {
                std::cerr << "rccm_lut_model: widths must be 2..24, got '" << a << "'\n";
                return 2;
            }
            widths.push_back(w);
        }
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
