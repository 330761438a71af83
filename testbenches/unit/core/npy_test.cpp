// Tests of the .npy reader and writer (npy.hpp): round trips of every dtype, hand-written
// headers, malformed files (offset and expectation in the message), the header read alone, and
// files numpy writes and reads (when a python3 with numpy is installed).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/network/npy.hpp"
#include "testbenches/unit/core/weight_file_test_support.hpp"

namespace qsim {
namespace npy_test {

using namespace weight_file_testing;

// Builds .npy bytes with an arbitrary header text.
std::vector<uint8_t> npy_bytes(const std::string& header, const std::vector<uint8_t>& data, int major = 1) {
    std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
    const size_t n = header.size();
    b.push_back(uint8_t(n));
    b.push_back(uint8_t(n >> 8));
    if (major >= 2) {
        b.push_back(uint8_t(n >> 16));
        b.push_back(uint8_t(n >> 24));
    }
    b.insert(b.end(), header.begin(), header.end());
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

void expect_npy_error(const std::vector<uint8_t>& bytes, uint64_t offset, const std::vector<std::string>& parts) {
    try {
        parse_npy(bytes, "t.npy");
        ADD_FAILURE() << "no error";
    } catch (const NpyError& e) {
        const std::string w = e.what();
        EXPECT_EQ(e.offset(), offset) << w;
        EXPECT_EQ(w.rfind("t.npy:@" + std::to_string(offset) + ": ", 0), 0u) << w;
        for (const auto& p : parts) EXPECT_TRUE(contains(w, p)) << "'" << p << "' not in: " << w;
    }
}

TEST(Npy, WriteReadRoundTripFloat32) {
    const fs::path d = temp_dir();
    const std::string path = (d / "a.npy").string();
    std::vector<float> v = {1.5f, -2.25f, 0.0f, 3e-8f, 1e30f, -7.0f};
    write_npy_f32(path, {2, 3}, v);
    const NpyArray a = read_npy(path);
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3}));
    EXPECT_EQ(a.dtype, NpyDtype::F4);
    ASSERT_EQ(a.size(), 6u);
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(a.values[i], double(v[i]));
    EXPECT_EQ(a.data_offset % 64, 0u);
    EXPECT_EQ(a.shape_string(), "(2, 3)");
    fs::remove_all(d);
}

TEST(Npy, EveryDtypeRoundTrips) {
    const std::vector<double> v = {0, 1, -1, 100, -100, 127, -128};
    for (NpyDtype t : {NpyDtype::F4, NpyDtype::F8, NpyDtype::I1, NpyDtype::I2, NpyDtype::I4, NpyDtype::I8}) {
        const NpyArray a = parse_npy(make_npy({7}, v, t), "x.npy");
        EXPECT_EQ(a.values, v) << npy_descr(t);
        EXPECT_EQ(a.dtype, t);
        EXPECT_EQ(a.shape_string(), "(7,)");
    }
    const std::vector<double> u = {0, 1, 255, 42};
    EXPECT_EQ(parse_npy(make_npy({2, 2}, u, NpyDtype::U1), "u.npy").values, u);
    const std::vector<double> big = {2147483647.0, -2147483648.0, 1e15, -3.0};
    EXPECT_EQ(parse_npy(make_npy({4}, big, NpyDtype::I8), "b.npy").values, big);
    EXPECT_THROW(make_npy({2}, {1, 2, 3}, NpyDtype::F4), std::invalid_argument);
    EXPECT_THROW(make_npy({1}, {300}, NpyDtype::I1), std::invalid_argument);
}

TEST(Npy, HandWrittenHeaderVariants) {
    // Version 1.0, double quotes, keys in another order, no trailing comma, little endian i2.
    auto a = parse_npy(npy_bytes("{\"shape\": (2,2), \"fortran_order\": False, \"descr\": \"<i2\"}\n",
                                 {1, 0, 0xFF, 0xFF, 0x00, 0x80, 0x34, 0x12}),
                       "h.npy");
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 2}));
    EXPECT_EQ(a.values, (std::vector<double>{1, -1, -32768, 0x1234}));
    // Version 2.0 (4-byte header length) with a 0-d array.
    a = parse_npy(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }      \n",
                            {0, 0, 0, 0, 0, 0, 0xF8, 0x3F}, 2),
                  "v2.npy");
    EXPECT_TRUE(a.shape.empty());
    EXPECT_EQ(a.values, (std::vector<double>{1.5}));
    EXPECT_EQ(a.shape_string(), "()");
    // Version 3.0, Python 2 long suffix, an empty array.
    a = parse_npy(npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3L, 0L), }\n", {}, 3), "v3.npy");
    EXPECT_EQ(a.shape, (std::vector<size_t>{3, 0}));
    EXPECT_TRUE(a.values.empty());
    // Signed bytes.
    a = parse_npy(npy_bytes("{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }\n", {0x80, 0x7F, 0xFE}), "i.npy");
    EXPECT_EQ(a.values, (std::vector<double>{-128, 127, -2}));
}

