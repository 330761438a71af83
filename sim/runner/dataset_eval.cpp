#include "sim/runner/dataset_eval.hpp"

#include "models/dataset/idx_dataset.hpp"

namespace qsim {

DatasetResult evaluate_dataset(const std::vector<FeatureMap>& outputs, const std::vector<int>& labels,
                               const std::vector<int>& reference) {
    DatasetResult r;
    r.enabled = true;
    r.images = int(outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i) {
        const int predicted = predicted_class(outputs[i]);
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

}  // namespace qsim
