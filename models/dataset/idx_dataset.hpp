// IDX data sets (the MNIST / Fashion-MNIST container), gzipped or plain, and the
// simulator's input frames made from their images.
//
// IDX layout: 2 zero bytes, a data-type byte (0x08 = unsigned byte, the only type accepted
// here), the number of dimensions, one big-endian u32 per dimension, then the values in C
// order. Image files have 3 dimensions (count, rows, cols), label files 1 (count).
// Files are read through zlib, so a gzipped file (as Debian's dataset-fashion-mnist installs
// them under /usr/share/datasets/fashion-mnist/) and an uncompressed one read alike.
//
// Input mapping (the one the training scripts of scripts/train/ assume): frame code
// (y, x, 0) = pixel (y, x) of the image, the raw byte 0..255, on an unsigned input of at least
// 8 bits, rows x cols x 1. No scaling, no offset.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/errors.hpp"
#include "models/common/feature_map.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

// Any problem with a data set or reference-prediction file. what() is "FILE: MESSAGE".
class DatasetError : public InputError {
public:
    DatasetError(std::string file, std::string message)
        : InputError(std::move(file), "", "", std::move(message), "<data set>") {}
};

struct IdxImages {
    std::string file;
    int count = 0;
    int rows = 0;
    int cols = 0;
    std::vector<uint8_t> pixels;  // count * rows * cols: image-major, then row-major

    const uint8_t* image(int i) const { return pixels.data() + size_t(i) * size_t(rows) * size_t(cols); }
};

struct IdxLabels {
    std::string file;
    std::vector<uint8_t> labels;
    int count() const { return int(labels.size()); }
};

// Largest decompressed file accepted (bytes): bounds the memory a corrupt header can ask for.
constexpr uint64_t kMaxIdxBytes = uint64_t(1) << 31;

// The whole content of a gzipped or plain file. Throws DatasetError (cannot open, corrupt or
// truncated gzip stream, larger than kMaxIdxBytes).
std::vector<uint8_t> read_gzip_file(const std::string& path);

// Parse an IDX image (3 dimensions) or label (1 dimension) file already in memory; `name`
// is used in error messages. Throws DatasetError: bad magic, unsupported data type, wrong
// number of dimensions, zero rows or columns, truncated header or data, trailing data.
IdxImages parse_idx_images(const std::vector<uint8_t>& bytes, const std::string& name);
IdxLabels parse_idx_labels(const std::vector<uint8_t>& bytes, const std::string& name);

// What a file's header declares: the item count and, for images, their size.
struct IdxHeader {
    uint64_t count = 0;
    uint32_t rows = 1, cols = 1;
};
// Reads the header of a file (a regular file, gzipped or plain) of images (3 dimensions) or
// labels (1), with the checks of parse_idx_*; nothing after it is decoded.
IdxHeader read_idx_image_header(const std::string& path);
IdxHeader read_idx_label_header(const std::string& path);
// Reads a file's first `limit` items (all when `limit` >= the count, then checking for trailing
// data too): memory follows what is asked for, not what a header declares. Throws DatasetError
// as parse_idx_* (a truncated file only when the items asked for run past its end).
IdxImages read_idx_images(const std::string& path, uint64_t limit = UINT64_MAX);
IdxLabels read_idx_labels(const std::string& path, uint64_t limit = UINT64_MAX);

// Throws DatasetError (naming the images' file) unless the images can feed `input`: shape
// rows x cols x 1, unsigned, bits >= 8.
void check_dataset_input(const IdxImages& images, const InputConfig& input);

// The input frame of image `index` (0-based): code (y, x, 0) = pixel (y, x). Checks the input
// as check_dataset_input and the index range.
FeatureMap dataset_frame(const IdxImages& images, int index, const InputConfig& input);
// Frames of images first .. first + count - 1, in order.
std::vector<FeatureMap> dataset_frames(const IdxImages& images, int first, int count,
                                       const InputConfig& input);

// The class a network's output predicts: the channel of the largest value of the last
// layer's output (a 1 x 1 x classes map of raw accumulators or codes); the lowest channel on
// ties; after a label-select (topk) layer, the first label it selected. Throws
// std::invalid_argument for an empty map or one that is not 1 x 1 x C.
int predicted_class(const FeatureMap& output, bool label_select = false);

// The largest reference-prediction file accepted (bytes).
constexpr uint64_t kMaxPredictionBytes = uint64_t(64) << 20;

// Reference predictions written by scripts/train/export.py: lines starting with '#' are
// comments, every other line holds one class (a non-negative integer), one per test image in
// file order. Throws DatasetError naming the line of a malformed entry.
std::vector<int> read_reference_predictions(const std::string& path);

}  // namespace qsim
