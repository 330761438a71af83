// The `rule` of a resource item: how the part was counted, with its numbers, for the report and
// docs/resources.md. Formatting it costs more than the arithmetic of the estimate, so a caller
// that needs only the totals of many designs (the analytical tier of `sim sweep`, `sim fold`)
// turns the text off for its thread with a ResourceRulesOff in scope; the counts do not change.
#pragma once

#include <sstream>
#include <string>

namespace qsim {

bool resource_rules_enabled();

class ResourceRulesOff {
public:
    ResourceRulesOff();
    ~ResourceRulesOff();
    ResourceRulesOff(const ResourceRulesOff&) = delete;
    ResourceRulesOff& operator=(const ResourceRulesOff&) = delete;

private:
    bool previous_;
};

// The parts streamed one after the other; "" while rules are off.
template <class... Parts>
std::string rule_text(const Parts&... parts) {
    if (!resource_rules_enabled()) return {};
    std::ostringstream os;
    (os << ... << parts);
    return os.str();
}

}  // namespace qsim
