#include "models/common/errors.hpp"
#include "testbenches/cli/cli.hpp"

#include <cstdlib>
#include <cerrno>
#include <algorithm>
#include <iostream>
#include <utility>

#include "models/common/version.hpp"

namespace qsim::cli {

namespace {

namespace style = po::command_line_style;

// Boost's default style less allow_guessing: `--conf` is an error, not --config (cli.hpp).
constexpr int kStyle = style::default_style & ~style::allow_guessing;

// --help and --version, the same in every tool.
po::options_description general_options() {
    po::options_description general("general");
    general.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit");
    return general;
}

void print_version(const Command& cmd, std::ostream& out) { out << cmd.tool << " " << qsim::version() << "\n"; }

void print_usage_and_summary(const Command& cmd, std::ostream& out) {
    out << "usage: " << cmd.invocation() << (cmd.synopsis.empty() ? "" : " ") << cmd.synopsis << "\n";
    if (!cmd.summary.empty()) out << cmd.summary << "\n";
}

void print_notes(const Command& cmd, std::ostream& out) {
    if (cmd.notes.empty()) return;
    out << "\n" << cmd.notes;
    if (cmd.notes.back() != '\n') out << "\n";
}

void print_help(const Command& cmd, std::ostream& out) {
    print_usage_and_summary(cmd, out);
    po::options_description visible;
    if (!cmd.options.options().empty()) visible.add(cmd.options);
    visible.add(general_options());
    out << visible;  // each group starts with an empty line
    print_notes(cmd, out);
}

// Boost leaves a bare word with an empty key when no positional description claims it, and
// store() then drops it silently; a description that runs out throws without naming the word.
// Naming the words here instead makes every extra one a usage error that says which it is.
void name_positionals(const Command& cmd, po::parsed_options& parsed) {
    unsigned position = 0;
    for (po::option& o : parsed.options) {
        if (!o.string_key.empty()) continue;
        const std::string word = o.value.empty() ? std::string() : o.value.front();
        if (position >= cmd.positional.max_total_count()) throw UsageError("unexpected argument '" + word + "'");
        o.string_key = cmd.positional.name_for_position(position++);
    }
}

bool given(const po::parsed_options& parsed, const char* key) {
    return std::any_of(parsed.options.begin(), parsed.options.end(),
                       [key](const po::option& o) { return o.string_key == key; });
}

}  // namespace

Command::Command(std::string tool_name, std::string synopsis_text, std::string summary_text, std::string sub)
    : tool(std::move(tool_name)),
      subcommand(std::move(sub)),
      synopsis(std::move(synopsis_text)),
      summary(std::move(summary_text)),
      options("options") {}

std::string Command::invocation() const { return subcommand.empty() ? tool : tool + " " + subcommand; }

int usage_error(const Command& cmd, const std::string& what, std::ostream& err) {
    std::string line = what;
    for (size_t p = line.find('\n'); p != std::string::npos; p = line.find('\n', p)) line.replace(p, 1, "; ");
    err << cmd.tool << ": usage: " << one_line(line) << " (see " << cmd.invocation() << " --help)\n";
    return 2;
}

int usage_error(const Command& cmd, const std::string& what) { return usage_error(cmd, what, std::cerr); }

Parsed parse(const Command& cmd, int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    Parsed result;
    try {
        po::options_description all;
        all.add(cmd.options).add(cmd.hidden).add(general_options());
        po::parsed_options parsed = po::command_line_parser(argc, argv).options(all).style(kStyle).run();
        // Help and version win over what else is on the line, as long as it parses.
        if (given(parsed, "help")) {
            print_help(cmd, out);
            result.exit_code = 0;
            return result;
        }
        if (given(parsed, "version")) {
            print_version(cmd, out);
            result.exit_code = 0;
            return result;
        }
        name_positionals(cmd, parsed);
        po::store(parsed, result.values);
        po::notify(result.values);
    } catch (const po::error& e) {
        result.exit_code = usage_error(cmd, e.what(), err);
    } catch (const UsageError& e) {
        result.exit_code = usage_error(cmd, e.what(), err);
    }
    return result;
}

Parsed parse(const Command& cmd, int argc, const char* const* argv) {
    return parse(cmd, argc, argv, std::cout, std::cerr);
}

Dispatched dispatch(const Command& tool, const std::vector<Subcommand>& subcommands, int argc,
                    const char* const* argv, std::ostream& out, std::ostream& err) {
    Dispatched result;
    if (argc < 2) {
        result.exit_code = usage_error(tool, "missing command", err);
        return result;
    }
    const std::string word = argv[1];
    if (word == "--help" || word == "-h" || word == "help") {
        print_usage_and_summary(tool, out);
        size_t width = 0;
        for (const Subcommand& s : subcommands) width = std::max(width, s.name.size());
        out << "\ncommands:\n";
        for (const Subcommand& s : subcommands)
            out << "  " << s.name << std::string(width + 2 - s.name.size(), ' ') << s.summary << "\n";
        out << "\n" << general_options();
        print_notes(tool, out);
        result.exit_code = 0;
        return result;
    }
    if (word == "--version") {
        print_version(tool, out);
        result.exit_code = 0;
        return result;
    }
    for (const Subcommand& s : subcommands)
        if (s.name == word) {
            result.name = word;
            return result;
        }
    result.exit_code = usage_error(tool, "unknown command '" + word + "'", err);
    return result;
}

Dispatched dispatch(const Command& tool, const std::vector<Subcommand>& subcommands, int argc,
                    const char* const* argv) {
    return dispatch(tool, subcommands, argc, argv, std::cout, std::cerr);
}

uint64_t parse_count(const std::string& option, const std::string& text, uint64_t lo, uint64_t hi) {
    const std::string expected = option + ": expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                                 ", got '" + text + "'";
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError(expected);
    errno = 0;
    const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE || v < lo || v > hi) throw UsageError(expected);
    return v;
}

}  // namespace qsim::cli
