#include "models/accelerator/dataflow_timing.hpp"

#include <algorithm>
#include <sstream>

#include "models/concat/concat_timing.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "models/eltwise/add_timing.hpp"
#include "models/fork/fork_timing.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "models/pool/pool_timing.hpp"
#include "models/source/source_timing.hpp"
#include "models/swu/swu_timing.hpp"
#include "models/topk/topk_timing.hpp"

namespace qsim {

uint64_t unit_cycles_per_frame(const LayerConfig& layer) {
    if (layer.decompressor.enabled) return decompressor_cycles_per_frame(layer);  // ch. 3.4.4
    if (layer.type == LayerType::Add) return add_cycles_per_frame(layer);
    if (layer.type == LayerType::Concat) return concat_cycles_per_frame(layer);
    if (layer.type == LayerType::TopK) return topk_cycles_per_frame(layer);
    return layer.is_compute() ? mvtu_cycles_per_frame(layer) : pool_cycles_per_frame(layer);
}

uint64_t layer_ops_per_frame(const LayerConfig& layer) {
    if (layer.is_compute()) return mvtu_ops_per_frame(layer);
    if (layer.type == LayerType::Concat) return uint64_t(layer.out.elements());  // values moved
    if (layer.type == LayerType::TopK) return uint64_t(layer.in.channels);       // values ranked
    return layer.type == LayerType::Add ? add_ops_per_frame(layer) : pool_ops_per_frame(layer);
}

const char* unit_role(const LayerConfig& layer) {
    switch (layer.type) {
        case LayerType::Conv:
        case LayerType::Fc: return "mvtu";
        case LayerType::MaxPool:
        case LayerType::AvgPool: return "pool";
        case LayerType::GlobalMaxPool:
        case LayerType::GlobalAvgPool: return "global_pool";
        case LayerType::Add: return "add";
        case LayerType::Concat: return "concat";
        case LayerType::TopK: return "topk";
    }
    return "";
}

uint64_t layer_cycles_per_frame(const LayerConfig& layer) {
    uint64_t c = unit_cycles_per_frame(layer);
    if (layer.uses_swu())
        c = std::max({c, swu_input_cycles_per_frame(layer), swu_read_cycles_per_frame(layer)});
    return c;
}

namespace {

std::string unit_rule(const LayerConfig& l) {
    std::ostringstream os;
    if (l.decompressor.enabled) {
        // One entry per clock per decompressor lane (docs/sparse.md).
        os << "passes * ceil(N/lanes) * E[entries per row] = " << decompressor_passes_per_frame(l) << " * "
           << (l.out.channels + l.folding.pe - 1) / l.folding.pe << " * "
           << expected_row_entries(l.fan_in(), l.decompressor.expected_density, l.decompressor.delta_bits)
           << " (gamma " << l.decompressor.expected_density << ")";
        if (l.type == LayerType::Fc && l.decompressor.batch > 1) os << " / batch " << l.decompressor.batch;
        return os.str();
    }
    switch (l.type) {
        case LayerType::Conv:
            os << "fan_in/SIMD * N/PE * H_out*ceil(W_out/MMV) = " << mvtu_synapse_folds(l) << " * "
               << mvtu_neuron_folds(l) << " * " << l.out.height << "*" << (l.out.width + l.folding.mmv - 1) / l.folding.mmv;
            if (l.reuse > 1) os << " * reuse " << l.reuse;
            break;
        case LayerType::Fc:
            os << "fan_in/SIMD * N/PE = " << mvtu_synapse_folds(l) << " * " << mvtu_neuron_folds(l);
            break;
        case LayerType::MaxPool:
        case LayerType::AvgPool:
            os << "H_out*W_out * " << (l.one_d ? "K" : "K*K") << " * ceil(C/SIMD) = " << l.out.height << "*"
               << l.out.width << " * " << l.window_area() << " * " << (l.in.channels + l.folding.simd - 1) / l.folding.simd;
            break;
        case LayerType::GlobalMaxPool:
        case LayerType::GlobalAvgPool:
            os << "H_in*W_in * ceil(C/SIMD) = " << l.in.height << "*" << l.in.width << " * "
               << (l.in.channels + l.folding.simd - 1) / l.folding.simd;
            break;
        case LayerType::Add:
        case LayerType::Concat:
            os << "H*W * ceil(C/SIMD) = " << l.out.height << "*" << l.out.width << " * "
               << (l.out.channels + l.folding.simd - 1) / l.folding.simd;
            break;
        case LayerType::TopK:
            os << "ceil(C/SIMD) + k = " << topk_input_cycles(l) << " + " << l.top_k;
            break;
    }
    return os.str();
}

}  // namespace

namespace {

std::string source_rule(const NetworkConfig& net) {
    std::ostringstream os;
    os << "H * ceil(W*C*bits/stream_bits) = " << net.input.shape.height << " * " << source_row_cycles(net.input);
    return os.str();
}

std::string swu_write_rule(const LayerConfig& l) {
    std::ostringstream w;
    const char* lanes = l.is_depthwise() ? "PE" : "SIMD";  // a depthwise SWU moves PE channels
    if (l.swu_write_pixels > 1)
        w << "H_in * ceil(W_in/" << l.swu_write_pixels << ")*ceil(C/" << lanes << ") = ";
    else
        w << "H_in * W_in*ceil(C/" << lanes << ") = ";
    w << l.in.height << " * " << swu_input_cycles_per_row(l);
    return w.str();
}

std::string swu_read_rule(const LayerConfig& l) {
    std::ostringstream r;
    const char* window = l.one_d ? "K" : "K*K";
    r << (l.is_depthwise() ? std::string("H_out * ceil(W_out/MMV)*ceil(C/PE)*ceil(") + window + "/SIMD) = "
                           : std::string("H_out * ceil(W_out/MMV)*") + window + "*ceil(C/SIMD) = ")
      << l.out.height << " * " << swu_window_cycles_per_row(l);
    if (l.reuse > 1) r << " * reuse " << l.reuse;
    if (const int rows = swu_frame_boundary_rows(l))
        r << " + frame boundary " << rows << " * " << swu_input_cycles_per_row(l);
    return r.str();
}

}  // namespace

BlockEstimate source_block(const NetworkConfig& net, bool with_rules) {
    return {"", "source", source_row_cycles(net.input) * uint64_t(net.input.shape.height),
            with_rules ? source_rule(net) : std::string()};
}

void append_layer_blocks(const NetworkConfig& net, size_t i, bool with_rules, std::vector<BlockEstimate>& blocks) {
    const LayerConfig& l = net.layers[i];
    if (l.uses_swu()) {
        blocks.push_back({l.name, "swu_write", swu_input_cycles_per_frame(l), with_rules ? swu_write_rule(l) : std::string()});
        blocks.push_back({l.name, "swu_read", swu_read_cycles_per_frame(l), with_rules ? swu_read_rule(l) : std::string()});
    }
    blocks.push_back({l.name, unit_role(l), unit_cycles_per_frame(l), with_rules ? unit_rule(l) : std::string()});
    if (net.readers(i).size() > 1)
        blocks.push_back({l.name, "fork", fork_cycles_per_frame(l),
                          with_rules ? "H*W = " + std::to_string(l.out.height) + "*" + std::to_string(l.out.width)
                                     : std::string()});
}

DataflowEstimate estimate_dataflow(const NetworkConfig& net, bool with_rules) {
    DataflowEstimate est;
    est.blocks.reserve(1 + 3 * net.layers.size());
    est.blocks.push_back(source_block(net, with_rules));
    for (size_t i = 0; i < net.layers.size(); ++i) append_layer_blocks(net, i, with_rules, est.blocks);
    for (size_t i = 0; i < est.blocks.size(); ++i) {
        if (est.blocks[i].cycles_per_frame > est.interval_cycles) {
            est.interval_cycles = est.blocks[i].cycles_per_frame;
            est.bottleneck = i;
        }
    }
    return est;
}

}  // namespace qsim
