// Loading a configuration: the YAML front end (yaml_front_end.hpp) and the derivation
// (derive.hpp) in one call, the first broken rule thrown as ConfigError pointing at the
// offending line and column of the file. Also the simulated-time limit every run must keep.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "models/network/network_config.hpp"

namespace qsim {

// Loads `path`, applies `param_overrides` (NAME -> VALUE, e.g. from `sim --set NAME=VALUE`)
// to the declared params, and derives the design. A weight file named in the config and the
// device library (device.library, default devices.yaml) are resolved against the directory of
// `path`. Throws ConfigError on any problem, including a file that cannot be read.
NetworkConfig load_network_config(const std::string& path,
                                  const std::map<std::string, std::string>& param_overrides = {});

// Same as load_network_config, from text: `file_name` is what messages print (and
// NetworkConfig::source_file); `base_dir` is where relative paths are resolved.
NetworkConfig parse_network_config(const std::string& yaml_text, const std::string& file_name,
                                   const std::map<std::string, std::string>& param_overrides = {},
                                   const std::string& base_dir = ".");

// The longest simulated time accepted: 2^63 fs (about 9,223 s), half the range of SystemC's
// 64-bit time at the simulator's 1 fs resolution.
constexpr long double kMaxSimulatedFs = 9223372036854775808.0L;

// The accelerator's clock period in whole femtoseconds, as the SystemC clock rounds it.
long double clock_period_fs(const NetworkConfig& net);

// Empty when `frames` frames of `net` (frames x the slowest block's analytical cycles per
// frame x the clock period) fit in kMaxSimulatedFs; otherwise the reason, with the largest
// frame count that fits. derive_design() reports it at run.frames; `sim --frames N` checks N.
std::string simulated_time_problem(const NetworkConfig& net, int64_t frames);
// The same when the interval (estimate_dataflow(net).interval_cycles) is known: nothing is
// estimated unless the frames do not fit.
std::string simulated_time_problem(const NetworkConfig& net, int64_t frames, uint64_t interval_cycles);

}  // namespace qsim
