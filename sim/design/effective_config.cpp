#include "sim/design/effective_config.hpp"

#include <yaml-cpp/yaml.h>

#include "sim/design/fields.hpp"

namespace qsim::design {

namespace {

template <class T>
void put(Given<T>& g, T v) {
    g.value = std::move(v);
    g.given = true;
}

void mark(SectionSpec& s) { s.given = true; }

// The kinds a layer or the resources section set (the others follow resources.ram_style).
void put_styles(RamStyleSpec& s, const RamStyles& r) {
    for (const auto& [kind, name] : EnumText<MemoryKind>::names)
        if (r.style[size_t(kind)]) {
            put(s.of(kind), *r.style[size_t(kind)]);
            mark(s);
        }
}

void effective_layer(LayerSpec& s, const LayerConfig& l) {
    mark(s);
    put(s.name, l.name);
    put(s.type, l.type);
    put(s.folding.pe, l.folding.pe);
    put(s.folding.simd, l.folding.simd);
    put(s.folding.mmv, l.folding.mmv);
    mark(s.folding);
    put(s.fifo_depth, l.fifo_depth);
    put_styles(s.ram_style, l.ram_style);
    put(s.in_channels, l.type == LayerType::Fc ? int(l.in.elements()) : l.in.channels);
    if (l.uses_swu()) {
        put(s.kernel, l.kernel);
        if (l.one_d) put(s.kernel_width, 1);
        put(s.stride, l.stride);
        put(s.padding, Padding{Padding::Mode::Explicit, l.pad_begin, l.pad_end});
        put(s.swu_buffer_rows, l.swu_buffer_rows);
        put(s.swu_write_pixels, l.swu_write_pixels);
    }
    if (l.type == LayerType::Conv) {
        put(s.groups, l.groups);
        put(s.reuse, l.reuse);
        if (s.scaling.given || l.scaling_factors() > 0) {
            mark(s.scaling);
            put(s.scaling.granularity, l.scaling.granularity);
            put(s.scaling.bits, l.scaling.bits);
        }
    }
    if (l.type == LayerType::Add && l.activation.type != ActivationType::None) {
        mark(s.activation);
        put(s.activation.type, l.activation.type);
        put(s.activation.bits, l.activation.bits);
    }
    if (!l.is_compute()) return;
    put(s.filters, l.filters);
    put(s.prune, l.prune);
    s.prune_round.given = l.prune > 0.0;  // only with pruning
    s.prune_round.value = l.prune_round;
    s.grow_to_pe.given = l.grow_to_pe;
    s.grow_to_pe.value = l.grow_to_pe;
    mark(s.weights);
    put(s.weights.quant, l.weights.quant);
    put(s.weights.bits, l.weights.bits);
    s.weights.threshold.given = l.weights.quant == WeightQuant::Ternary;
    s.weights.threshold.value = l.weights.threshold;
    // An rccm scale of 0 means "from the imported weights": left to the default.
    s.weights.scale.given = l.weights.quant == WeightQuant::Uniform ||
                            (l.weights.quant == WeightQuant::Rccm && l.weights.scale > 0.0);
    s.weights.scale.value = l.weights.scale;
    s.weights.rccm.given = l.weights.quant == WeightQuant::Rccm;
    s.weights.rccm.value = l.weights.rccm;
    mark(s.activation);
    put(s.activation.type, l.activation.type);
    s.activation.bits.given = l.activation.type != ActivationType::None;
    s.activation.bits.value = l.activation.bits;
    put(s.datapath, l.datapath);
    put(s.multipliers, l.multipliers);
    s.threshold_storage.given = l.thresholds_per_channel() > 0;
    s.threshold_storage.value = l.threshold_storage;
    put(s.activation_unit, l.activation_unit);
    if (l.decompressor.enabled) {
        mark(s.decompressor);
        put(s.decompressor.encoding, l.decompressor.encoding);
        put(s.decompressor.delta_bits, l.decompressor.delta_bits);
        s.decompressor.batch.given = l.type == LayerType::Fc;
        s.decompressor.batch.value = l.decompressor.batch;
    }
}

nlohmann::json value_json(const Row& r, const void* owner) {
    switch (r.kind) {
        case ValueKind::Integer: return r.get<int>(owner).value;
        case ValueKind::Integer64: return r.get<int64_t>(owner).value;
        case ValueKind::Unsigned: return r.get<uint64_t>(owner).value;
        case ValueKind::Number: return r.get<double>(owner).value;
        case ValueKind::Boolean: return r.get<bool>(owner).value;
        case ValueKind::Padding: {
            const Padding& p = r.get<Padding>(owner).value;
            if (p.mode == Padding::Mode::Same) return "same";
            return nlohmann::json::array({p.begin, p.end});
        }
        case ValueKind::List: return r.get<ListValue>(owner).value;
        default: return r.value_text(owner);
    }
}

nlohmann::json section_json(const Table& t, const void* owner, const LayerSpec* layer) {
    nlohmann::json j = nlohmann::json::object();
    for (const Row& r : t.rows) {
        if (r.kind == ValueKind::Params || (!r.is_given(owner) && r.kind != ValueKind::Sequence)) continue;
        if (layer && r.not_allowed(owner, layer)) continue;
        if (r.kind == ValueKind::Sequence) {
            const auto& spec = *static_cast<const NetworkSpec*>(owner);
            nlohmann::json layers = nlohmann::json::array();
            for (const LayerSpec& l : spec.layers) layers.push_back(section_json(layer_table(), &l, &l));
            j[r.key] = layers;
        } else if (r.kind == ValueKind::Mapping) {
            j[r.key] = section_json(*r.sub, r.sub_owner(const_cast<void*>(owner)), layer);
        } else {
            j[r.key] = value_json(r, owner);
        }
    }
    return j;
}

void emit(YAML::Emitter& out, const nlohmann::json& j) {
    if (j.is_object()) {
        out << YAML::BeginMap;
        for (const auto& [k, v] : j.items()) {
            out << YAML::Key << k << YAML::Value;
            emit(out, v);
        }
        out << YAML::EndMap;
    } else if (j.is_array()) {
        out << YAML::Flow << YAML::BeginSeq;
        for (const auto& v : j) emit(out, v);
        out << YAML::EndSeq;
    } else if (j.is_string()) {
        out << j.get<std::string>();
    } else if (j.is_boolean()) {
        out << (j.get<bool>() ? "true" : "false");
    } else if (j.is_number_float()) {
        out << YAML::Precision(17) << j.get<double>();
    } else {
        out << j.dump();
    }
}

}  // namespace

NetworkSpec effective_spec(const NetworkSpec& spec, const NetworkConfig& d) {
    NetworkSpec s = spec;
    put(s.name, d.name);
    mark(s.device);
    put(s.device.name, d.device.name);
    put(s.device.clock_mhz, d.device.clock_mhz);
    s.device.library.given = !d.device.library.empty();
    s.device.library.value = d.device.library;
    mark(s.input);
    put(s.input.height, d.input.shape.height);
    put(s.input.width, d.input.shape.width);
    put(s.input.channels, d.input.shape.channels);
    put(s.input.bits, d.input.bits);
    put(s.input.is_signed, d.input.is_signed);
    put(s.input.stream_bits, d.input.stream_bits);
    put(s.input.seed, d.input.seed);
    put(s.input.fifo_depth, d.input.fifo_depth);
    mark(s.weights);
    const bool file = d.weights.kind == WeightSource::Kind::File;
    s.weights.generator.given = !file;
    put(s.weights.generator.seed, d.weights.seed);
    put(s.weights.generator.sparsity, d.weights.sparsity);
    s.weights.file.given = file;
    s.weights.file.value = d.weights.path;
    mark(s.run);
    put(s.run.frames, d.run.frames);
    s.run.watchdog_cycles.given = d.run.watchdog_cycles > 0;  // 0: derived from the design
    s.run.watchdog_cycles.value = d.run.watchdog_cycles;
    mark(s.defaults);
    s.defaults.fifo_depth.given = s.defaults.reuse.given = true;
    mark(s.resources);
    put(s.resources.flow, d.resources.flow);
    put(s.resources.bram_ports, d.resources.bram_ports);
    put_styles(s.resources.ram_style, d.resources.ram_style);
    mark(s.power);
    put(s.power.junction_c, d.power.junction_c);
    put(s.power.ddr_channels, d.power.ddr_channels);
    put(s.power.board_w, d.power.board_w);
    if (d.output.enabled) {  // as written, the default of the field not given
        mark(s.output);
        s.output.scale.given = s.output.offset.given = true;
    }
    if (d.host.enabled) {
        const HostConfig& h = d.host;
        mark(s.host);
        put(s.host.architecture, h.architecture);
        put(s.host.timing, h.timing);
        mark(s.host.pcie);
        put(s.host.pcie.generation, h.pcie.generation);
        put(s.host.pcie.lanes, h.pcie.lanes);
        put(s.host.pcie.max_payload_bytes, h.pcie.max_payload_bytes);
        put(s.host.pcie.tlp_overhead_bytes, h.pcie.tlp_overhead_bytes);
        put(s.host.pcie.latency_ns, h.pcie.latency_ns);
        put(s.host.pcie.transfer_overhead_ns, h.pcie.transfer_overhead_ns);
        mark(s.host.dma);
        put(s.host.dma.stream_bits, h.dma.stream_bits);
        put(s.host.dma.clock_mhz, h.dma.clock_mhz);
        put(s.host.quantum_ns, h.quantum_ns);
        put(s.host.host_gops, h.host_gops);
        mark(s.host.loopback);
        put(s.host.loopback.pes, h.loopback_pes);
        put(s.host.loopback.simd, h.loopback_simd);
        put(s.host.loopback.clock_mhz, h.loopback_clock_mhz);
    }
    s.layers.resize(d.layers.size());
    for (size_t i = 0; i < d.layers.size(); ++i) effective_layer(s.layers[i], d.layers[i]);
    return s;
}

nlohmann::json spec_json(const NetworkSpec& spec) { return section_json(network_table(), &spec, nullptr); }

nlohmann::json effective_config_json(const NetworkSpec& spec, const NetworkConfig& d) {
    nlohmann::json j = spec_json(effective_spec(spec, d));
    j["source_file"] = d.source_file;
    j["device"]["derived"] = {{"family", d.device.family}, {"lut", d.device.lut}, {"ff", d.device.ff},
                              {"bram18", d.device.bram18}, {"dsp", d.device.dsp},
                              {"lutram", d.device.lutram}, {"uram", d.device.uram}};
    j["input"]["derived"] = {{"encoding", to_string(d.input.encoding())}};
    if (d.output.enabled) j["output"]["derived"] = {{"scale", d.output.scale}, {"offset", d.output.offset}};
    auto shape = [](const FmShape& s) { return nlohmann::json::array({s.height, s.width, s.channels}); };
    for (size_t i = 0; i < d.layers.size(); ++i) {
        const LayerConfig& l = d.layers[i];
        nlohmann::json derived = {{"in", shape(l.in)},
                                  {"out", shape(l.out)},
                                  {"in_encoding", to_string(l.in_encoding)},
                                  {"in_bits", l.in_bits},
                                  {"out_encoding", to_string(l.out_encoding)},
                                  {"out_bits", l.out_bits}};
        if (l.is_compute()) derived["fan_in"] = l.fan_in();
        if (l.decompressor.enabled) derived["expected_density"] = l.decompressor.expected_density;
        if (l.scaling_factors() > 0) derived["scaling_factors"] = l.scaling_factors();
        j["layers"][i]["derived"] = std::move(derived);
    }
    return j;
}

std::string spec_yaml(const NetworkSpec& spec) {
    YAML::Emitter out;
    emit(out, spec_json(spec));
    return std::string(out.c_str()) + "\n";
}

}  // namespace qsim::design
