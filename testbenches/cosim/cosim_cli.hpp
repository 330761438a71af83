// Command-line options shared by cosim_run and cosim_study, and the report of one run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "testbenches/cosim/cosim_blocks.hpp"

namespace qsim::cosim {

// Parses "--name value" pairs and bare "--flag"s (listed in `flags`); throws
// std::invalid_argument on an unknown option or a missing value.
std::map<std::string, std::string> parse_args(const std::vector<std::string>& args,
                                              const std::vector<std::string>& options,
                                              const std::vector<std::string>& flags);

// Fills RunOptions from parsed options: --block --stimulus --count --seed --rate --ready
// --sides --mutate value|cycle --mutate-select N --mutate-cycle N --vcd FILE --per-cycle FILE
// --cycles N.
RunOptions run_options(const std::map<std::string, std::string>& args);
const std::vector<std::string>& run_option_names();

uint64_t parse_count(const std::string& name, const std::string& value);

// Human-readable summary of a run (several lines).
std::string format_report(const RunReport& r);

}  // namespace qsim::cosim
