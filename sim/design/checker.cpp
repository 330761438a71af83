#include "sim/design/checker.hpp"

namespace qsim::design {

void Checker::check_section(const Table& t, const void* owner, const std::string& path, Origin section_at,
                            const LayerSpec* layer, bool required) {
    auto sub = [&](const Row& r) { return path.empty() ? r.key : path + "." + r.key; };
    for (const Row& r : t.rows) {
        if (r.kind == ValueKind::Params || r.kind == ValueKind::Sequence) continue;
        const bool given = r.is_given(owner);
        const auto why_not = r.not_allowed(owner, layer);
        if (given && why_not) fail(sub(r), r.origin(owner), *why_not);
        if (why_not) continue;
        if (!given) {
            if (r.required && required) fail(sub(r), section_at, "missing required field");
            continue;
        }
        if (r.kind == ValueKind::Mapping) {
            const void* inner = r.sub_owner(const_cast<void*>(owner));
            check_section(*r.sub, inner, sub(r), r.origin(owner), layer, required);
            continue;
        }
        std::optional<std::string> problem;
        switch (r.kind) {
            case ValueKind::Integer: problem = r.range.check(int64_t(r.get<int>(owner).value)); break;
            case ValueKind::Integer64: problem = r.range.check(r.get<int64_t>(owner).value); break;
            case ValueKind::Number: problem = r.range.check(r.get<double>(owner).value); break;
            default: break;
        }
        if (problem) fail(sub(r), r.origin(owner), *problem);
    }
}

}  // namespace qsim::design
