#include "sim/design/config_json.hpp"

#include "models/decompressor/ternary_codec.hpp"

namespace qsim {

namespace {

const char* rccm_config_name(RccmKind k) {
    switch (k) {
        case RccmKind::Add2: return "2add";
        case RccmKind::Add3: return "3add";
        case RccmKind::Add4: return "4add";
    }
    return "?";
}

nlohmann::json shape_json(const FmShape& s) { return nlohmann::json::array({s.height, s.width, s.channels}); }

nlohmann::json layer_json(const LayerConfig& l) {
    nlohmann::json j;
    j["name"] = l.name;
    j["type"] = to_string(l.type);
    if (l.uses_swu()) {
        j["kernel"] = l.kernel;
        j["stride"] = l.stride;
        j["pad"] = nlohmann::json::array({l.pad_begin, l.pad_end});
    }
    if (l.type == LayerType::Conv) j["groups"] = l.groups;
    if (l.is_compute()) {
        j["filters"] = l.filters;
        j["prune"] = l.prune;
        if (l.prune > 0.0)
            j["prune_round"] = l.prune_round == PruneRound::Up     ? "up"
                               : l.prune_round == PruneRound::Down ? "down"
                                                                   : "nearest";
        if (l.grow_to_pe) j["grow_to_pe"] = true;
    }
    j["in"] = shape_json(l.in);
    j["out"] = shape_json(l.out);
    j["in_encoding"] = to_string(l.in_encoding);
    j["in_bits"] = l.in_bits;
    j["out_encoding"] = to_string(l.out_encoding);
    j["out_bits"] = l.out_bits;
    if (l.is_compute()) {
        j["weights"] = {{"quant", to_string(l.weights.quant)},
                        {"bits", l.weights.bits},
                        {"threshold", l.weights.threshold},
                        {"scale", l.weights.scale}};
        j["activation"] = {{"type", to_string(l.activation.type)}, {"bits", l.activation.bits}};
        j["datapath"] = to_string(l.datapath);
        if (l.thresholds_per_channel() > 0)
            j["threshold_storage"] =
                l.threshold_storage == LayerConfig::ThresholdStorage::Memory ? "memory" : "constant";
        j["multipliers"] = l.multipliers == LayerConfig::Multipliers::Dsp ? "dsp" : "lut";
        if (l.weights.quant == WeightQuant::Rccm) j["weights"]["rccm"] = rccm_config_name(l.weights.rccm);
        j["activation_unit"] = l.activation_unit == LayerConfig::ActivationUnit::PerPe ? "per_pe" : "after_fan_in";
    }
    if (l.decompressor.enabled)
        j["decompressor"] = {{"encoding", to_string(l.decompressor.encoding)},
                             {"delta_bits", l.decompressor.delta_bits},
                             {"batch", l.decompressor.batch},
                             {"expected_density", l.decompressor.expected_density}};
    if (l.scaling_factors() > 0)
        j["scaling"] = {{"granularity", l.scaling.granularity == ScalingGranularity::Row ? "row" : "pixel"},
                        {"bits", l.scaling.bits},
                        {"factors", l.scaling_factors()}};
    j["folding"] = {{"pe", l.folding.pe}, {"simd", l.folding.simd}, {"mmv", l.folding.mmv}};
    if (l.type == LayerType::Conv) j["reuse"] = l.reuse;
    j["fifo_depth"] = l.fifo_depth;
    if (l.uses_swu()) {
        j["swu_buffer_rows"] = l.swu_buffer_rows;
        j["swu_write_pixels"] = l.swu_write_pixels;
    }
    return j;
}

}  // namespace

nlohmann::json config_to_json(const NetworkConfig& cfg) {
    nlohmann::json j;
    j["name"] = cfg.name;
    j["source_file"] = cfg.source_file;
    j["device"] = {{"name", cfg.device.name},
                   {"clock_mhz", cfg.device.clock_mhz},
                   {"family", cfg.device.family},
                   {"library", cfg.device.library},
                   {"lut", cfg.device.lut},
                   {"ff", cfg.device.ff},
                   {"bram18", cfg.device.bram18},
                   {"dsp", cfg.device.dsp}};
    j["input"] = {{"height", cfg.input.shape.height},
                  {"width", cfg.input.shape.width},
                  {"channels", cfg.input.shape.channels},
                  {"bits", cfg.input.bits},
                  {"signed", cfg.input.is_signed},
                  {"encoding", to_string(cfg.input.encoding())},
                  {"stream_bits", cfg.input.stream_bits},
                  {"fifo_depth", cfg.input.fifo_depth},
                  {"seed", cfg.input.seed}};
    if (cfg.weights.kind == WeightSource::Kind::File)
        j["weights"] = {{"source", "file"}, {"path", cfg.weights.path}};
    else
        j["weights"] = {{"source", "generator"},
                        {"seed", cfg.weights.seed},
                        {"sparsity", cfg.weights.sparsity}};
    j["run"] = {{"frames", cfg.run.frames}, {"watchdog_cycles", cfg.run.watchdog_cycles}};
    j["resources"] = {{"flow", cfg.resources.flow == ResourceFlow::Implementation ? "implementation"
                                                                                  : "hls_estimate"}};
    j["resources"]["bram_ports"] = cfg.resources.bram_ports == BramPorts::SimpleDual ? "simple_dual" : "true_dual";
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : cfg.layers) layers.push_back(layer_json(l));
    j["layers"] = std::move(layers);
    return j;
}

}  // namespace qsim
