// link_bench: the same host-linked run in both TLM timing modes, side by side.
//
//   link_bench [--config configs/alexnet_pcie.yaml] [--frames 2] [--set NAME=VALUE ...]
//
// Runs `sim` twice (SystemC allows one simulation per process), once loosely timed and once
// approximately timed, and prints the wall time of each, their ratio, and whether the two runs
// produced the same outputs (CRC-32 of the output codes) and the same frame rate.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

std::string sim_path(const char* argv0) {
    const std::string self = argv0;
    const auto slash = self.rfind('/');
    return (slash == std::string::npos ? std::string(".") : self.substr(0, slash)) + "/sim";
}

}  // namespace

int main(int argc, char** argv) {
    std::string config = "configs/alexnet_pcie.yaml", frames = "2", extra;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--config" && i + 1 < argc) config = argv[++i];
        else if (a == "--frames" && i + 1 < argc) frames = argv[++i];
        else if (a == "--set" && i + 1 < argc) extra += std::string(" --set ") + argv[++i];
        else {
            std::fprintf(stderr, "usage: link_bench [--config FILE] [--frames N] [--set NAME=VALUE ...]\n");
            return 2;
        }
    }
    nlohmann::json runs[2];
    const char* modes[2] = {"lt", "at"};
    for (int m = 0; m < 2; ++m) {
        const std::string report = std::string("/tmp/link_bench_") + modes[m] + ".json";
        const std::string cmd = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " + sim_path(argv[0]) + " --config " + config +
                                " --frames " + frames + extra + " --set timing=" + modes[m] + " --report " + report +
                                " > /dev/null";
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "link_bench: failed: %s\n", cmd.c_str());
            return 1;
        }
        std::ifstream in(report);
        runs[m] = nlohmann::json::parse(in);
    }
    const double lt = runs[0]["simulation"]["wall_seconds"], at = runs[1]["simulation"]["wall_seconds"];
    const bool same_outputs = runs[0]["outputs"] == runs[1]["outputs"];
    std::printf("config                    %s, %s frames\n", config.c_str(), frames.c_str());
    std::printf("loosely timed             %.3f s wall, %.1f frames/s at the host\n", lt,
                runs[0]["host"]["frames_per_second"].get<double>());
    std::printf("approximately timed       %.3f s wall, %.1f frames/s at the host\n", at,
                runs[1]["host"]["frames_per_second"].get<double>());
    std::printf("speed-up LT over AT       %.2fx\n", lt > 0 ? at / lt : 0.0);
    std::printf("same outputs              %s (crc32 %u)\n", same_outputs ? "yes" : "NO",
                runs[0]["outputs"]["crc32"].get<unsigned>());
    return same_outputs ? 0 : 1;
}
