// IDX data set reader (models/dataset/idx_dataset.hpp): small synthetic files written by the
// test, plain and gzipped, every class of malformed file, the frames made from images, and the
// real Fashion-MNIST test set when the Debian package dataset-fashion-mnist is installed.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/dataset/idx_dataset.hpp"

namespace qsim {
namespace dataset_idx_test {

namespace fs = std::filesystem;

const char* const kFashionDir = "/usr/share/datasets/fashion-mnist";

std::vector<uint8_t> idx_bytes(uint8_t type, std::vector<uint32_t> dims, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> b = {0, 0, type, uint8_t(dims.size())};
    for (uint32_t d : dims)
        for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(d >> s));
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

// 3 images of 2 x 4 pixels with distinct values.
std::vector<uint8_t> pixels() {
    std::vector<uint8_t> p(3 * 2 * 4);
    for (size_t i = 0; i < p.size(); ++i) p[i] = uint8_t(i * 11 % 256);
    return p;
}

class DatasetIdx : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("qsim_dataset_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write_plain(const std::string& name, const std::vector<uint8_t>& bytes) {
        const std::string path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                    std::streamsize(bytes.size()));
        return path;
    }
    std::string write_gzip(const std::string& name, const std::vector<uint8_t>& bytes) {
        const std::string path = (dir_ / name).string();
        gzFile f = gzopen(path.c_str(), "wb");
        EXPECT_NE(f, nullptr);
        EXPECT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
        gzclose(f);
        return path;
    }
    // The error message of reading `path` as images (or labels), "" when it reads.
    static std::string images_error(const std::string& path) {
        try {
            read_idx_images(path);
        } catch (const DatasetError& e) {
            EXPECT_EQ(e.file(), path);
            EXPECT_EQ(std::string(e.what()), path + ": " + e.message());
            return e.message();
        }
        return "";
    }
    static std::string labels_error(const std::string& path) {
        try {
            read_idx_labels(path);
        } catch (const DatasetError& e) {
            EXPECT_EQ(e.file(), path);
            return e.message();
        }
        return "";
    }

    fs::path dir_;
};

TEST_F(DatasetIdx, ReadsPlainAndGzippedImagesAlike) {
    const auto bytes = idx_bytes(0x08, {3, 2, 4}, pixels());
    for (const std::string& path : {write_plain("a-idx3-ubyte", bytes), write_gzip("a-idx3-ubyte.gz", bytes)}) {
        const IdxImages im = read_idx_images(path);
        EXPECT_EQ(im.file, path);
        EXPECT_EQ(im.count, 3);
        EXPECT_EQ(im.rows, 2);
        EXPECT_EQ(im.cols, 4);
        EXPECT_EQ(im.pixels, pixels());
        EXPECT_EQ(im.image(2)[0], pixels()[16]);
    }
}

TEST_F(DatasetIdx, ReadsLabels) {
    const IdxLabels l = read_idx_labels(write_gzip("l.gz", idx_bytes(0x08, {4}, {3, 0, 9, 1})));
    EXPECT_EQ(l.count(), 4);
    EXPECT_EQ(l.labels, (std::vector<uint8_t>{3, 0, 9, 1}));
}

TEST_F(DatasetIdx, ErrorsNameTheFileAndTheProblem) {
    const auto good = idx_bytes(0x08, {3, 2, 4}, pixels());

    auto bad_magic = good;
    bad_magic[0] = 0x1f;
    EXPECT_NE(images_error(write_plain("magic", bad_magic)).find("bad magic 0x1f000803: expected 0x00000803"),
              std::string::npos);

    auto bad_type = good;
    bad_type[2] = 0x0D;  // float
    EXPECT_NE(images_error(write_gzip("type.gz", bad_type)).find("data type 0x0d"), std::string::npos);

    // A label file given as images, an image file given as labels.
    const std::string labels = write_plain("labels", idx_bytes(0x08, {4}, {1, 2, 3, 4}));
    EXPECT_NE(images_error(labels).find("wrong dimensions: the file has 1 dimension(s)"), std::string::npos);
    EXPECT_NE(labels_error(write_plain("images", good)).find("wrong dimensions: the file has 3"),
              std::string::npos);

    EXPECT_NE(images_error(write_plain("tiny", {0, 0})).find("truncated: 2 bytes"), std::string::npos);
    EXPECT_NE(images_error(write_plain("header", std::vector<uint8_t>(good.begin(), good.begin() + 10)))
                  .find("truncated header"),
              std::string::npos);

    auto short_data = good;
    short_data.pop_back();
    const std::string msg = images_error(write_gzip("short.gz", short_data));
    EXPECT_NE(msg.find("truncated: dims 3 x 2 x 4 need 24 data bytes after the 16-byte header, the file has 23"),
              std::string::npos)
        << msg;

    auto long_data = good;
    long_data.push_back(7);
    EXPECT_NE(images_error(write_plain("long", long_data)).find("trailing data"), std::string::npos);

    EXPECT_NE(images_error(write_plain("zero", idx_bytes(0x08, {1, 0, 4}, {}))).find("wrong dims"),
              std::string::npos);
    EXPECT_NE(images_error(write_plain("huge", idx_bytes(0x08, {60000, 65536, 65536}, {}))).find("wrong dims"),
              std::string::npos);
}

