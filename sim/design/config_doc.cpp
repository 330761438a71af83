#include "sim/design/config_doc.hpp"

#include <sstream>
#include <stdexcept>

#include "sim/design/fields.hpp"

namespace qsim::design {

namespace {

// Pipes in a cell would split it.
std::string cell(const std::string& s) {
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string layer_types(unsigned types) {
    if (types == kAllLayerTypes) return "all";
    std::string out;
    for (const auto& [t, name] : EnumText<LayerType>::names)
        if (types & layer_type_bit(t)) out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

std::string default_text(const Row& r, const void* fresh) {
    if (!r.default_text.empty()) return r.default_text;
    if (r.required) return "required";
    if (r.kind == ValueKind::Mapping || r.kind == ValueKind::Sequence || r.kind == ValueKind::Params) return "";
    const std::string v = r.value_text(fresh);
    if (r.kind == ValueKind::Text) return v.empty() ? "" : "`" + v + "`";
    return r.kind == ValueKind::Choice ? "`" + v + "`" : v;
}

}  // namespace

std::string config_reference_markdown() {
    std::ostringstream os;
    for (const Table* t : all_tables()) {
        os << "\n### " << (t->name.empty() ? "Top level" : "`" + t->name + "`") << "\n\n" << t->title << "\n\n";
        os << "| Field | Type | Default | Range |" << (t == &layer_table() ? " Layer types |" : "") << " Meaning |\n";
        os << "|---|---|---|---|" << (t == &layer_table() ? "---|" : "") << "---|\n";
        const std::shared_ptr<void> fresh = t->fresh();
        for (const Row& r : t->rows) {
            os << "| `" << r.key << "` | " << cell(r.type_text()) << " | " << cell(default_text(r, fresh.get())) << " | "
               << cell(r.range.text()) << " | ";
            if (t == &layer_table()) os << layer_types(r.types) << " | ";
            os << cell(r.meaning) << " |\n";
        }
    }
    return os.str();
}

std::string with_config_reference(const std::string& doc) {
    const size_t begin = doc.find(kConfigDocBegin);
    const size_t end = doc.find(kConfigDocEnd);
    if (begin == std::string::npos || end == std::string::npos || end < begin)
        throw std::runtime_error(std::string("the markers '") + kConfigDocBegin + "' and '" + kConfigDocEnd +
                                 "' are missing");
    const size_t start = begin + std::string(kConfigDocBegin).size();
    return doc.substr(0, start) + "\n" + config_reference_markdown() + "\n" + doc.substr(end);
}

}  // namespace qsim::design
