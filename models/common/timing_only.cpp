#include "models/common/timing_only.hpp"

namespace qsim {

namespace {
bool g_timing_only = false;
}

bool timing_only() { return g_timing_only; }
void set_timing_only(bool on) { g_timing_only = on; }

}  // namespace qsim
