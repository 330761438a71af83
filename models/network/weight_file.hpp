// Binary weight file (".qnnw"): the quantised parameters of every compute layer of a network,
// and the requantisation of every add layer with an activation, validated against the
// configuration when read. The byte layout is described in docs/weights-format.md; all
// integers are little endian.
//
//   header  : magic "QNNSIMW\0" (8) | u16 version = 1 | u16 flags = 0 | u32 layer count |
//             u64 payload bytes (the layer records that follow)
//   record  : per compute layer and requantised add layer (LayerConfig::has_params), in config
//             order (pool layers and add layers without an activation have none), see the doc
//   trailer : u32 CRC-32 (IEEE 802.3) of every byte before it
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/errors.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

// Any invalid weight file (or parameters that cannot be written). what() is
// "file:@offset: field: message", e.g.
//   alexnet.qnnw:@1234: layers[conv2].fan_in: expected 750 (from config), file has 600
class WeightFileError : public InputError {
public:
    WeightFileError(std::string file, uint64_t offset, std::string field, std::string message)
        : InputError(std::move(file), byte_offset_text(offset), std::move(field), std::move(message), "<weights>"),
          offset_(offset) {}
    uint64_t offset() const { return offset_; }

private:
    uint64_t offset_;
};

constexpr uint16_t kWeightFileVersion = 1;
// Version 2 (docs/weights-format.md): records add weight_encoding (packed, run-length or
// Huffman coded ternary weights) and the SYQ scaling factors. Version-1 files stay readable;
// the writer uses version 2 only when a layer needs it.
constexpr uint16_t kWeightFileVersionEncoded = 2;
constexpr size_t kWeightFileHeaderBytes = 24;
constexpr size_t kWeightFileTrailerBytes = 4;

// CRC-32 as used by Ethernet, zlib and PNG (reflected polynomial 0xEDB88320, initial value and
// final xor 0xFFFFFFFF), computed by zlib's crc32 for any size. crc32("123456789") == 0xCBF43926.
// Pass a previous result as `crc` to continue a running checksum.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

// Serialises params (one entry per config layer) after checking them against the config;
// `name` is used in error messages. Throws WeightFileError.
std::vector<uint8_t> encode_weight_file(const NetworkConfig& cfg, const NetworkParams& params,
                                        const std::string& name = "<memory>");
void write_weight_file(const std::string& path, const NetworkConfig& cfg, const NetworkParams& params);

// How to store the weights: `encoding` codes every ternary layer run-length or Huffman
// (version 2); delta_bits 0 takes the layer's decompressor.delta_bits, or without a
// decompressor the width that gives the smallest run-length stream for its weights.
struct WeightFileOptions {
    std::optional<WeightEncoding> encoding;
    int delta_bits = 0;
};
std::vector<uint8_t> encode_weight_file(const NetworkConfig& cfg, const NetworkParams& params,
                                        const WeightFileOptions& options, const std::string& name = "<memory>");
void write_weight_file(const std::string& path, const NetworkConfig& cfg, const NetworkParams& params,
                       const WeightFileOptions& options);

// Parses and validates a weight file against the config: structure, checksum, layer names and
// order, quantisation, activation, shapes, weight codes and threshold order. Returns one entry
// per config layer (layers without a record: empty). Throws WeightFileError.
NetworkParams decode_weight_file(const std::vector<uint8_t>& bytes, const NetworkConfig& cfg,
                                 const std::string& name = "<memory>");
NetworkParams read_weight_file(const std::string& path, const NetworkConfig& cfg);

// One layer's record on its own: what DMA channel 1 carries to that layer's weight and
// threshold memories (ch. 6.6.1). Same layout and validation as inside a file.
std::vector<uint8_t> encode_layer_record(const LayerConfig& layer, const LayerParams& params,
                                         const std::string& name = "<memory>");
LayerParams decode_layer_record(const std::vector<uint8_t>& bytes, const LayerConfig& layer,
                                const std::string& name = "<memory>");
// The same from `size` bytes at `bytes`. With `packed_weights` (not null), packed weights stay
// packed: they are validated as usual, but params.weights (RCCM: params.selects) is left empty
// and *packed_weights points at the record's N * fan_in codes inside `bytes` (the layout of
// weight_codes.hpp). For run-length or Huffman coded weights *packed_weights is set to null
// and the weights are decoded into params.
LayerParams decode_layer_record(const uint8_t* bytes, size_t size, const LayerConfig& layer,
                                const std::string& name, const uint8_t** packed_weights);

// What a weight file contains, without a config (for `qnn-weights info`).
struct WeightFileLayerInfo {
    std::string name;
    uint64_t offset = 0;        // of the record
    uint64_t record_bytes = 0;
    int quant = 0;              // 0 binary, 1 ternary, 2 uniform, 3 rccm, 4 adder (an add layer: no weights)
    int weight_bits = 0;
    float scale = 0;
    float ternary_threshold = 0;
    int activation = 0;         // 0 thresholds, 1 bipolar, 2 relu, 3 none
    int activation_bits = 0;
    uint32_t n = 0;
    uint32_t fan_in = 0;
    uint64_t packed_bytes = 0;
    uint32_t thresholds_per_channel = 0;
    int weight_encoding = 0;     // version 2: 0 packed, 1 rle, 2 huffman (packed_bytes: the section)
    int delta_bits = 0;          // rle / huffman
    uint64_t nonzeros = 0;       // rle / huffman
    uint32_t scale_count = 0;    // version 2: SYQ scaling factors
    // Ternary layers (summary only): the sizes both encodings give these weights (ch. 3.2.4).
    bool compressed_known = false;
    uint64_t weight_nonzeros = 0;
    uint64_t rle_bits = 0, huffman_bits = 0;
    int rle_delta_bits = 0, huffman_delta_bits = 0;
    int32_t mul = 0, shift = 0;  // relu only
    int lambda = 0;              // rccm only: the 8-bit scale lambda_l
};

struct WeightFileSummary {
    std::string file;
    uint64_t file_bytes = 0;
    uint16_t version = 0;
    uint16_t flags = 0;
    uint32_t layer_count = 0;
    uint64_t payload_bytes = 0;
    bool checksum_present = false;
    uint32_t stored_crc = 0;
    uint32_t computed_crc = 0;
    std::vector<WeightFileLayerInfo> layers;
    std::string problem;  // what() of the first structural error found, empty if none

    bool checksum_ok() const { return checksum_present && stored_crc == computed_crc; }
    bool ok() const { return checksum_ok() && problem.empty(); }
};

// Throws WeightFileError only when the file cannot be read or is not a weight file (bad
// magic, truncated header, unsupported version); other problems go to `problem`.
WeightFileSummary summarize_weight_file(const std::string& path);
// Human-readable listing: header, checksum OK/bad, one line per layer, totals.
std::string describe_weight_file(const std::string& path);
std::string format_weight_file_summary(const WeightFileSummary& s);

const char* weight_quant_code_name(int code);   // "binary", "ternary", "uniform", "rccm", "adder", "invalid"
const char* activation_code_name(int code);     // "thresholds", "bipolar", "relu", "none", "invalid"

}  // namespace qsim
