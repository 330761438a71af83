#include "models/common/version.hpp"

// CMakeLists.txt defines QSIM_VERSION for this file only, from project(VERSION): the number
// lives in one place, and a new version recompiles one file instead of every includer.
#ifndef QSIM_VERSION
#error "QSIM_VERSION must be defined by the build (CMakeLists.txt, project VERSION)"
#endif

namespace qsim {

const char* version() { return QSIM_VERSION; }

}  // namespace qsim
