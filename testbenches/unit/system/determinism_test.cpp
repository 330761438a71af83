// System test: the same config and seeds give byte-identical JSON reports across runs, once
// the wall-clock measurements (the "simulation" object: wall seconds, cycles per wall-second,
// peak memory) are set aside.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include <unistd.h>

namespace qsim {
namespace determinism_test {

std::string report_without_wall_clock(const std::string& config, const std::string& out) {
    const std::string cmd = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + QSIM_SIM_BINARY + " --config " +
                            config + " --check --report " + out + " > /dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out);
    nlohmann::json j = nlohmann::json::parse(in);
    EXPECT_TRUE(j.contains("simulation"));
    j.erase("simulation");
    return j.dump(2);
}

TEST(Determinism, SameConfigAndSeedsGiveIdenticalReports) {
    // A directory of this process's own: another checkout's test run may be running this test too.
    const auto dir = std::filesystem::temp_directory_path() / ("qsim_determinism_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (const char* design : {"alexnet_pruned40", "finn_mlp", "mnist_gmp_cnn"}) {
        const std::string config = std::string(QSIM_SOURCE_DIR) + "/configs/" + design + ".yaml";
        const std::string a = report_without_wall_clock(config, (dir / "a.json").string());
        const std::string b = report_without_wall_clock(config, (dir / "b.json").string());
        EXPECT_EQ(a, b) << design;
        EXPECT_NE(a.find("\"passed\": true"), std::string::npos) << design;
    }
    std::filesystem::remove_all(dir);
}

}  // namespace determinism_test
}  // namespace qsim
