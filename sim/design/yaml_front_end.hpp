// The YAML front end: a configuration file (docs/config.md) read into a specification.
// It substitutes ${PARAM} references (with `sim --set` overrides), checks the document's
// structure against the field tables (mappings, sequences, known and allowed keys, each key
// once) and each value's type, and records where every value came from. Ranges and rules are
// derive_design()'s. Problems throw ConfigError at the file, line and column of the node.
#pragma once

#include <map>
#include <string>

#include <yaml-cpp/yaml.h>

#include "sim/design/spec.hpp"

namespace qsim::design {

// Reads `path` (a regular file of at most kMaxConfigBytes). The device library (device.library,
// default devices.yaml beside the file) is read too when it exists.
NetworkSpec read_yaml_spec(const std::string& path, const std::map<std::string, std::string>& params = {});

// The same from text: `file_name` is what messages print; `base_dir` is where relative paths
// (the device library, a weight file) are resolved.
NetworkSpec parse_yaml_spec(const std::string& text, const std::string& file_name,
                            const std::map<std::string, std::string>& params = {},
                            const std::string& base_dir = ".");

// `p` relative to `base_dir` (as given when absolute or when base_dir is the working directory).
std::string resolve_path(const std::string& base_dir, const std::string& p);

// The single YAML document of `text` (a second document, mappings nested more than 500 levels,
// malformed YAML: ConfigError at the parser's position, field `yaml`; `what` is added to the
// message, e.g. " in device library").
YAML::Node load_yaml_document(const std::string& text, const std::string& file, const std::string& what = "");

// Reads a whole small regular file into `text`; false with `why` ("it is a directory", "it has N
// bytes, more than the 16777216 WHAT may have", the system's reason) when it cannot. Devices and
// pipes (/dev/zero, a FIFO) and files over `max_bytes` are refused rather than read.
bool read_small_file(const std::string& path, uintmax_t max_bytes, const char* what, std::string& text,
                     std::string& why);

constexpr uintmax_t kMaxConfigBytes = uintmax_t(16) << 20;         // 16 MiB
constexpr uintmax_t kMaxDeviceLibraryBytes = uintmax_t(1) << 20;   // 1 MiB

}  // namespace qsim::design
