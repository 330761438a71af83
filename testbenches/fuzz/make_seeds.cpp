// Writes the seed inputs of the weights and npy fuzz targets:
//   fuzz_make_seeds OUT_DIR   ->  OUT_DIR/weights/*.qnnw, OUT_DIR/npy/*.npy
//   fuzz_make_seeds --help | --version
// Valid files for the fixed network of fuzz_entry.hpp (several generator seeds and
// sparsities) plus a few near-valid ones (truncated, bad checksum, a value out of range with
// the checksum fixed), so that the fuzzer starts next to every check of the reader.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "testbenches/cli/cli.hpp"
#include "testbenches/fuzz/fuzz_entry.hpp"

namespace {

namespace fs = std::filesystem;
using namespace qsim;

void write(const fs::path& p, const std::vector<uint8_t>& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    if (!out) throw std::runtime_error("cannot write " + p.string());
    std::cout << p.string() << " (" << b.size() << " bytes)\n";
}

void fix_crc(std::vector<uint8_t>& b) {
    const size_t end = b.size() - kWeightFileTrailerBytes;
    fuzz::put_le(b, end, crc32(b.data(), end), 4);
}

}  // namespace

int main(int argc, char** argv) {
    std::string dir;
    cli::Command cmd("fuzz_make_seeds", "OUT_DIR",
                     "Writes the seed inputs of the weights and npy fuzz targets into OUT_DIR/weights and\n"
                     "OUT_DIR/npy.");
    cmd.hidden.add_options()("out-dir", boost::program_options::value(&dir));
    cmd.positional.add("out-dir", 1);
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    if (dir.empty()) return cli::usage_error(cmd, "OUT_DIR is required");
    const fs::path out = dir;
    fs::create_directories(out / "weights");
    fs::create_directories(out / "npy");
    const NetworkConfig& cfg = fuzz::weights_config();

    // Weight files.
    const std::vector<uint8_t> base = encode_weight_file(cfg, generate_params(cfg, 5, 0.25));
    write(out / "weights" / "valid_seed5.qnnw", base);
    write(out / "weights" / "valid_seed9_dense.qnnw", encode_weight_file(cfg, generate_params(cfg, 9, 0.0)));
    write(out / "weights" / "valid_seed2_sparse.qnnw", encode_weight_file(cfg, generate_params(cfg, 2, 0.9)));
    {
        std::vector<uint8_t> b(base.begin(), base.begin() + long(base.size() / 2));
        write(out / "weights" / "truncated.qnnw", b);
    }
    {
        std::vector<uint8_t> b = base;
        b[kWeightFileHeaderBytes + 40] ^= 0x10;
        write(out / "weights" / "bad_crc.qnnw", b);
    }
    {
        // c1's first threshold raised above its second one, checksum fixed.
        std::vector<uint8_t> b = base;
        // Record of c1: name length and name, 4 code bytes, scale and threshold floats, n,
        // fan_in, packed byte count, packed weights, thresholds per channel, thresholds.
        const LayerConfig& c1 = cfg.layers[0];
        const size_t packed = size_t((c1.weight_count() + 7) / 8);
        const size_t thr = kWeightFileHeaderBytes + 2 + c1.name.size() + 2 + 8 + 2 + 8 + 8 + packed + 4;
        fuzz::put_le(b, thr, 0x3fffffff, 4);
        fix_crc(b);
        write(out / "weights" / "thresholds_descending.qnnw", b);
    }
    {
        std::vector<uint8_t> b = base;
        b.insert(b.end(), {0, 0, 0, 0});
        write(out / "weights" / "trailing_data.qnnw", b);
    }

    // .npy files.
    write(out / "npy" / "f4_2x3.npy", make_npy({2, 3}, {0.5, -1.25, 3, 0, -0.0625, 7}, NpyDtype::F4));
    write(out / "npy" / "f8_4.npy", make_npy({4}, {1e-3, -2.5, 0.75, 100}, NpyDtype::F8));
    write(out / "npy" / "i1_2x2.npy", make_npy({2, 2}, {-128, 127, 0, -1}, NpyDtype::I1));
    write(out / "npy" / "i2_3.npy", make_npy({3}, {-300, 300, 5}, NpyDtype::I2));
    write(out / "npy" / "i4_scalar.npy", make_npy({}, {123456}, NpyDtype::I4));
    write(out / "npy" / "i8_2.npy", make_npy({2}, {-5, 1e12}, NpyDtype::I8));
    write(out / "npy" / "u1_1x2x2.npy", make_npy({1, 2, 2}, {0, 255, 17, 3}, NpyDtype::U1));
    write(out / "npy" / "empty_0x3.npy", make_npy({0, 3}, {}, NpyDtype::F4));
    {
        // Version 2.0 header (4-byte length).
        std::vector<uint8_t> v1 = make_npy({2}, {1, 2}, NpyDtype::F4);
        std::vector<uint8_t> b(v1.begin(), v1.begin() + 8);
        b[6] = 2;
        const uint64_t hlen = uint64_t(v1[8]) | uint64_t(v1[9]) << 8;
        for (int i = 0; i < 4; ++i) b.push_back(uint8_t(hlen >> (8 * i)));
        b.insert(b.end(), v1.begin() + 10, v1.end());
        write(out / "npy" / "v2_f4_2.npy", b);
    }
    {
        std::vector<uint8_t> b = make_npy({3}, {1, 2, 3}, NpyDtype::F8);
        b.resize(b.size() - 5);
        write(out / "npy" / "truncated_data.npy", b);
    }
    return 0;
}
