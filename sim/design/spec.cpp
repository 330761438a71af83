#include "sim/design/spec.hpp"

namespace qsim::design {

ConfigError NetworkSpec::error(const Violation& v) const {
    if (!v.at.known() || size_t(v.at.source) >= sources.size()) return ConfigError(file, SourceLoc{}, v.field, v.message);
    const Source& src = sources[size_t(v.at.source)];
    if (src.file) return ConfigError(src.text, SourceLoc{v.at.line, v.at.column}, v.field, v.message);
    return ConfigError(file + ": " + src.text, SourceLoc{}, v.field, v.message);
}

}  // namespace qsim::design
