// Core tests of the device library: the shipped devices, where a library is looked up, and
// problems inside a library reported with its own file and line.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include "sim/design/config_loader.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace device_library_test {

using testing_support::kConfigDir;
using testing_support::kConvBody;
using testing_support::with_device;

// ---------------------------------------------------------------------------------------
// Device library.

// A scratch directory for library files, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("qsim_cfg_" + std::to_string(getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return (path_ / name).string();
    }
    std::string str() const { return path_.string(); }

private:
    std::filesystem::path path_;
};


// Expects a ConfigError from parse_network_config(yaml, "cfg.yaml", {}, dir) whose what()
// starts with `prefix` and holds every one of `words`.
void expect_error_in(const std::string& yaml, const std::string& dir, const std::string& prefix,
                     const std::vector<std::string>& words) {
    try {
        parse_network_config(yaml, "cfg.yaml", {}, dir);
        ADD_FAILURE() << "no ConfigError for:\n" << yaml;
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind(prefix, 0), 0u) << "expected prefix '" << prefix << "' in: " << what;
        for (const auto& w : words) EXPECT_NE(what.find(w), std::string::npos) << "expected '" << w << "' in: " << what;
    }
}

TEST(DeviceLibrary, ShippedDevices) {
    struct Want {
        const char* name;
        const char* family;
        int64_t lut, ff, bram18, dsp;
    };
    const Want wants[] = {{"KU115", "Kintex UltraScale", 663360, 1326720, 4320, 5520},
                          {"ZU3", "Zynq UltraScale+", 70560, 141120, 432, 360},
                          {"VU3P", "Virtex UltraScale+", 394080, 788160, 1440, 2280},
                          {"Z7020", "Zynq-7000", 53200, 106400, 280, 220},
                          {"U250", "Virtex UltraScale+", 1728000, 3456000, 5376, 12288},
                          {"U280", "Virtex UltraScale+", 1304000, 2607000, 4032, 9024},
                          {"U55C", "Virtex UltraScale+", 1304000, 2607000, 4032, 9024},
                          {"ZCU102", "Zynq UltraScale+", 274080, 548160, 1824, 2520},
                          {"ZCU104", "Zynq UltraScale+", 230400, 460800, 624, 1728},
                          {"KV260", "Zynq UltraScale+", 117120, 234240, 288, 1248},
                          {"Pynq-Z1", "Zynq-7000", 53200, 106400, 280, 220},
                          {"Pynq-Z2", "Zynq-7000", 53200, 106400, 280, 220}};
    for (const auto& w : wants) {
        const NetworkConfig cfg = parse_network_config(
            with_device(std::string("{name: ") + w.name + ", clock_mhz: 100}"), "cfg.yaml", {}, kConfigDir);
        EXPECT_EQ(cfg.device.name, w.name);
        EXPECT_EQ(cfg.device.family, w.family);
        EXPECT_EQ(cfg.device.lut, w.lut);
        EXPECT_EQ(cfg.device.ff, w.ff);
        EXPECT_EQ(cfg.device.bram18, w.bram18);
        EXPECT_EQ(cfg.device.dsp, w.dsp);
        EXPECT_DOUBLE_EQ(cfg.device.clock_mhz, 100.0);
    }
    // generic needs no library and has no resource counts.
    const NetworkConfig g = parse_network_config(with_device("{clock_mhz: 100}"), "cfg.yaml", {}, "/nonexistent");
    EXPECT_EQ(g.device.name, "generic");
    EXPECT_EQ(g.device.lut, 0);
    EXPECT_EQ(g.device.library, "");
}

TEST(DeviceLibrary, LoadFileUsesTheConfigDirectory) {
    TempDir d;
    d.write("devices.yaml", "devices:\n  MINE: {family: Test, lut: 10, ff: 20, bram36: 3, dsp: 1}\n");
    std::filesystem::create_directories(d.str() + "/lib");
    d.write("lib/other.yaml", "devices:\n  OTHER: {family: Other, lut: 1, ff: 2, bram18: 3, dsp: 4}\n");
    const std::string cfg = d.write("net.yaml", with_device("{name: MINE, clock_mhz: 100}"));
    const NetworkConfig a = load_network_config(cfg);
    EXPECT_EQ(a.device.family, "Test");
    EXPECT_EQ(a.device.lut, 10);
    EXPECT_EQ(a.device.bram18, 6);  // given as 3 BRAM36
    EXPECT_EQ(a.device.library, d.str() + "/devices.yaml");
    const std::string cfg2 =
        d.write("net2.yaml", with_device("{name: OTHER, library: lib/other.yaml, clock_mhz: 100}"));
    const NetworkConfig b = load_network_config(cfg2);
    EXPECT_EQ(b.device.dsp, 4);
    EXPECT_EQ(b.device.library, d.str() + "/lib/other.yaml");
}