// Partial reads decode only the images asked for: a header declaring more images than the
// file holds reads as far as they go; whole and partial, streamed and in memory share one
// size rule (an empty file of images larger than 2 GiB each is refused by all four).
TEST_F(DatasetIdx, ReadsAsFarAsAskedAndAllReadsShareOneSizeRule) {
    const std::string bomb = write_gzip("bomb.gz", idx_bytes(0x08, {2000000, 2, 4}, pixels()));
    EXPECT_EQ(read_idx_image_header(bomb).count, 2000000u);
    const IdxImages two = read_idx_images(bomb, 2);
    EXPECT_EQ(two.count, 2);
    const std::vector<uint8_t> all = pixels();
    EXPECT_EQ(two.pixels, std::vector<uint8_t>(all.begin(), all.begin() + 16));
    EXPECT_NE(images_error(bomb).find("truncated: dims 2000000 x 2 x 4 need 16000000 data bytes"), std::string::npos);
    const std::string huge = write_plain("huge0", idx_bytes(0x08, {0, 67109632, 166}, {}));
    EXPECT_THROW(read_idx_image_header(huge), DatasetError);
    EXPECT_THROW(read_idx_images(huge, 1), DatasetError);
    EXPECT_THROW(read_idx_images(huge), DatasetError);
    EXPECT_THROW(parse_idx_images(read_gzip_file(huge), huge), DatasetError);
    EXPECT_NE(images_error(fs::temp_directory_path().string()).find("it is a directory"), std::string::npos);
}

TEST_F(DatasetIdx, TruncatedOrCorruptGzipStreamIsAnError) {
    const std::string path = write_gzip("t.gz", idx_bytes(0x08, {3, 2, 4}, pixels()));
    std::ifstream in(path, std::ios::binary);
    std::vector<char> gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string cut = write_plain("cut.gz", std::vector<uint8_t>(gz.begin(), gz.end() - 6));
    EXPECT_NE(images_error(cut).find("corrupt or truncated gzip stream"), std::string::npos) << images_error(cut);

    std::vector<uint8_t> flipped(gz.begin(), gz.end());
    flipped[flipped.size() - 3] ^= 0xFF;  // inside the trailer: length check fails
    const std::string bad = write_plain("bad.gz", flipped);
    EXPECT_NE(images_error(bad).find("corrupt or truncated gzip stream"), std::string::npos) << images_error(bad);
}

TEST_F(DatasetIdx, MissingFileIsNamed) {
    const std::string path = (dir_ / "none.gz").string();
    EXPECT_EQ(images_error(path), "cannot open: No such file or directory");
}

InputConfig input_of(int h, int w, int c = 1, int bits = 8, bool is_signed = false) {
    InputConfig in;
    in.shape = {h, w, c};
    in.bits = bits;
    in.is_signed = is_signed;
    return in;
}

TEST(DatasetFrames, CodeIsTheRawPixelInRowMajorOrder) {
    const IdxImages im = parse_idx_images(idx_bytes(0x08, {3, 2, 4}, pixels()), "mem");
    const InputConfig in = input_of(2, 4);
    const FeatureMap f = dataset_frame(im, 1, in);
    ASSERT_EQ(f.shape.elements(), 8);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 4; ++x) EXPECT_EQ(f.at(y, x, 0), int32_t(pixels()[8 + size_t(y) * 4 + x]));

    const auto frames = dataset_frames(im, 1, 2, in);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].data, f.data);
    EXPECT_EQ(frames[1].data, dataset_frame(im, 2, in).data);
    EXPECT_TRUE(dataset_frames(im, 3, 0, in).empty());
    // More input bits than the pixels hold are fine: the codes stay 0..255.
    EXPECT_EQ(dataset_frame(im, 1, input_of(2, 4, 1, 12)).data, f.data);
}

