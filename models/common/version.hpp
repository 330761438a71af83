// The simulator's version, the one of CMake's project() call: every tool prints it for
// --version (testbenches/cli/cli.hpp), and reports can record which simulator made them.
#pragma once

namespace qsim {

// "MAJOR.MINOR.PATCH", e.g. "0.17.0".
const char* version();

}  // namespace qsim
