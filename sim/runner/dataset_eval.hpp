// `sim --dataset`: the frames of an IDX data set fed through the accelerator, and the classes
// the network's outputs predict scored against the labels and, when given, against the
// reference predictions the training scripts stored beside a model (scripts/train/export.py).
#pragma once

#include <string>
#include <vector>

#include "models/common/feature_map.hpp"

namespace qsim {

struct DatasetResult {
    bool enabled = false;
    std::string images_file, labels_file, reference_file;  // "" when not used
    int images = 0;                  // frames evaluated
    int correct = 0;                 // predicted class == label
    double accuracy = 0.0;           // correct / images (0 without labels)
    int reference_compared = 0;
    int reference_matches = 0;       // predicted class == the reference prediction
    std::vector<std::string> mismatches;  // the first few differences from the reference
};

// `labels` and `reference` may be empty (not used); otherwise they hold at least one entry per
// output frame.
DatasetResult evaluate_dataset(const std::vector<FeatureMap>& outputs, const std::vector<int>& labels,
                               const std::vector<int>& reference);

// The label file beside an IDX image file: "...-images-idx3-ubyte[.gz]" -> "...-labels-idx1-ubyte[.gz]";
// "" when the name does not follow that pattern.
std::string labels_file_for(const std::string& images_file);

}  // namespace qsim
