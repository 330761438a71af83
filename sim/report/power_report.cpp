#include "sim/report/power_report.hpp"

#include <algorithm>
#include <iomanip>
#include <vector>

#include "models/common/text_format.hpp"

namespace qsim {

namespace {

std::string watts(double w) { return fmt("%.3f", w); }

}  // namespace

void print_power(std::ostream& os, const PowerReport& p) {
    if (!p.modelled) return;
    os << "power (docs/power.md): " << p.family << " coefficients, activity from " << p.activity << ", "
       << fmt("%.1f", p.clock_hz / 1e6) << " MHz, junction " << fmt("%.0f", p.junction_c) << " C\n"
       << std::left << std::setw(12) << "block" << std::right << std::setw(9) << "clock W" << std::setw(9)
       << "logic W" << std::setw(10) << "memory W" << std::setw(8) << "DSP W" << std::setw(10) << "signal W"
       << std::setw(10) << "total W" << "\n";
    auto row = [&](const std::string& label, const BlockPower& b) {
        os << std::left << std::setw(12) << label << std::right << std::setw(9) << watts(b.clock_w) << std::setw(9)
           << watts(b.logic_w) << std::setw(10) << watts(b.memory_w) << std::setw(8) << watts(b.dsp_w)
           << std::setw(10) << watts(b.signal_w) << std::setw(10) << watts(b.total()) << "\n";
    };
    // One row per layer, the blocks outside the layers one row each (as the resource table).
    std::vector<std::string> order;
    auto key = [](const BlockPower& b) { return b.layer.empty() ? (b.block == "fifo" ? "input" : b.block) : b.layer; };
    for (const auto& b : p.blocks)
        if (std::find(order.begin(), order.end(), key(b)) == order.end()) order.push_back(key(b));
    for (const auto& k : order) {
        BlockPower sum;
        for (const auto& b : p.blocks) {
            if (key(b) != k) continue;
            sum.clock_w += b.clock_w;
            sum.logic_w += b.logic_w;
            sum.memory_w += b.memory_w;
            sum.dsp_w += b.dsp_w;
            sum.signal_w += b.signal_w;
        }
        row(k == "host_link" ? "host link" : k, sum);
    }
    BlockPower total{"", "", p.clock_w, p.logic_w, p.memory_w, p.dsp_w, p.signal_w};
    row("dynamic", total);
    os << "static         " << watts(p.static_w) << " W (the device at " << fmt("%.0f", p.junction_c) << " C)\n"
       << "board          PCIe " << watts(p.pcie_w) << " W, DDR " << watts(p.ddr_w) << " W, other "
       << watts(p.board_extra_w) << " W\n";
}

std::string power_summary(const PowerReport& p) {
    std::string s = fmt("%.2f", p.total_w) + " W board (dynamic " + fmt("%.2f", p.dynamic_w) + ", static " +
                    fmt("%.2f", p.static_w);
    if (p.pcie_w > 0) s += ", PCIe " + fmt("%.2f", p.pcie_w);
    if (p.ddr_w > 0) s += ", DDR " + fmt("%.2f", p.ddr_w);
    if (p.board_extra_w > 0) s += ", other " + fmt("%.2f", p.board_extra_w);
    s += ")";
    if (p.frames_per_second > 0)
        s += ", " + fmt("%.3f", p.energy_per_frame_j * 1e3) + " mJ/frame, " + fmt("%.1f", p.frames_per_joule) +
             " frames/J";
    return s;
}

nlohmann::json activity_json(const LayerResult& l) {
    auto rates = [](const OperandActivity& a) {
        return nlohmann::json{{"words", a.words}, {"toggle_rate", a.toggle_rate()}, {"nonzero_rate", a.nonzero_rate()}};
    };
    return {{"operands", rates(l.operand_activity)},
            {"weights_per_pass", rates(l.weight_activity)},
            {"outputs", rates(l.output_activity)}};
}

nlohmann::json power_json(const PowerReport& p) {
    nlohmann::json blocks = nlohmann::json::array();
    for (const auto& b : p.blocks)
        blocks.push_back({{"layer", b.layer},     {"block", b.block},   {"clock_w", b.clock_w},
                          {"logic_w", b.logic_w}, {"memory_w", b.memory_w}, {"dsp_w", b.dsp_w},
                          {"signal_w", b.signal_w}, {"total_w", b.total()}});
    return {{"modelled", p.modelled},
            {"coefficients", p.family},
            {"activity", p.activity},
            {"calibration", p.calibration},
            {"clock_mhz", p.clock_hz / 1e6},
            {"junction_c", p.junction_c},
            {"total_w", p.total_w},
            {"dynamic_w", p.dynamic_w},
            {"static_w", p.static_w},
            {"board", {{"pcie_w", p.pcie_w}, {"ddr_w", p.ddr_w}, {"other_w", p.board_extra_w}}},
            {"dynamic", {{"clock_w", p.clock_w}, {"logic_w", p.logic_w}, {"memory_w", p.memory_w},
                         {"dsp_w", p.dsp_w}, {"signal_w", p.signal_w}}},
            {"energy_per_frame_j", p.energy_per_frame_j},
            {"frames_per_joule", p.frames_per_joule},
            {"blocks", blocks}};
}

}  // namespace qsim
