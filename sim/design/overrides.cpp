#include "sim/design/overrides.hpp"

#include <algorithm>

#include "sim/design/fields.hpp"

namespace qsim::design {

namespace {

// A field found by its dotted path from a table: its row and the section that holds it.
struct Target {
    const Row* row = nullptr;
    void* owner = nullptr;
    std::vector<SectionSpec*> sections;  // the sections walked through, outermost first
};

// Walks `path` ("folding.pe") from table `t` in `owner`; nothing when a part names no field.
std::optional<Target> resolve(const Table& t, void* owner, const std::string& path) {
    Target out;
    const Table* table = &t;
    out.owner = owner;
    size_t start = 0;
    for (;;) {
        const size_t dot = path.find('.', start);
        const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const Row* row = table->find(part);
        if (!row) return std::nullopt;
        if (dot == std::string::npos) {
            const bool scalar_section = row->kind == ValueKind::Mapping && row->sub->scalar_sets_all;
            if (!scalar_section &&
                (row->kind == ValueKind::Mapping || row->kind == ValueKind::Sequence || row->kind == ValueKind::Params))
                return std::nullopt;
            out.row = row;
            return out;
        }
        if (row->kind != ValueKind::Mapping) return std::nullopt;
        out.sections.push_back(row->section(out.owner));
        out.owner = row->sub_owner(out.owner);
        table = row->sub;
        start = dot + 1;
    }
}

// The short names of layer fields, and which layers `*.NAME` touches.
struct Alias {
    const char* name;
    const char* path;
    unsigned wildcard_types;
};
constexpr Alias kAliases[] = {{"pe", "folding.pe", kCompute},  {"simd", "folding.simd", kAllLayerTypes},
                              {"mmv", "folding.mmv", kConv},    {"reuse", "reuse", kConv},
                              {"prune", "prune", kCompute},     {"abits", "activation.bits", kCompute},
                              {"wbits", "weights.bits", kCompute}};

const Alias* alias_of(const std::string& field) {
    for (const Alias& a : kAliases)
        if (field == a.name) return &a;
    return nullptr;
}

// The layer types `*.FIELD` touches: the alias's, or those of the field's top-level row.
unsigned wildcard_types(const std::string& field) {
    if (const Alias* a = alias_of(field)) return a->wildcard_types;
    const Row* row = layer_table().find(field.substr(0, field.find('.')));
    return row ? row->types : 0;
}

std::string path_of(const std::string& field) {
    const Alias* a = alias_of(field);
    return a ? a->path : field;
}

void mark_given(const std::vector<SectionSpec*>& sections, Origin at) {
    for (SectionSpec* s : sections)
        if (!s->given) {
            s->given = true;
            s->at = at;
        }
}

// Parses `value` into the target: its field, or every field of a section written as one
// scalar (`conv1.ram_style=block`).
std::optional<std::string> set_target(const Target& t, const std::string& value, Origin at) {
    const std::string shown = "'" + value + "'";
    if (t.row->kind != ValueKind::Mapping) return parse_value(*t.row, t.owner, value, at, shown);
    mark_given({t.row->section(t.owner)}, at);
    void* sub = t.row->sub_owner(t.owner);
    for (const Row& field : t.row->sub->rows)
        if (auto e = parse_value(field, sub, value, at, shown)) return e;
    return std::nullopt;
}

std::optional<Violation> set_layer_field(LayerSpec& l, size_t index, const std::string& field, const std::string& value,
                                         Origin at) {
    const std::string lpath = "layers[" + std::to_string(index) + "]";
    const std::string path = path_of(field);
    auto target = resolve(layer_table(), &l, path);
    if (!target) throw std::invalid_argument("no layer field '" + field + "'");
    mark_given(target->sections, at);
    if (auto e = set_target(*target, value, at)) return Violation{lpath + "." + path, at, *e};
    if (field == "wbits") {
        // One bit is binary, more uniform; the fields of the old quantisation go with it.
        const bool binary = l.weights.bits.value == 1;
        l.weights.quant.set(binary ? WeightQuant::Binary : WeightQuant::Uniform, at);
        l.weights.threshold.given = l.weights.scale.given = l.weights.rccm.given = false;
    }
    return std::nullopt;
}

}  // namespace

void check_override_name(const NetworkSpec& spec, const std::string& name) {
    NetworkSpec copy = spec;
    apply_override(copy, name, "0", Origin{});
}

std::optional<Violation> apply_override(NetworkSpec& spec, const std::string& name, const std::string& value, Origin at) {
    const size_t dot = name.find('.');
    if (name == "clock_mhz") return apply_override(spec, "device.clock_mhz", value, at);
    if (dot == std::string::npos || dot == 0 || dot + 1 == name.size())
        throw std::invalid_argument("'" + name + "': expected LAYER.FIELD, *.FIELD, SECTION.FIELD or clock_mhz");
    const std::string head = name.substr(0, dot), field = name.substr(dot + 1);
    if (head == "*") {
        if (!resolve(layer_table(), &spec.layers.front(), path_of(field)))
            throw std::invalid_argument("'" + name + "': no layer field '" + field + "'");
        const unsigned types = wildcard_types(field);
        for (size_t i = 0; i < spec.layers.size(); ++i) {
            LayerSpec& l = spec.layers[i];
            if (!(types & layer_type_bit(l.type.value))) continue;
            if (field == "abits" && l.activation.type.value != ActivationType::Thresholds) continue;
            if (auto v = set_layer_field(l, i, field, value, at)) return v;
        }
        return std::nullopt;
    }
    for (size_t i = 0; i < spec.layers.size(); ++i)
        if (spec.layers[i].name.value == head) {
            try {
                return set_layer_field(spec.layers[i], i, field, value, at);
            } catch (const std::invalid_argument& e) {
                throw std::invalid_argument("'" + name + "': " + e.what() + " in layer " + head);
            }
        }
    const Row* section = network_table().find(head);
    if (section && section->kind == ValueKind::Mapping) {
        auto target = resolve(network_table(), &spec, name);
        if (!target) throw std::invalid_argument("'" + name + "': no field '" + field + "' in " + head);
        mark_given(target->sections, at);
        if (auto e = set_target(*target, value, at)) return Violation{name, at, *e};
        return std::nullopt;
    }
    std::vector<std::string> names;
    for (const LayerSpec& l : spec.layers) names.push_back(l.name.value);
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("'" + name + "': the configuration has no layer '" + head + "' (layers: " + known +
                                "; sections: device, input, weights, run, defaults, host, resources, output)");
}

}  // namespace qsim::design
