// Tests of the command-line helper every tool parses its arguments with (testbenches/cli):
// --help and --version exit 0, usage errors are one line and exit 2, values reach the tool.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "models/common/version.hpp"
#include "testbenches/cli/cli.hpp"

namespace qsim::cli {
namespace cli_test {

// argv of a command line, kept alive while parse() reads it.
struct Argv {
    explicit Argv(std::vector<std::string> words) : words_(std::move(words)) {
        for (const std::string& w : words_) pointers_.push_back(w.c_str());
    }
    int argc() const { return int(pointers_.size()); }
    const char* const* argv() const { return pointers_.data(); }

private:
    std::vector<std::string> words_;
    std::vector<const char*> pointers_;
};

// A tool with a text option, a number, a repeatable option, a flag and one positional FILE.
struct Tool {
    Tool() : cmd("demo", "[--config FILE] [--frames N] FILE", "A demonstration tool.") {
        namespace po = boost::program_options;
        cmd.options.add_options()
            ("config", po::value(&config)->value_name("FILE"), "the configuration")
            ("frames", po::value(&frames)->value_name("N"), "frames to run")
            ("set", po::value(&sets)->composing(), "a parameter")
            ("check", "compare with the reference");
        cmd.hidden.add_options()("file", po::value(&file));
        cmd.positional.add("file", 1);
        cmd.notes = "exit status: 0 ok, 2 usage error\n";
    }
    Parsed parse(std::vector<std::string> words) {
        words.insert(words.begin(), "demo");
        const Argv a(words);
        out.str("");
        err.str("");
        return cli::parse(cmd, a.argc(), a.argv(), out, err);
    }