TEST(Npy, MalformedFilesNameOffsetAndExpectation) {
    const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    const std::vector<uint8_t> d8(8, 0);
    // Bad magic.
    auto b = npy_bytes(h, d8);
    b[2] = 'X';
    expect_npy_error(b, 2, {"bad magic", "expected \\x93NUMPY"});
    expect_npy_error({0x93, 'N', 'U'}, 3, {"truncated", "magic"});
    // Unsupported version.
    b = npy_bytes(h, d8);
    b[6] = 4;
    expect_npy_error(b, 6, {"unsupported format version 4.0", "expected 1.0, 2.0 or 3.0"});
    // Truncated header length and header.
    expect_npy_error(std::vector<uint8_t>(b.begin(), b.begin() + 7), 6, {"truncated", "version"});
    b = npy_bytes(h, d8);
    expect_npy_error(std::vector<uint8_t>(b.begin(), b.begin() + 9), 8, {"truncated", "header length"});
    expect_npy_error(std::vector<uint8_t>(b.begin(), b.begin() + 30), 10,
                     {"truncated header", "expected " + std::to_string(h.size()) + " header bytes", "file has 20"});
    // Unsupported dtypes.
    expect_npy_error(npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", d8), 20,
                     {"unsupported dtype '>f4'", "expected one of <f4, <f8"});
    expect_npy_error(npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", d8), 20,
                     {"unsupported dtype '<c8'"});
    expect_npy_error(npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n", d8), 20,
                     {"structured dtypes are not supported"});
    // Fortran order.
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", d8), 10,
                     {"fortran_order is True", "expected a C-order"});
    // Truncated data and extra data.
    expect_npy_error(npy_bytes(h, std::vector<uint8_t>(6, 0)), 10 + h.size() + 6,
                     {"truncated data", "expected 8 bytes", "(2,)", "file has 6"});
    expect_npy_error(npy_bytes(h, std::vector<uint8_t>(12, 0)), 10 + h.size() + 8,
                     {"shape/size mismatch", "needs 8 data bytes, file has 12"});
    // Broken dictionaries.
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': False}\n", d8), 10, {"no 'shape' key"});
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }\n", d8),
                     10 + 54, {"expected a non-negative integer dimension", "'x'"});
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }\n", d8),
                     10 + 34, {"expected True or False"});
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", d8),
                     10 + 56, {"unexpected header key 'x'"});
    expect_npy_error(npy_bytes("['descr']\n", d8), 10, {"expected '{'"});
    // Missing file.
    try {
        read_npy("/nonexistent/dir/w.npy");
        ADD_FAILURE();
    } catch (const NpyError& e) {
        EXPECT_TRUE(contains(e.what(), "/nonexistent/dir/w.npy:@0: cannot open")) << e.what();
    }
}

// read_npy_header: the shape, dtype and offsets without the values, with parse_npy's messages
// for everything found before the data (the file's size stands in for the data).
TEST(Npy, TheHeaderAloneIsReadWithTheSameChecks) {
    const fs::path dir = temp_dir();
    const std::string good = (dir / "good.npy").string();
    write_npy(good, {3, 2, 2}, std::vector<double>(12, 5.0), NpyDtype::I2);
    const NpyArray full = read_npy(good), head = read_npy_header(good);
    EXPECT_EQ(head.shape, full.shape);
    EXPECT_EQ(head.dtype, NpyDtype::I2);
    EXPECT_EQ(head.header_offset, full.header_offset);
    EXPECT_EQ(head.data_offset, full.data_offset);
    EXPECT_TRUE(head.values.empty());

    const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    const std::vector<uint8_t> d8(8, 0), ok = npy_bytes(h, d8);
    std::vector<std::vector<uint8_t>> bad = {
        {0x93, 'N', 'U'},                                            // truncated magic
        std::vector<uint8_t>(ok.begin(), ok.begin() + 7),            // no version
        std::vector<uint8_t>(ok.begin(), ok.begin() + 9),            // no header length
        std::vector<uint8_t>(ok.begin(), ok.begin() + 30),           // truncated header
        npy_bytes(h, std::vector<uint8_t>(6, 0)),                    // truncated data
        npy_bytes(h, std::vector<uint8_t>(12, 0)),                   // trailing data
        npy_bytes(h, d8, 2),                                         // version 2 header: fine
        npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", d8),
        npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000, 1000), }\n", d8),
    };
    bad.push_back(ok);
    bad.back()[2] = 'X';  // bad magic
    for (size_t i = 0; i < bad.size(); ++i) {
        const std::string path = (dir / ("case" + std::to_string(i) + ".npy")).string();
        write_bytes(path, bad[i]);
        std::string from_parse = "accepted", from_header = "accepted";
        try {
            parse_npy(bad[i], path);
        } catch (const NpyError& e) {
            from_parse = e.what();
        }
        try {
            read_npy_header(path);
        } catch (const NpyError& e) {
            from_header = e.what();
        }
        EXPECT_EQ(from_header, from_parse) << "case " << i;
    }
    try {
        read_npy_header(dir.string());
        ADD_FAILURE() << "a directory was read";
    } catch (const NpyError& e) {
        EXPECT_TRUE(contains(e.what(), "not a regular file")) << e.what();
    }
    fs::remove_all(dir);
}

