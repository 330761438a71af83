#include "sim/runner/dataset_eval.hpp"

#include "models/dataset/idx_dataset.hpp"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <stdexcept>

namespace qsim {

int dequantised_class(const FeatureMap& output, const OutputConfig& dequantise) {
    const FmShape& s = output.shape;
    if (s.height != 1 || s.width != 1 || s.channels < 1 || output.data.size() != size_t(s.channels) ||
        size_t(s.channels) != dequantise.scale.size() ||
        dequantise.offset.size() != dequantise.scale.size())
        throw std::invalid_argument("dequantised_class: expected a 1 x 1 x " + std::to_string(dequantise.scale.size()) +
                                    " output map");
    int best = 0;
    double best_value = dequantise.value(output.data[0], 0);
    for (int c = 1; c < s.channels; ++c) {
        const double v = dequantise.value(output.data[size_t(c)], c);
        if (v > best_value) {
            best = c;
            best_value = v;
        }
    }
    return best;
}

DatasetResult evaluate_dataset(const std::vector<FeatureMap>& outputs, const std::vector<int>& labels,
                               const std::vector<int>& reference, bool label_select,
                               const OutputConfig* dequantise) {
    if (label_select && dequantise)
        throw std::invalid_argument("evaluate_dataset: a label select's outputs are classes, not values to dequantise");
    DatasetResult r;
    r.enabled = true;
    r.dequantised = dequantise != nullptr;
    r.images = int(outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i) {
        const int predicted =
            dequantise ? dequantised_class(outputs[i], *dequantise) : predicted_class(outputs[i], label_select);
        if (!labels.empty() && predicted == labels[i]) ++r.correct;
        if (!reference.empty()) {
            ++r.reference_compared;
            if (predicted == reference[i]) {
                ++r.reference_matches;
            } else if (r.mismatches.size() < 5) {
                r.mismatches.push_back("image " + std::to_string(i) + ": simulated class " + std::to_string(predicted) +
                                       ", reference " + std::to_string(reference[i]));
            }
        }
    }
    if (!labels.empty() && r.images > 0) r.accuracy = double(r.correct) / double(r.images);
    return r;
}

std::string labels_file_for(const std::string& images_file) {
    const std::string from = "-images-idx3-ubyte", to = "-labels-idx1-ubyte";
    const size_t at = images_file.rfind(from);
    if (at == std::string::npos) return "";
    return images_file.substr(0, at) + to + images_file.substr(at + from.size());
}

DatasetPlan plan_dataset(const std::string& images, std::string labels, std::string reference,
                         const std::string& config, int frames, const InputConfig& input) {
    DatasetPlan p;
    p.images_file = images;
    const IdxHeader head = read_idx_image_header(images);
    p.images = head.count;
    if (head.count == 0) throw DatasetError(images, "holds no images");
    // The shape and codes the network takes, from the header.
    IdxImages shape;
    shape.file = images;
    shape.rows = int(head.rows);
    shape.cols = int(head.cols);
    check_dataset_input(shape, input);
    p.frames = frames > 0 ? frames : int(std::min<uint64_t>(head.count, uint64_t(INT_MAX)));
    if (uint64_t(p.frames) > head.count)
        throw std::invalid_argument("--frames " + std::to_string(p.frames) + " but " + images + " holds " +
                                    std::to_string(head.count) + " images");
    if (labels.empty()) labels = labels_file_for(images);
    if (!labels.empty()) {
        const IdxHeader l = read_idx_label_header(labels);
        if (l.count < uint64_t(p.frames))
            throw DatasetError(labels, "holds " + std::to_string(l.count) + " labels, fewer than the " +
                                           std::to_string(p.frames) + " images simulated");
        p.labels_file = labels;
    }
    if (reference.empty()) {
        const std::string suffix = ".yaml";
        const std::string beside = config.size() > suffix.size() &&
                                           config.compare(config.size() - suffix.size(), suffix.size(), suffix) == 0
                                       ? config.substr(0, config.size() - suffix.size()) + ".predictions.txt"
                                       : "";
        if (!beside.empty() && std::filesystem::is_regular_file(beside)) reference = beside;
    }
    if (!reference.empty()) {
        const std::vector<int> predictions = read_reference_predictions(reference);
        if (predictions.size() < size_t(p.frames))
            throw DatasetError(reference, "holds " + std::to_string(predictions.size()) + " predictions, fewer than the " +
                                              std::to_string(p.frames) + " images simulated");
        p.reference_file = reference;
    }
    return p;
}

DatasetInput load_dataset(const DatasetPlan& plan, const InputConfig& input) {
    DatasetInput d;
    const IdxImages images = read_idx_images(plan.images_file, uint64_t(plan.frames));
    d.frames = dataset_frames(images, 0, plan.frames, input);
    if (!plan.labels_file.empty()) {
        const IdxLabels l = read_idx_labels(plan.labels_file, uint64_t(plan.frames));
        d.labels.assign(l.labels.begin(), l.labels.begin() + plan.frames);
    }
    if (!plan.reference_file.empty()) {
        d.reference = read_reference_predictions(plan.reference_file);
        d.reference.resize(size_t(plan.frames));
    }
    return d;
}

}  // namespace qsim
