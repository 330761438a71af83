// The command line of every qsim tool, on Boost.Program_options, in one place so that all of
// them answer the same way:
//
//   TOOL --help, -h     usage, the one-line summary, the options and the notes; exit 0
//   TOOL --version      "TOOL 0.17.0" (qsim::version()); exit 0
//   a usage error       ONE line on stderr, "TOOL: usage: WHAT (see TOOL --help)"; exit 2
//
// Unknown options, stray positional arguments, missing or malformed values are usage errors;
// abbreviations of long options are not accepted (a script that says --conf meant something
// else, and an option added later must not change what it means).
//
// A tool describes itself in a Command, then:
//
//   const qsim::cli::Parsed p = qsim::cli::parse(cmd, argc, argv);
//   if (p.exit_code) return *p.exit_code;       // help or version printed, or a usage error
//   ... p.values ...                            // the variables_map, notified
//
// and reports the usage errors it finds itself (a required option, a value out of range)
// with usage_error(cmd, "what is wrong"), or throws UsageError and lets its catch do so.
// Tools with subcommands (qnn-weights generate|from-npy|info) call dispatch() first, then
// parse() the rest of the line with the subcommand's Command.
#pragma once

#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace qsim::cli {

namespace po = boost::program_options;

// What a tool (or one subcommand of it) accepts. Not copyable (options_description is not):
// build it in place and add to its members.
struct Command {
    Command(std::string tool, std::string synopsis, std::string summary, std::string subcommand = "");
    Command(const Command&) = delete;
    Command& operator=(const Command&) = delete;

    std::string tool;        // the program's name, the prefix of every message: "qnn-weights"
    std::string subcommand;  // "generate" for `qnn-weights generate`, empty for a plain tool
    std::string synopsis;    // what follows the name in the usage line: "--config FILE [--frames N]"
    std::string summary;     // one line saying what the tool does
    std::string notes;       // printed after the options by --help: positional arguments, exit codes
    po::options_description options;  // listed by --help (--help and --version are added)
    po::options_description hidden;    // parsed but not listed: positional targets, internal options
    // Positional arguments, each a name of `options` or `hidden`; without any, a bare word is a
    // usage error.
    po::positional_options_description positional;

    // "TOOL" or "TOOL SUBCOMMAND": what the usage line and "see ... --help" name.
    std::string invocation() const;
};

// The outcome of parsing: `exit_code` is set when the tool must return it now (0 after --help
// or --version, 2 after a usage error, the message already printed); otherwise `values` holds
// the options, stored and notified (variables bound with po::value<T>(&x) are filled).
struct Parsed {
    po::variables_map values;
    std::optional<int> exit_code;
};

// Parses argv[1..argc-1] (argv[0] is the program; for a subcommand, pass argv shifted so that
// argv[0] is the subcommand's name). Help and version go to `out`, usage errors to `err`.
Parsed parse(const Command& cmd, int argc, const char* const* argv, std::ostream& out, std::ostream& err);
Parsed parse(const Command& cmd, int argc, const char* const* argv);

// Prints "TOOL: usage: WHAT (see INVOCATION --help)" as one line (newlines in `what` become
// "; ") and returns 2, the usage exit code of every tool.
int usage_error(const Command& cmd, const std::string& what, std::ostream& err);
int usage_error(const Command& cmd, const std::string& what);

// A count given on the command line: decimal digits only, in lo..hi. Throws UsageError
// ("--random: expected an integer in 1..10000000, got '-1'") otherwise: a negative number is
// never wrapped to a huge one.
uint64_t parse_count(const std::string& option, const std::string& text, uint64_t lo, uint64_t hi);

// A usage error a tool finds in the values after parse(): catch it and return
// usage_error(cmd, e.what()).
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A subcommand of a tool, as --help lists it.
struct Subcommand {
    std::string name;
    std::string summary;
};

// Picks the subcommand named by argv[1]. `tool` is a Command without subcommand whose synopsis
// and summary --help shows above the list of subcommands. Handles `TOOL --help`, `TOOL -h`,
// `TOOL help` and `TOOL --version` (exit_code 0), and a missing or unknown subcommand (a usage
// error, exit_code 2). Otherwise `name` is the subcommand; parse argc - 1, argv + 1 with its
// Command.
struct Dispatched {
    std::string name;
    std::optional<int> exit_code;
};
Dispatched dispatch(const Command& tool, const std::vector<Subcommand>& subcommands, int argc,
                    const char* const* argv, std::ostream& out, std::ostream& err);
Dispatched dispatch(const Command& tool, const std::vector<Subcommand>& subcommands, int argc,
                    const char* const* argv);

}  // namespace qsim::cli