// The first python3 on this machine that has numpy, or "" if none.
std::string python_with_numpy() {
    for (const char* py : {"python3", "/usr/bin/python3"}) {
        std::string cmd = std::string(py) + " -c 'import numpy' >/dev/null 2>&1";
        if (std::system(cmd.c_str()) == 0) return py;
    }
    return "";
}

TEST(Npy, ReadsFilesWrittenByNumpy) {
    const std::string py = python_with_numpy();
    if (py.empty()) GTEST_SKIP() << "python3 with numpy is not installed";
    const fs::path d = temp_dir();
    const std::string script =
        "import numpy as np, sys\n"
        "d = sys.argv[1]\n"
        "a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3\n"
        "np.save(d + '/f4.npy', a)\n"
        "np.save(d + '/f8.npy', np.array([[1.25, -2.5], [1e300, -0.0]]))\n"
        "for t in ['i1', 'i2', 'i4', 'i8', 'u1']:\n"
        "    np.save(d + '/' + t + '.npy', np.array([0, 1, 2, 100, 127], dtype=t) * (1 if t == 'u1' else -1))\n"
        "np.save(d + '/scalar.npy', np.float32(7.5))\n"
        "np.save(d + '/fortran.npy', np.asfortranarray(np.ones((3, 2), dtype=np.float32)))\n"
        "np.save(d + '/big.npy', np.array([1.0], dtype='>f4'))\n"
        "np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.array([5, 6], dtype='<i4'), version=(2, 0))\n"
        "np.lib.format.write_array(open(d + '/v3.npy', 'wb'), np.array([7, 8], dtype='<i4'), version=(3, 0))\n";
    write_text(d / "gen.py", script);
    ASSERT_EQ(std::system((py + " " + (d / "gen.py").string() + " " + d.string()).c_str()), 0);

    NpyArray a = read_npy((d / "f4.npy").string());
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3, 4}));
    for (size_t i = 0; i < 24; ++i) EXPECT_EQ(a.values[i], double(i) * 0.5 - 3);
    a = read_npy((d / "f8.npy").string());
    EXPECT_EQ(a.values, (std::vector<double>{1.25, -2.5, 1e300, -0.0}));
    for (const char* t : {"i1", "i2", "i4", "i8"})
        EXPECT_EQ(read_npy((d / (std::string(t) + ".npy")).string()).values,
                  (std::vector<double>{0, -1, -2, -100, -127}))
            << t;
    EXPECT_EQ(read_npy((d / "u1.npy").string()).values, (std::vector<double>{0, 1, 2, 100, 127}));
    a = read_npy((d / "scalar.npy").string());
    EXPECT_TRUE(a.shape.empty());
    EXPECT_EQ(a.values, (std::vector<double>{7.5}));
    EXPECT_EQ(read_npy((d / "v2.npy").string()).values, (std::vector<double>{5, 6}));
    EXPECT_EQ(read_npy((d / "v3.npy").string()).values, (std::vector<double>{7, 8}));
    try {
        read_npy((d / "fortran.npy").string());
        ADD_FAILURE();
    } catch (const NpyError& e) {
        EXPECT_TRUE(contains(e.what(), "fortran_order is True")) << e.what();
    }
    try {
        read_npy((d / "big.npy").string());
        ADD_FAILURE();
    } catch (const NpyError& e) {
        EXPECT_TRUE(contains(e.what(), "unsupported dtype '>f4'")) << e.what();
    }

    // And numpy reads what we write.
    write_npy_f32((d / "ours.npy").string(), {2, 2}, {1.5f, -2.0f, 0.25f, 8.0f});
    write_npy((d / "ours_i4.npy").string(), {3}, {-5, 0, 70000}, NpyDtype::I4);
    write_text(d / "check.py",
               "import numpy as np, sys\n"
               "a = np.load(sys.argv[1] + '/ours.npy')\n"
               "assert a.dtype == np.float32 and a.shape == (2, 2), (a.dtype, a.shape)\n"
               "assert a.tolist() == [[1.5, -2.0], [0.25, 8.0]], a\n"
               "b = np.load(sys.argv[1] + '/ours_i4.npy')\n"
               "assert b.dtype == np.int32 and b.tolist() == [-5, 0, 70000], b\n");
    EXPECT_EQ(std::system((py + " " + (d / "check.py").string() + " " + d.string()).c_str()), 0);
    fs::remove_all(d);
}

}  // namespace npy_test
}  // namespace qsim
