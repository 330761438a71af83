// config-doc: keeps the field reference of docs/config.md what the field tables say
// (sim/design/fields.hpp). `--write FILE` rewrites the generated block between its markers;
// `--check FILE` exits 1 when the block is not current (a ctest test runs it).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "models/common/output_file.hpp"
#include "sim/design/config_doc.hpp"
#include "testbenches/cli/cli.hpp"

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::string write, check;
    qsim::cli::Command cmd("config-doc", "--check FILE | --write FILE | --print",
                           "The configuration field reference of docs/config.md, from the field tables.");
    cmd.options.add_options()
        ("check", po::value(&check)->value_name("FILE"), "exit 1 unless FILE's generated block is current")
        ("write", po::value(&write)->value_name("FILE"), "rewrite FILE's generated block")
        ("print", "print the generated block");
    cmd.notes = "exit status: 0 ok (current, written or printed), 1 not current or unreadable, 2 usage error\n";
    const qsim::cli::Parsed parsed = qsim::cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    if (parsed.values.count("print")) {
        std::cout << qsim::design::config_reference_markdown();
        return 0;
    }
    const std::string& path = !write.empty() ? write : check;
    if (path.empty() || (!write.empty() && !check.empty()))
        return qsim::cli::usage_error(cmd, "give one of --check FILE, --write FILE, --print");
    std::ifstream in(path);
    if (!in) {
        std::cerr << "config-doc: cannot read " << path << "\n";
        return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string current;
    try {
        current = qsim::design::with_config_reference(ss.str());
    } catch (const std::exception& e) {
        std::cerr << "config-doc: " << path << ": " << e.what() << "\n";
        return 1;
    }
    if (!check.empty()) {
        if (current == ss.str()) return 0;
        std::cerr << "config-doc: " << path
                  << " is not what the field tables say; run `build/config-doc --write " << path << "`\n";
        return 1;
    }
    try {
        qsim::write_file_atomically(path, current);
    } catch (const std::exception& e) {
        std::cerr << "config-doc: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
