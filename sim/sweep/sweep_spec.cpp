#include "sim/sweep/sweep_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/common/text_format.hpp"
#include "sim/design/yaml_front_end.hpp"

namespace qsim::sweep {

namespace {

[[noreturn]] void fail(const std::string& path, const YAML::Node& n, const std::string& field, const std::string& msg) {
    const YAML::Mark m = n.Mark();
    throw std::invalid_argument(path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " +
                                field + ": " + msg);
}

std::string scalar(const std::string& path, const YAML::Node& n, const std::string& field) {
    if (!n.IsScalar()) fail(path, n, field, "expected a scalar");
    if (n.Scalar().find('\0') != std::string::npos) fail(path, n, field, "a NUL byte in the value");
    if (!valid_utf8(n.Scalar())) fail(path, n, field, "the value is not UTF-8 text");
    return n.Scalar();
}

uint64_t count(const std::string& path, const YAML::Node& n, const std::string& field) {
    const std::string t = scalar(path, n, field);
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 18)
        fail(path, n, field, "expected a whole number, got '" + t + "'");
    return std::stoull(t);
}

}  // namespace

void read_spec_file(const std::string& path, DesignSpace& space) {
    std::string text, why;
    if (!design::read_small_file(path, kMaxSpecBytes, "sweep spec", text, why))
        throw std::invalid_argument(path + ": cannot read the sweep spec: " + why);
    YAML::Node root;
    try {
        root = design::load_yaml_document(text, path, " in the sweep spec");
    } catch (const ConfigError& e) {  // FILE:LINE:COL: yaml: ...
        throw std::invalid_argument(e.what());
    }
    if (!root.IsMap()) throw std::invalid_argument(path + ": expected a mapping with config and axes");
    std::set<std::string> seen;
    for (const auto& kv : root) {
        const std::string key = kv.first.Scalar();
        if (key != "config" && key != "set" && key != "axes" && key != "sample")
            fail(path, kv.first, key, "unknown field; expected config, set, axes or sample");
        if (!seen.insert(key).second) fail(path, kv.first, key, "given twice");
    }
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (root["config"]) {
        const std::filesystem::path c = scalar(path, root["config"], "config");
        space.config = (c.is_absolute() || dir.empty() ? c : dir / c).lexically_normal().string();
    }
    if (root["set"]) {
        if (!root["set"].IsMap()) fail(path, root["set"], "set", "expected a mapping of params");
        std::set<std::string> given;
        for (const auto& kv : root["set"]) {
            const std::string name = scalar(path, kv.first, "set");
            if (!given.insert(name).second) fail(path, kv.first, "set." + name, "given twice");
            space.base_params[name] = scalar(path, kv.second, "set." + name);
        }
    }
    if (root["axes"]) {
        const YAML::Node axes = root["axes"];
        if (!axes.IsMap()) fail(path, axes, "axes", "expected a mapping NAME: [values] or NAME: \"A..B\"");
        space.axes.clear();
        std::set<std::string> given;
        for (const auto& kv : axes) {
            const std::string name = scalar(path, kv.first, "axes");
            if (!given.insert(name).second)
                fail(path, kv.first, "axes." + name, "given twice; give its values once, e.g. [1, 2, 4]");
            std::string values;
            if (kv.second.IsSequence()) {
                for (const auto& v : kv.second) values += (values.empty() ? "" : ",") + scalar(path, v, "axes." + name);
            } else {
                values = scalar(path, kv.second, "axes." + name);
            }
            try {
                add_axis(space, parse_axis(name + "=" + values));
            } catch (const std::invalid_argument& e) {
                fail(path, kv.first, "axes." + name, e.what());
            }
        }
    }
    if (root["sample"]) {
        const YAML::Node s = root["sample"];
        if (!s.IsMap()) fail(path, s, "sample", "expected { mode: grid } or { mode: random, points: N, seed: S }");
        for (const auto& kv : s) {
            const std::string key = kv.first.Scalar();
            if (key != "mode" && key != "points" && key != "seed")
                fail(path, kv.first, "sample." + key, "unknown field; expected mode, points or seed");
        }
        const std::string mode = s["mode"] ? scalar(path, s["mode"], "sample.mode") : "grid";
        if (mode == "grid") {
            space.sample.mode = SampleSpec::Mode::Grid;
        } else if (mode == "random") {
            space.sample.mode = SampleSpec::Mode::Random;
            if (!s["points"]) fail(path, s, "sample.points", "missing: how many random points");
            space.sample.points = count(path, s["points"], "sample.points");
            if (s["seed"]) space.sample.seed = count(path, s["seed"], "sample.seed");
        } else {
            fail(path, s["mode"], "sample.mode", "expected grid or random, got '" + mode + "'");
        }
    }
}

std::string spec_text(const DesignSpace& space) {
    nlohmann::ordered_json j;  // keeps the axes in their order: it decides the points
    j["config"] = std::filesystem::absolute(space.config).lexically_normal().string();
    j["set"] = space.base_params;
    nlohmann::ordered_json axes = nlohmann::ordered_json::object();
    for (const auto& a : space.axes) axes[a.name] = a.values;
    j["axes"] = axes;
    if (space.sample.mode == SampleSpec::Mode::Random)
        j["sample"] = {{"mode", "random"}, {"points", space.sample.points}, {"seed", space.sample.seed}};
    else
        j["sample"] = {{"mode", "grid"}};
    return j.dump() + "\n";  // one line: a value a few bytes, not a line each
}

}  // namespace qsim::sweep
