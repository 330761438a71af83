// Writing a configuration a command derived from another (sim fold, sim fifo-size): the base
// file as YAML with the command's edits, its device library and weight file referred to from
// where the new file will be. The base file's comments are not kept; everything else is.
#pragma once

#include <functional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "models/network/network_config.hpp"

namespace qsim::sweep {

std::string edited_config_yaml(const std::string& base_file, const NetworkConfig& net,
                               const std::function<void(YAML::Node& root)>& edit, const std::string& header,
                               const std::string& out_dir);

}  // namespace qsim::sweep