    Command cmd;
    std::string config, file;
    int frames = 4;
    std::vector<std::string> sets;
    std::ostringstream out, err;
};

size_t lines(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

TEST(Cli, HelpPrintsUsageOptionsAndNotesAndExits0) {
    for (const char* flag : {"--help", "-h"}) {
        Tool t;
        const Parsed p = t.parse({flag});
        ASSERT_TRUE(p.exit_code.has_value()) << flag;
        EXPECT_EQ(*p.exit_code, 0);
        const std::string help = t.out.str();
        EXPECT_EQ(help.rfind("usage: demo [--config FILE] [--frames N] FILE\nA demonstration tool.\n", 0), 0u) << help;
        for (const char* s : {"--config FILE", "the configuration", "--frames N", "--set", "--check", "--help",
                              "--version", "exit status: 0 ok"})
            EXPECT_NE(help.find(s), std::string::npos) << s << " not in:\n" << help;
        EXPECT_EQ(help.find("--file"), std::string::npos) << "hidden options are not listed:\n" << help;
        EXPECT_TRUE(t.err.str().empty()) << t.err.str();
    }
}

TEST(Cli, HelpWinsOverStrayWords) {
    Tool t;
    const Parsed p = t.parse({"a.qnnw", "b.qnnw", "--help"});
    ASSERT_TRUE(p.exit_code.has_value());
    EXPECT_EQ(*p.exit_code, 0);
    EXPECT_NE(t.out.str().find("usage: demo"), std::string::npos);
}

TEST(Cli, VersionPrintsToolAndVersion) {
    Tool t;
    const Parsed p = t.parse({"--version"});
    ASSERT_TRUE(p.exit_code.has_value());
    EXPECT_EQ(*p.exit_code, 0);
    EXPECT_EQ(t.out.str(), std::string("demo ") + qsim::version() + "\n");
    EXPECT_STREQ(qsim::version(), "0.17.0");  // CMakeLists.txt project(VERSION)
}

TEST(Cli, ValuesFlagsAndPositionalReachTheTool) {
    Tool t;
    const Parsed p = t.parse({"--config", "net.yaml", "--frames=7", "--set", "a=1", "--set=b=2", "--check", "w.qnnw"});
    ASSERT_FALSE(p.exit_code.has_value()) << t.err.str();
    EXPECT_EQ(t.config, "net.yaml");
    EXPECT_EQ(t.frames, 7);
    EXPECT_EQ(t.sets, (std::vector<std::string>{"a=1", "b=2"}));
    EXPECT_EQ(t.file, "w.qnnw");
    EXPECT_EQ(p.values.count("check"), 1u);
    EXPECT_TRUE(t.out.str().empty());
    EXPECT_TRUE(t.err.str().empty());
}

TEST(Cli, DefaultsStayWhenOptionsAreNotGiven) {
    Tool t;
    const Parsed p = t.parse({});
    ASSERT_FALSE(p.exit_code.has_value()) << t.err.str();
    EXPECT_EQ(t.frames, 4);
    EXPECT_TRUE(t.file.empty());
    EXPECT_EQ(p.values.count("check"), 0u);
}

// Every usage error: exit code 2, nothing on stdout, one line on stderr in the common form.
void expect_usage_error(const std::vector<std::string>& words, const std::string& what) {
    Tool t;
    const Parsed p = t.parse(words);
    ASSERT_TRUE(p.exit_code.has_value()) << what;
    EXPECT_EQ(*p.exit_code, 2) << what;
    EXPECT_TRUE(t.out.str().empty()) << t.out.str();
    const std::string e = t.err.str();
    EXPECT_EQ(lines(e), 1u) << e;
    EXPECT_EQ(e.rfind("demo: usage: ", 0), 0u) << e;
    EXPECT_NE(e.find(what), std::string::npos) << what << " not in: " << e;
    EXPECT_NE(e.find("(see demo --help)\n"), std::string::npos) << e;
}

TEST(Cli, UnknownOptionIsAUsageError) { expect_usage_error({"--bogus", "1"}, "'--bogus'"); }

TEST(Cli, AbbreviatedOptionIsAUsageError) { expect_usage_error({"--conf", "x.yaml"}, "'--conf'"); }

TEST(Cli, StrayPositionalArgumentIsAUsageError) {
    expect_usage_error({"a.qnnw", "b.qnnw"}, "unexpected argument 'b.qnnw'");
    expect_usage_error({"--config", "x.yaml", "a.qnnw", "--check", "stray"}, "unexpected argument 'stray'");
}

TEST(Cli, StrayArgumentOfAToolWithoutPositionalsIsAUsageError) {
    Command cmd("plain", "[--n N]", "No positional arguments.");
    cmd.options.add_options()("n", boost::program_options::value<int>(), "a number");
    const Argv a({"plain", "--n", "3", "extra"});
    std::ostringstream out, err;
    const Parsed p = parse(cmd, a.argc(), a.argv(), out, err);
    ASSERT_TRUE(p.exit_code.has_value());
    EXPECT_EQ(*p.exit_code, 2);
    EXPECT_EQ(err.str(), "plain: usage: unexpected argument 'extra' (see plain --help)\n");
}

TEST(Cli, MissingOrMalformedValueIsAUsageError) {
    expect_usage_error({"--config"}, "--config");
    expect_usage_error({"--frames", "many"}, "--frames");
    expect_usage_error({"--check=yes"}, "--check");
}

TEST(Cli, ToolUsageErrorIsOneLineWithTheSubcommandToSee) {
    Command cmd("qnn-weights", "FILE", "", "info");
    std::ostringstream err;
    EXPECT_EQ(usage_error(cmd, "info: expected exactly one weight file\nsecond line", err), 2);
    EXPECT_EQ(err.str(),
              "qnn-weights: usage: info: expected exactly one weight file; second line (see qnn-weights info --help)\n");
}

TEST(Cli, DispatchPicksTheSubcommandOrAnswersItself) {
    Command tool("tool", "COMMAND [OPTIONS]", "A tool with commands.");
    const std::vector<Subcommand> subs = {{"make", "make a thing"}, {"show", "show a thing"}};
    auto run = [&](std::vector<std::string> words, std::string& out, std::string& err) {
        words.insert(words.begin(), "tool");
        const Argv a(words);
        std::ostringstream o, e;
        const Dispatched d = dispatch(tool, subs, a.argc(), a.argv(), o, e);
        out = o.str();
        err = e.str();
        return d;
    };
    std::string out, err;
    Dispatched d = run({"show", "--x"}, out, err);
    EXPECT_FALSE(d.exit_code.has_value());
    EXPECT_EQ(d.name, "show");

    for (const char* help : {"--help", "-h", "help"}) {
        d = run({help}, out, err);
        ASSERT_TRUE(d.exit_code.has_value());
        EXPECT_EQ(*d.exit_code, 0);
        for (const char* s : {"usage: tool COMMAND [OPTIONS]", "make  make a thing", "show  show a thing", "--version"})
            EXPECT_NE(out.find(s), std::string::npos) << s << " not in:\n" << out;
    }
    d = run({"--version"}, out, err);
    ASSERT_TRUE(d.exit_code.has_value());
    EXPECT_EQ(*d.exit_code, 0);
    EXPECT_EQ(out, std::string("tool ") + qsim::version() + "\n");

    d = run({"frobnicate"}, out, err);
    ASSERT_TRUE(d.exit_code.has_value());
    EXPECT_EQ(*d.exit_code, 2);
    EXPECT_EQ(err, "tool: usage: unknown command 'frobnicate' (see tool --help)\n");
    d = run({}, out, err);
    ASSERT_TRUE(d.exit_code.has_value());
    EXPECT_EQ(*d.exit_code, 2);
    EXPECT_EQ(err, "tool: usage: missing command (see tool --help)\n");
}

TEST(Cli, SubcommandHelpAndErrorsNameTheSubcommand) {
    Command cmd("tool", "--out FILE", "make a thing", "make");
    cmd.options.add_options()("out", boost::program_options::value<std::string>(), "where");
    std::ostringstream out, err;
    const Argv help({"make", "--help"});
    Parsed p = parse(cmd, help.argc(), help.argv(), out, err);
    ASSERT_TRUE(p.exit_code.has_value());
    EXPECT_EQ(*p.exit_code, 0);
    EXPECT_EQ(out.str().rfind("usage: tool make --out FILE\n", 0), 0u) << out.str();
    const Argv bad({"make", "--in", "x"});
    p = parse(cmd, bad.argc(), bad.argv(), out, err);
    ASSERT_TRUE(p.exit_code.has_value());
    EXPECT_EQ(*p.exit_code, 2);
    EXPECT_EQ(err.str(), "tool: usage: unrecognised option '--in' (see tool make --help)\n");
}

}  // namespace cli_test
}  // namespace qsim::cli
