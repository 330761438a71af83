#include "models/resources/rule_text.hpp"

namespace qsim {

namespace {
thread_local bool g_rules_enabled = true;
}

bool resource_rules_enabled() { return g_rules_enabled; }

ResourceRulesOff::ResourceRulesOff() : previous_(g_rules_enabled) { g_rules_enabled = false; }

ResourceRulesOff::~ResourceRulesOff() { g_rules_enabled = previous_; }

}  // namespace qsim
