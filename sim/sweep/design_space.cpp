#include "sim/sweep/design_space.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "models/common/rng.hpp"
#include "sim/design/overrides.hpp"
#include "sim/design/text.hpp"
#include "sim/design/yaml_front_end.hpp"

namespace qsim::sweep {

namespace {

long long parse_int(const std::string& name, const std::string& t) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || errno == ERANGE)
        throw std::invalid_argument("axis " + name + ": expected an integer, got '" + t + "'");
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

// A value is passed on as NAME=VALUE;NAME=VALUE (sim --point): none of those separators, no
// control characters, and a sensible length.
void check_value(const std::string& name, const std::string& v) {
    if (v.size() > 256) throw std::invalid_argument("axis " + name + ": a value longer than 256 characters");
    for (const unsigned char c : v)
        if (c == ';' || c == '=' || c < 0x20 || c >= 0x7f)
            throw std::invalid_argument("axis " + name + ": value '" + v +
                                        "' holds a ';', '=', a control or a non-ASCII character; values are numbers "
                                        "or words");
}

// An axis name: a field path as sim --set and --point take it (conv2.pe, *.reuse, param.wbits).
void check_name(const std::string& text, const std::string& name) {
    const bool ok = !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '*';
    });
    if (!ok)
        throw std::invalid_argument("axis '" + text.substr(0, 300) +
                                    "': expected NAME=VALUES with NAME a field path of letters, digits, _ . - *, "
                                    "e.g. conv2.pe=11,22,77");
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
            check_value(name, item);
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
        if (!factor && uint64_t(hi) - uint64_t(lo) >= kMaxAxisValues)
            throw std::invalid_argument("axis " + name + ": range '" + item + "' has more than " +
                                        design::grouped_text(kMaxAxisValues) + " values");
        for (long long v = lo;;) {
            out.push_back(std::to_string(v));
            if (out.size() > kMaxAxisValues)
                throw std::invalid_argument("axis " + name + ": more than " + design::grouped_text(kMaxAxisValues) +
                                            " values");
            if (factor ? v > hi / factor : v >= hi) break;
            v = factor ? v * factor : v + 1;
        }
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
    check_name(text, a.name);
    a.values = parse_values(a.name, text.substr(eq + 1));
    if (a.name.rfind("param.", 0) == 0) {
        a.is_param = true;
        a.param = a.name.substr(6);
        if (a.param.empty()) throw std::invalid_argument("axis '" + a.name + "': expected param.NAME");
    }
    return a;
}

void add_axis(DesignSpace& space, Axis axis) {
    uint64_t total = axis.values.size();
    for (const auto& a : space.axes) total += a.values.size();
    if (total > kMaxAxisValues)
        throw std::invalid_argument("axis " + axis.name + ": the axes hold more than " +
                                    design::grouped_text(kMaxAxisValues) + " values in all");
    space.axes.push_back(std::move(axis));
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
    std::string text, why;  // a file the loader refuses (a device, too large) is not read here either
    if (!design::read_small_file(config, design::kMaxConfigBytes, "configuration file", text, why)) text = why;
    os << "config_text=" << fnv1a(text) << "\n";
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

void check_axes(const design::NetworkSpec& spec, const std::vector<Axis>& axes) {
    for (size_t i = 0; i < axes.size(); ++i) {
        const Axis& a = axes[i];
        for (size_t j = 0; j < i; ++j)
            if (axes[j].name == a.name)
                throw std::invalid_argument("axis " + a.name + " is given twice; give its values once, e.g. " + a.name +
                                            "=1,2,4");
        if (a.is_param) {
            if (std::find(spec.params.begin(), spec.params.end(), a.param) == spec.params.end())
                throw std::invalid_argument("axis " + a.name + ": the configuration declares no parameter '" + a.param +
                                            "' (" + (spec.params.empty() ? std::string("it has no params")
                                                                         : "params: " + design::join(spec.params)) +
                                            ")");
            continue;
        }
        try {
            design::check_override_name(spec, a.name);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("axis " + std::string(e.what()));
        }
    }
}

design::Derived derive_point(design::NetworkSpec& spec, const Assignments& a, const std::string& via) {
    for (const auto& [axis, value] : a) {
        if (axis->is_param) continue;
        const design::Origin at{spec.add_source(via + " " + axis->name + "=" + value, false), 0, 0};
        if (auto v = design::apply_override(spec, axis->name, value, at)) {
            design::Derived d;
            d.violations.push_back(*v);
            return d;
        }
    }
    return design::derive_design(spec);
}

std::vector<Axis> parse_point(const std::string& text) {
    std::vector<Axis> axes;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ';')) {
        if (trim(item).empty()) continue;
        Axis a = parse_axis(item);
        if (a.values.size() != 1)
            throw std::invalid_argument(a.name + ": expected one value, got " + std::to_string(a.values.size()));
        axes.push_back(std::move(a));
    }
    return axes;
}

}  // namespace qsim::sweep
