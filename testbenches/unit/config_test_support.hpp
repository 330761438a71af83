// Helpers for tests of the YAML loader: expect_error checks that a configuration is rejected
// with a ConfigError naming the file, the line:column, the field and the rule; net() wraps
// layer text in a minimal valid network. Header-only (inline), for the core tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/design/config_loader.hpp"
#include "sim/design/derive.hpp"
#include "sim/design/effective_config.hpp"
#include "sim/design/yaml_front_end.hpp"

namespace qsim::testing_support {

// A valid conv layer body (without the "  - name:" line), for quick variations.
inline const char* const kConvBody =
    "    type: conv\n"
    "    kernel: 3\n"
    "    filters: 8\n"
    "    weights: {quant: binary}\n"
    "    activation: {type: thresholds}\n";

// The shipped device library (configs/devices.yaml) is found in the config's directory.
inline const std::string kConfigDir = std::string(QSIM_SOURCE_DIR) + "/configs";

// A one-layer network on `device` (the text of a `device:` mapping).
inline std::string with_device(const std::string& device) {
    return "name: t\ndevice: " + device + "\ninput: {height: 8, width: 8, channels: 4}\nlayers:\n  - name: c\n" +
           kConvBody;
}

// The effective configuration (as the JSON report carries it) of a configuration text.
inline nlohmann::json effective_json(const std::string& yaml, const std::string& file = "t.yaml",
                                     const std::string& base_dir = ".") {
    const design::NetworkSpec spec = design::parse_yaml_spec(yaml, file, {}, base_dir);
    return design::effective_config_json(spec, design::derive_or_throw(spec));
}

// The message of the ConfigError parse_network_config(yaml, file) throws, or "accepted".
inline std::string config_error_text(const std::string& yaml, const std::string& file = "t.yaml") {
    try {
        parse_network_config(yaml, file);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "accepted";
}

// Expects parse_network_config(yaml, "bad.yaml") to throw a ConfigError whose what() holds
// "bad.yaml:<where>: <field>: " and every one of `words`. `where` is "line:col", or
// "line" alone when only the line is checked, or "" when the error has no position.
inline void expect_error(const std::string& yaml, const std::string& where, const std::string& field,
                         const std::vector<std::string>& words,
                         const std::map<std::string, std::string>& overrides = {}) {
    try {
        parse_network_config(yaml, "bad.yaml", overrides);
        ADD_FAILURE() << "no ConfigError for:\n" << yaml;
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        std::string prefix = "bad.yaml";
        if (!where.empty()) {
            prefix += ":" + where + (where.find(':') == std::string::npos ? ":" : ": ");
        } else {
            prefix += ": ";
        }
        EXPECT_EQ(what.rfind(prefix, 0), 0u) << "expected prefix '" << prefix << "' in: " << what;
        if (!field.empty()) {
            EXPECT_NE(what.find(": " + field + ": "), std::string::npos)
                << "expected field '" << field << "' in: " << what;
        }
        EXPECT_EQ(e.field(), field) << what;
        EXPECT_EQ(e.file(), "bad.yaml");
        for (const auto& w : words) {
            EXPECT_NE(what.find(w), std::string::npos) << "expected '" << w << "' in: " << what;
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
    }
}

// A network whose layers start on line 5. Layer items are written with "  - " so the first
// key of a layer is at column 5 and "key: value" values of a 4-space-indented key start at
// column 7 + len(key).
inline std::string net(const std::string& layers) {
    return "name: t\n"                                      // 1
           "device: {clock_mhz: 100}\n"                     // 2
           "input: {height: 8, width: 8, channels: 4}\n"    // 3
           "layers:\n" +                                     // 4
           layers;
}

}  // namespace qsim::testing_support
