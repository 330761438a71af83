#include "sim/report/graph_dot.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace qsim {

namespace {

// A DOT string literal.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string shape_text(const FmShape& s) {
    return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.channels);
}

std::string fifo_label(int peak, int depth) {
    return std::to_string(depth) + " rows, peak " + std::to_string(peak);
}

}  // namespace

std::string graph_dot(const NetworkConfig& net, const RunResult& r) {
    std::ostringstream os;
    os << "digraph " << quoted(net.name) << " {\n"
       << "  rankdir=TB;\n"
       << "  label=" << quoted(net.name + ": " + std::to_string(r.interval_cycles) + " cycles a frame simulated, " +
                               std::to_string(r.estimate_interval_cycles) + " analytical; shade = busy fraction") << ";\n"
       << "  labelloc=t;\n"
       << "  node [shape=box, style=\"rounded,filled\", colorscheme=oranges9, fontname=\"Helvetica\", fontsize=10];\n"
       << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    os << "  input [shape=ellipse, fillcolor=1, label="
       << quoted("input\n" + shape_text(net.input.shape) + " " + std::to_string(net.input.bits) + "-bit") << "];\n";
    const size_t shown = std::min(net.layers.size(), r.layers.size());
    for (size_t i = 0; i < shown; ++i) {
        const LayerConfig& l = net.layers[i];
        const LayerResult& lr = r.layers[i];
        const double busy = std::clamp(lr.busy_fraction, 0.0, 1.0);
        const int shade = 1 + int(std::lround(busy * 7.0));
        std::string label = l.name + "\n" + lr.type;
        if (l.uses_swu()) label += " " + std::to_string(l.kernel) + "x" + std::to_string(l.kernel_cols());
        if (l.stride > 1) label += " /" + std::to_string(l.stride);
        label += "\n" + shape_text(l.out) + " " + std::to_string(l.out_bits) + "-bit\nbusy " +
                 std::to_string(int(std::lround(100.0 * busy))) + "%";
        os << "  L" << i << " [fillcolor=" << shade << (l.name == r.bottleneck_layer ? ", penwidth=3" : "")
           << ", label=" << quoted(label) << "];\n";
    }
    os << "  output [shape=ellipse, fillcolor=1, label=\"output\"];\n";
    auto node = [](int i) { return i < 0 ? std::string("input") : "L" + std::to_string(i); };
    for (size_t j = 0; j < shown; ++j) {
        const std::vector<int> from = net.inputs_of(j);
        for (size_t k = 0; k < from.size(); ++k) {
            std::string label;
            if (from[k] < 0) {
                label = std::to_string(net.input.fifo_depth) + " rows";
            } else {
                const LayerResult& p = r.layers[size_t(from[k])];
                label = fifo_label(p.fifo_peak, p.fifo_depth);
                for (const auto& b : p.branches)
                    if (b.reader == net.layers[j].name) label = "branch " + fifo_label(b.peak, b.depth);
            }
            os << "  " << node(from[k]) << " -> " << node(int(j)) << " [label=" << quoted(label) << "];\n";
        }
    }
    if (shown > 0) {
        const LayerResult& last = r.layers[shown - 1];
        os << "  L" << shown - 1 << " -> output [label=" << quoted(fifo_label(last.fifo_peak, last.fifo_depth))
           << "];\n";
    }
    os << "}\n";
    return os.str();
}

}  // namespace qsim