TEST(DeviceLibrary, UnknownDeviceListsTheKnownOnes) {
    expect_error_in(with_device("{name: XCKU040, clock_mhz: 100}"), kConfigDir, "cfg.yaml:2:16: device.name: ",
                    {"unknown device 'XCKU040'; known devices in " + kConfigDir +
                     "/devices.yaml: KU115, ZU3, VU3P, Z7020, U250, U280, U55C, ZCU102, ZCU104, KV260, Pynq-Z1, "
                     "Pynq-Z2"});
}

TEST(DeviceLibrary, MissingLibrary) {
    TempDir d;
    expect_error_in(with_device("{name: KU115, clock_mhz: 100}"), d.str(), "cfg.yaml:2:16: device.name: ",
                    {"cannot read device library '" + d.str() + "/devices.yaml'", "No such file"});
    expect_error_in(with_device("{name: KU115, library: nope.yaml, clock_mhz: 100}"), d.str(),
                    "cfg.yaml:2:32: device.library: ",
                    {"cannot read device library '" + d.str() + "/nope.yaml'"});
    // Devices and oversized files are refused, not read.
    expect_error_in(with_device("{name: KU115, library: /dev/zero, clock_mhz: 100}"), d.str(),
                    "cfg.yaml:2:32: device.library: ", {"'/dev/zero': it is not a regular file"});
    d.write("big.yaml", "# " + std::string(2 << 20, 'x') + "\n");
    expect_error_in(with_device("{name: KU115, library: big.yaml, clock_mhz: 100}"), d.str(),
                    "cfg.yaml:2:32: device.library: ", {"big.yaml': it has 2097155 bytes, more than the 1048576"});
    // An explicit library is read and checked even for a generic device.
    expect_error_in(with_device("{library: nope.yaml, clock_mhz: 100}"), d.str(), "cfg.yaml:2:19: device.library: ",
                    {"nope.yaml"});
}

TEST(DeviceLibrary, MalformedLibraryNamesItsFileAndLine) {
    TempDir d;
    const std::string cases[][3] = {
        {"devices:\n  A: {family: x, lut: 1\n", ":3:1: yaml: ", "malformed YAML in device library"},
        {"", ":1:1: ", "empty document"},
        {"[1]\n", ":1:1: ", "expected a device library"},
        {"devicez: {}\n", ":1:1: devicez: ", "unknown field 'devicez'; expected one of: devices"},
        {"devices:\n", ":1:1: devices: ", "must list at least one device"},
        {"devices: [A]\n", ":1:10: devices: ", "expected a mapping from device names"},
        {"devices:\n  A: 3\n", ":2:6: devices.A: ", "expected a mapping with the fields family"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1}\n", ":2:6: devices.A.dsp: ", "missing required field"},
        {"devices:\n  A: {family: x, lut: 0, ff: 1, bram18: 1, dsp: 1}\n", ":2:23: devices.A.lut: ", "must be >= 1 (got 0)"},
        {"devices:\n  A: {family: x, lut: -5, ff: 1, bram18: 1, dsp: 1}\n", ":2:23: devices.A.lut: ", "must be >= 1 (got -5)"},
        {"devices:\n  A: {family: x, lut: 1.5, ff: 1, bram18: 1, dsp: 1}\n", ":2:23: devices.A.lut: ", "expected an integer, got '1.5'"},
        {"devices:\n  A: {family: x, lut: 99999999999999999999, ff: 1, bram18: 1, dsp: 1}\n", ":2:23: devices.A.lut: ", "fits in 64 bits"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1, urams: 1}\n", ":2:52: devices.A.urams: ",
         "unknown field 'urams'; expected one of: family, lut, ff, bram18, bram36, dsp, lutram, uram"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1, uram: -1}\n", ":2:58: devices.A.uram: ",
         "must be >= 0 (got -1)"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1, bram36: 1}\n", ":2:60: devices.A.bram36: ",
         "must be half of bram18 = 1 (a BRAM36 is two BRAM18; got 1)"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, dsp: 1}\n", ":2:6: devices.A.bram18: ", "missing required field (or give bram36)"},
        {"devices:\n  A: {family: '', lut: 1, ff: 1, bram18: 1, dsp: 1}\n", ":2:15: devices.A.family: ", "must not be empty"},
        {"devices:\n  generic: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1}\n", ":2:3: devices.generic: ", "reserved"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1}\n  A: {family: y, lut: 1, ff: 1, bram18: 1, dsp: 1}\n",
         ":3:3: devices.A: ", "duplicate field 'A'"},
    };
    for (const auto& c : cases) {
        const std::string lib = d.write("lib.yaml", c[0]);
        expect_error_in(with_device("{name: A, library: lib.yaml, clock_mhz: 100}"), d.str(), lib + c[1], {c[2]});
    }
}

}  // namespace device_library_test
}  // namespace qsim
