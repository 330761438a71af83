#include "sim/sweep/config_yaml.hpp"

#include <filesystem>

namespace qsim::sweep {

std::string edited_config_yaml(const std::string& base_file, const NetworkConfig& net,
                               const std::function<void(YAML::Node& root)>& edit, const std::string& header,
                               const std::string& out_dir) {
    namespace fs = std::filesystem;
    YAML::Node root = YAML::LoadFile(base_file);
    edit(root);
    // Files the base refers to, from where the new file will be.
    auto from_out = [&](const std::string& path) {
        const fs::path abs = fs::absolute(path).lexically_normal();
        return abs.lexically_relative(fs::absolute(out_dir.empty() ? "." : out_dir).lexically_normal()).string();
    };
    if (!net.device.library.empty()) root["device"]["library"] = from_out(net.device.library);
    if (net.weights.kind == WeightSource::Kind::File) root["weights"]["file"] = from_out(net.weights.path);
    YAML::Emitter out;
    out << root;
    return header + out.c_str() + "\n";
}

}  // namespace qsim::sweep
