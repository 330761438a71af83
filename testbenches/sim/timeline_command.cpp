// sim timeline: the Gantt picture (SVG, or PNG through rsvg-convert) of a trace that
// `sim --trace` wrote (sim/report/timeline.hpp).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "models/common/errors.hpp"
#include "models/common/output_file.hpp"
#include "sim/design/yaml_front_end.hpp"
#include "sim/report/timeline.hpp"
#include "sim/sweep/sim_child.hpp"
#include "testbenches/cli/cli.hpp"
#include "testbenches/sim/sweep_commands.hpp"

namespace po = boost::program_options;

namespace qsim::sweep {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// sim --trace keeps at most 1,000,000 records, about 150 MB of JSON; the picture reads the
// whole trace into memory (about ten times its size).
constexpr uintmax_t kMaxTraceBytes = uintmax_t(256) << 20;

}  // namespace

int timeline_command(int argc, char** argv) {
    cli::Command cmd("sim", "TRACE.json --out FILE.svg|FILE.png [--width PX] [--title TEXT]",
                     "Draw the Gantt picture of a trace written by sim --trace (docs/timelines.md).", "timeline");
    cmd.notes = "exit status: 0 ok, 1 bad input (not a trace, cannot write), 2 usage error\n";
    std::string trace_file, out, title, only;
    int width = 1200, row_height = 14;
    cmd.hidden.add_options()("trace", po::value<std::string>(&trace_file), "the trace");
    cmd.options.add_options()
        ("out,o", po::value<std::string>(&out), "the picture: .svg, or .png (needs rsvg-convert, Debian librsvg2-bin)")
        ("width", po::value<int>(&width), "pixels of the time axis (default 1200, 200..20000)")
        ("row-height", po::value<int>(&row_height), "pixels per block (default 14, 6..60)")
        ("title", po::value<std::string>(&title), "the title (default: network, config, window, clock)")
        ("only", po::value<std::string>(&only),
         "draw only the blocks and fills whose name holds one of these comma-separated texts, e.g. conv1,conv2");
    cmd.positional.add("trace", 1);
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    if (trace_file.empty()) return cli::usage_error(cmd, "the trace file is required");
    if (out.empty()) return cli::usage_error(cmd, "--out FILE.svg or FILE.png is required");
    const bool png = ends_with(out, ".png");
    if (!png && !ends_with(out, ".svg")) return cli::usage_error(cmd, "--out must end in .svg or .png (got " + out + ")");
    if (width < 200 || width > 20000) return cli::usage_error(cmd, "--width must be 200..20000");
    if (row_height < 6 || row_height > 60) return cli::usage_error(cmd, "--row-height must be 6..60");
    const std::string rsvg = png ? find_on_path("rsvg-convert") : "";
    if (png && rsvg.empty())
        throw InputError(out, "", "--out",
                         "a PNG needs rsvg-convert (apt-get install librsvg2-bin), which is not on PATH; write .svg");
    check_writable(out);
    std::string text, why;
    if (!design::read_small_file(trace_file, kMaxTraceBytes, "a trace", text, why))
        throw InputError(trace_file, "", "", "cannot read the trace: " + why);
    nlohmann::json trace = nlohmann::json::parse(text, nullptr, false);
    if (trace.is_discarded()) throw InputError(trace_file, "", "", "not JSON (expected a trace written by sim --trace)");
    text.clear();
    GanttOptions options;
    options.width = width;
    options.row_height = row_height;
    options.title = title;
    for (size_t start = 0; !only.empty() && start <= only.size();) {
        const size_t end = std::min(only.find(',', start), only.size());
        if (end > start) options.only.push_back(only.substr(start, end - start));
        start = end + 1;
    }
    const std::string svg = render_gantt_svg(trace, trace_file, options);
    if (!png) {
        write_file_atomically(out, svg);
    } else {
        const std::string tmp_svg = out + ".svg.part" + std::to_string(::getpid());
        write_file_atomically(tmp_svg, svg);
        const int rc = run_process(rsvg, {"-f", "png", "-o", out, tmp_svg}, "/dev/null");
        std::remove(tmp_svg.c_str());
        if (rc != 0) throw InputError(out, "", "--out", "rsvg-convert failed (exit " + std::to_string(rc) + ")");
    }
    std::cout << "timeline: wrote " << out << "\n";
    return 0;
}

}  // namespace qsim::sweep
