#include "sim/sweep/design_space.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "models/common/rng.hpp"
#include "sim/design/folding_rules.hpp"

namespace qsim::sweep {

namespace {

const char* const kLayerFields[] = {"pe", "simd", "mmv", "reuse", "prune", "wbits", "abits"};

bool is_layer_field(const std::string& f) {
    return std::find(std::begin(kLayerFields), std::end(kLayerFields), f) != std::end(kLayerFields);
}

long long parse_int(const std::string& name, const std::string& t) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || errno == ERANGE)
        throw std::invalid_argument("axis " + name + ": expected an integer, got '" + t + "'");
    return v;
}

double parse_number(const std::string& name, const std::string& t) {
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0' || !std::isfinite(v))
        throw std::invalid_argument("axis " + name + ": expected a number, got '" + t + "'");
    return v;
}

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace

std::vector<std::string> parse_values(const std::string& name, const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item = trim(item);
        const size_t dots = item.find("..");
        if (dots == std::string::npos) {
            if (item.empty()) throw std::invalid_argument("axis " + name + ": empty value in '" + text + "'");
            out.push_back(item);
            continue;
        }
        // A..B (every integer) or A..B*F (multiplying by F).
        const std::string a = item.substr(0, dots);
        std::string b = item.substr(dots + 2);
        long long factor = 0;
        if (const size_t star = b.find('*'); star != std::string::npos) {
            factor = parse_int(name, b.substr(star + 1));
            b = b.substr(0, star);
            if (factor < 2) throw std::invalid_argument("axis " + name + ": the factor of '" + item + "' must be >= 2");
        }
        const long long lo = parse_int(name, a), hi = parse_int(name, b);
        if (lo > hi || (factor && lo < 1))
            throw std::invalid_argument("axis " + name + ": empty or invalid range '" + item + "'");
        if (!factor && hi - lo > 1000000) throw std::invalid_argument("axis " + name + ": range '" + item + "' is too long");
        for (long long v = lo; v <= hi; v = factor ? v * factor : v + 1) out.push_back(std::to_string(v));
    }
    if (out.empty()) throw std::invalid_argument("axis " + name + ": no values");
    return out;
}

Axis parse_axis(const std::string& text) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        throw std::invalid_argument("axis '" + text + "': expected NAME=VALUES, e.g. conv2.pe=11,22,77");
    Axis a;
    a.name = trim(text.substr(0, eq));
    a.values = parse_values(a.name, text.substr(eq + 1));
    if (a.name == "clock_mhz") {
        a.field = "clock_mhz";
    } else if (a.name.rfind("param.", 0) == 0) {
        a.is_param = true;
        a.field = a.name.substr(6);
        if (a.field.empty()) throw std::invalid_argument("axis '" + a.name + "': expected param.NAME");
    } else {
        const size_t dot = a.name.rfind('.');
        if (dot == std::string::npos || dot == 0)
            throw std::invalid_argument("axis '" + a.name + "': expected LAYER.FIELD, *.FIELD, clock_mhz or param.NAME");
        a.layer = a.name.substr(0, dot);
        a.field = a.name.substr(dot + 1);
        if (!is_layer_field(a.field))
            throw std::invalid_argument("axis '" + a.name + "': unknown field '" + a.field +
                                        "'; expected one of pe, simd, mmv, reuse, prune, wbits, abits");
    }
    return a;
}

uint64_t DesignSpace::grid_size() const {
    uint64_t n = 1;
    for (const auto& a : axes) {
        if (n > UINT64_MAX / a.values.size()) return UINT64_MAX;
        n *= a.values.size();
    }
    return n;
}

uint64_t DesignSpace::point_count() const {
    return sample.mode == SampleSpec::Mode::Grid ? grid_size() : sample.points;
}

std::vector<uint32_t> DesignSpace::point(uint64_t index) const {
    std::vector<uint32_t> p(axes.size());
    if (sample.mode == SampleSpec::Mode::Grid) {
        for (size_t i = axes.size(); i-- > 0;) {
            const uint64_t n = axes[i].values.size();
            p[i] = uint32_t(index % n);
            index /= n;
        }
    } else {
        Rng rng(Rng::mix(sample.seed, index));
        for (size_t i = 0; i < axes.size(); ++i) p[i] = rng.below(uint32_t(axes[i].values.size()));
    }
    return p;
}

std::string DesignSpace::encode(const std::vector<uint32_t>& point) const {
    std::string s;
    for (size_t i = 0; i < axes.size(); ++i) {
        if (i) s += ';';
        s += axes[i].name + "=" + axes[i].values[point[i]];
    }
    return s;
}

bool DesignSpace::has_param_axes() const {
    return std::any_of(axes.begin(), axes.end(), [](const Axis& a) { return a.is_param; });
}

std::string DesignSpace::digest() const {
    std::ostringstream os;
    os << "config=" << config << "\n";
    std::ifstream f(config, std::ios::binary);
    std::stringstream text;
    text << f.rdbuf();
    os << "config_text=" << fnv1a(text.str()) << "\n";
    for (const auto& [k, v] : base_params) os << "set " << k << "=" << v << "\n";
    for (const auto& a : axes) {
        os << "axis " << a.name << "=";
        for (const auto& v : a.values) os << v << ",";
        os << "\n";
    }
    os << "sample=" << (sample.mode == SampleSpec::Mode::Grid ? "grid" : "random") << "," << sample.points << ","
       << sample.seed << "\n";
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)fnv1a(os.str()));
    return buf;
}

