// `sim --dataset`: the frames of an IDX data set fed through the accelerator, and the classes
// the network's outputs predict scored against the labels and, when given, against the
// reference predictions the training scripts stored beside a model (scripts/train/export.py).
#pragma once

#include <string>
#include <vector>

#include "models/common/feature_map.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

struct DatasetResult {
    bool enabled = false;
    std::string images_file, labels_file, reference_file;  // "" when not used
    int images = 0;                  // frames evaluated
    int correct = 0;                 // predicted class == label
    double accuracy = 0.0;           // correct / images (0 without labels)
    int reference_compared = 0;
    int reference_matches = 0;       // predicted class == the reference prediction
    bool dequantised = false;        // classes from the config's `output` dequantisation of the outputs
    std::vector<std::string> mismatches;  // the first few differences from the reference
};

// `labels` and `reference` may be empty (not used); otherwise they hold at least one entry per
// output frame. `label_select`: the outputs are a topk layer's labels, the best first.
// `dequantise` (the config's `output` section, when enabled): the class is the channel of the
// largest dequantised value instead of the largest raw output (dequantised_class); not with
// `label_select` (std::invalid_argument).
DatasetResult evaluate_dataset(const std::vector<FeatureMap>& outputs, const std::vector<int>& labels,
                               const std::vector<int>& reference, bool label_select = false,
                               const OutputConfig* dequantise = nullptr);

// The class a 1 x 1 x C output predicts after the host's dequantisation: the channel of the
// largest scale_c x out_c + offset_c, the lowest on ties. Throws std::invalid_argument for a map
// that is not 1 x 1 x C or whose channels differ from the dequantisation's.
int dequantised_class(const FeatureMap& output, const OutputConfig& dequantise);

// What a --dataset run will read, from the files' headers alone: every count and shape is
// checked before any image is decoded, so memory follows the frames asked for, not what a
// header declares.
struct DatasetPlan {
    std::string images_file, labels_file, reference_file;  // "" when not used
    int frames = 0;        // images to simulate
    uint64_t images = 0;   // images the file holds
};

// `frames` 0: every image. `labels` "" looks beside the images (labels_file_for, when that file
// exists); `reference` "" looks beside the config (CONFIG.predictions.txt). Throws DatasetError
// (no images, a shape the network cannot take, fewer labels or predictions than frames) and
// std::invalid_argument for more frames than images (a usage error).
DatasetPlan plan_dataset(const std::string& images, std::string labels, std::string reference,
                         const std::string& config, int frames, const InputConfig& input);

struct DatasetInput {
    std::vector<FeatureMap> frames;
    std::vector<int> labels, reference;  // empty when not used
};
// Decodes what `plan` names: the first plan.frames images, labels and predictions.
DatasetInput load_dataset(const DatasetPlan& plan, const InputConfig& input);

// The label file beside an IDX image file: "...-images-idx3-ubyte[.gz]" -> "...-labels-idx1-ubyte[.gz]";
// "" when the name does not follow that pattern.
std::string labels_file_for(const std::string& images_file);

}  // namespace qsim