TEST(DatasetFrames, RejectsAnInputTheImagesCannotFeed) {
    const IdxImages im = parse_idx_images(idx_bytes(0x08, {3, 2, 4}, pixels()), "mem");
    auto message = [&](const InputConfig& in, int index = 0) {
        try {
            dataset_frame(im, index, in);
        } catch (const DatasetError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_EQ(message(input_of(4, 2)), "mem: images are 2 x 4 x 1 but the network input is 4 x 2 x 1");
    EXPECT_EQ(message(input_of(2, 4, 3)), "mem: images are 2 x 4 x 1 but the network input is 2 x 4 x 3");
    EXPECT_EQ(message(input_of(2, 4, 1, 7)),
              "mem: pixels are unsigned 8-bit codes but the network input is unsigned 7-bit");
    EXPECT_EQ(message(input_of(2, 4, 1, 8, true)),
              "mem: pixels are unsigned 8-bit codes but the network input is signed 8-bit");
    EXPECT_EQ(message(input_of(2, 4), 3), "mem: image 3 requested, the file holds 3");
    EXPECT_THROW(dataset_frames(im, 2, 2, input_of(2, 4)), DatasetError);
    EXPECT_THROW(dataset_frames(im, -1, 1, input_of(2, 4)), DatasetError);
}

TEST(DatasetFrames, PredictedClassIsTheFirstMaximum) {
    FeatureMap out(FmShape{1, 1, 5});
    out.data = {-7, 12, 3, 12, -100};
    EXPECT_EQ(predicted_class(out), 1);
    out.data = {-7, -7, -7, -7, -7};
    EXPECT_EQ(predicted_class(out), 0);
    out.data = {0, 0, 0, 0, 1};
    EXPECT_EQ(predicted_class(out), 4);
    // After a label select the output holds labels, the best first.
    out.data = {3, 0, 1, 4, 2};
    EXPECT_EQ(predicted_class(out, true), 3);
    EXPECT_THROW(predicted_class(FeatureMap(FmShape{2, 1, 5})), std::invalid_argument);
    EXPECT_THROW(predicted_class(FeatureMap()), std::invalid_argument);
}

TEST_F(DatasetIdx, ReadsReferencePredictions) {
    const std::string path = write_plain("p.txt", {});
    std::ofstream(path) << "# comment\n3\n0\r\n# another\n9\n";
    EXPECT_EQ(read_reference_predictions(path), (std::vector<int>{3, 0, 9}));
    std::ofstream(path) << "# c\n3\nx7\n";
    try {
        read_reference_predictions(path);
        FAIL() << "no error";
    } catch (const DatasetError& e) {
        EXPECT_EQ(e.message(), "line 3: expected a class number, got 'x7'");
    }
    std::ofstream(path) << "1\n\n2\n";
    EXPECT_THROW(read_reference_predictions(path), DatasetError);
    EXPECT_THROW(read_reference_predictions((dir_ / "missing.txt").string()), DatasetError);
}

TEST(DatasetFashionMnist, TestSetReadsAs10000LabelledImages) {
    const std::string images = std::string(kFashionDir) + "/t10k-images-idx3-ubyte.gz";
    const std::string labels = std::string(kFashionDir) + "/t10k-labels-idx1-ubyte.gz";
    ASSERT_TRUE(fs::exists(images) && fs::exists(labels))
        << "Fashion-MNIST is missing: install the Debian package dataset-fashion-mnist (scripts/setup.sh does)";
    const IdxImages im = read_idx_images(images);
    const IdxLabels l = read_idx_labels(labels);
    EXPECT_EQ(im.count, 10000);
    EXPECT_EQ(im.rows, 28);
    EXPECT_EQ(im.cols, 28);
    ASSERT_EQ(l.count(), 10000);
    std::vector<int> per_class(10, 0);
    for (uint8_t c : l.labels) {
        ASSERT_LE(c, 9);
        per_class[c] += 1;
    }
    for (int n : per_class) EXPECT_EQ(n, 1000);  // the test set is balanced
    uint8_t lo = 255, hi = 0;
    for (uint8_t p : im.pixels) lo = std::min(lo, p), hi = std::max(hi, p);
    EXPECT_EQ(lo, 0);
    EXPECT_EQ(hi, 255);
}

}  // namespace dataset_idx_test
}  // namespace qsim