Assignments assignments(const DesignSpace& space, const std::vector<uint32_t>& point) {
    Assignments a;
    for (size_t i = 0; i < space.axes.size(); ++i) a.push_back({&space.axes[i], space.axes[i].values[point[i]]});
    return a;
}

namespace {

// Sets one layer field; returns why the value is invalid for this layer, or "".
std::string set_field(LayerConfig& l, const Axis& axis, const std::string& value) {
    const std::string& f = axis.field;
    if (f == "prune") {
        if (!l.is_compute()) return "prune applies to conv and fc layers";
        const double v = parse_number(axis.name, value);
        if (!(v >= 0.0 && v < 1.0)) return "prune must be in [0, 1) (got " + value + ")";
        l.prune = v;
        return "";
    }
    const long long v = parse_int(axis.name, value);
    if (v < 1 || v > (1 << 20)) return f + " must be in 1.." + std::to_string(1 << 20) + " (got " + value + ")";
    if (f == "pe") {
        l.folding.pe = int(v);
    } else if (f == "simd") {
        l.folding.simd = int(v);
    } else if (f == "mmv") {
        l.folding.mmv = int(v);
    } else if (f == "reuse") {
        l.reuse = int(v);
    } else if (f == "wbits") {
        if (!l.is_compute()) return "wbits applies to conv and fc layers";
        if (v > 8) return "wbits must be in 1..8 (got " + value + ")";
        l.weights.quant = v == 1 ? WeightQuant::Binary : WeightQuant::Uniform;
        l.weights.bits = int(v);
    } else if (f == "abits") {
        if (l.activation.type != ActivationType::Thresholds) return "abits applies to thresholds activations";
        if (v > 8) return "abits must be in 1..8 (got " + value + ")";
        l.activation.bits = int(v);
    }
    return "";
}

bool field_applies(const LayerConfig& l, const std::string& f) {
    if (f == "pe" || f == "mmv" || f == "reuse") return l.type == LayerType::Conv || (f == "pe" && l.is_compute());
    if (f == "simd") return true;
    if (f == "abits") return l.is_compute() && l.activation.type == ActivationType::Thresholds;
    return l.is_compute();  // prune, wbits
}

// Re-derives what the loader derives from the fields a sweep may change, and checks its rules.
std::optional<std::string> rederive(NetworkConfig& net) {
    FmShape prev = net.input.shape;
    Encoding enc = net.input.encoding();
    int bits = net.input.bits;
    for (LayerConfig& l : net.layers) {
        const int old_in_channels = l.in.channels;
        l.in = l.type == LayerType::Fc ? prev : FmShape{l.in.height, l.in.width, prev.channels};
        l.in_encoding = enc;
        l.in_bits = bits;
        if (l.is_compute()) {
            if (enc == Encoding::Accumulator) return l.name + ": input is a raw 32-bit accumulator";
            const int64_t n = derive_output_channels(l, l.folding.pe);
            if (n > l.filters && !l.grow_to_pe)
                return l.name + ": prune: keeping " + std::to_string(l.filters * (1.0 - l.prune)) + " of " +
                       std::to_string(l.filters) + " filters rounds up to " + std::to_string(n) +
                       ", more than the layer has";
            if (l.type == LayerType::Fc)
                l.out = FmShape{1, 1, int(n)};
            else
                l.out.channels = int(n);
            if (l.activation.type == ActivationType::Thresholds || l.activation.type == ActivationType::Relu)
                l.out_bits = l.activation.bits;
            l.datapath = derive_datapath(l.weights.quant, l.in_encoding);
        } else {
            // A pooling layer that took all channels at once keeps doing so.
            if (l.folding.simd == old_in_channels) l.folding.simd = l.in.channels;
            l.out.channels = l.in.channels;
            l.out_encoding = l.in_encoding;
            l.out_bits = l.in_bits;
        }
        if (l.uses_swu() && l.reuse > 1) l.swu_buffer_rows = std::max(l.swu_buffer_rows, l.in.height);
        for (const auto& v : {check_folding(l), check_reuse(l), check_accumulator(l)})
            if (v) return l.name + ": " + (v->field.empty() ? "" : v->field + ": ") + v->message;
        prev = l.out;
        enc = l.out_encoding;
        bits = l.out_bits;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> apply_point(NetworkConfig& net, const Assignments& a) {
    for (const auto& [axis, value] : a) {
        if (axis->is_param) continue;
        if (axis->field == "clock_mhz") {
            const double mhz = parse_number(axis->name, value);
            if (!(mhz > 0.0 && mhz <= 10000.0)) return "clock_mhz must be in (0, 10000] (got " + value + ")";
            net.device.clock_mhz = mhz;
            continue;
        }
        bool found = false;
        for (LayerConfig& l : net.layers) {
            if (axis->layer == "*" ? !field_applies(l, axis->field) : l.name != axis->layer) continue;
            found = true;
            const std::string why = set_field(l, *axis, value);
            if (!why.empty()) return l.name + ": " + why;
        }
        if (!found && axis->layer != "*")
            throw std::invalid_argument("axis " + axis->name + ": the configuration has no layer '" + axis->layer + "'");
    }
    return rederive(net);
}

std::vector<Axis> parse_point(const std::string& text) {
    std::vector<Axis> axes;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ';')) {
        if (trim(item).empty()) continue;
        Axis a = parse_axis(item);
        if (a.values.size() != 1)
            throw std::invalid_argument("--point " + a.name + ": expected one value, got " + std::to_string(a.values.size()));
        axes.push_back(std::move(a));
    }
    return axes;
}

}  // namespace qsim::sweep
