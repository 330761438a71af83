// Command-line options shared by cosim_run and cosim_study, and the report of one run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "testbenches/cosim/cosim_blocks.hpp"

namespace qsim::cosim {

// Declares the options run_options() reads (those named in `only`, or all), all as text:
// run_options() checks their values, with its own messages. The command line itself is parsed
// by testbenches/cli (qsim::cli::parse).
void add_run_options(boost::program_options::options_description& options, const std::vector<std::string>& only = {});

// The text options given on the command line, by name without the dashes (flags, which
// carry no text, are read from the variables_map itself).
std::map<std::string, std::string> given_options(const boost::program_options::variables_map& values);

// Fills RunOptions from parsed options: --block --stimulus --count --seed --rate --ready
// --sides --mutate value|cycle --mutate-select N --mutate-cycle N --vcd FILE --per-cycle FILE
// --cycles N.
// Throws std::invalid_argument on a missing --block or a malformed value, cli::UsageError on a
// count out of range.
RunOptions run_options(const std::map<std::string, std::string>& args);

// The most cycles, stimulus items or a mutation's cycle a run takes (--count, --cycles,
// --mutate-cycle): a billion, minutes of co-simulation.
constexpr uint64_t kMaxCount = 1'000'000'000;

// The value of --NAME as a count in 0..hi; throws std::invalid_argument naming the option.
uint64_t parse_count(const std::string& name, const std::string& value, uint64_t hi = kMaxCount);

// Human-readable summary of a run (several lines).
std::string format_report(const RunReport& r);

}  // namespace qsim::cosim
