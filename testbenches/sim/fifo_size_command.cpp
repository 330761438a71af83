// sim fifo-size: the depth of every FIFO of a design for the bottleneck's (or a target) frame
// rate, by the deep-FIFO method and the minimising method side by side (sim/sweep/fifo_sizing),
// each run a `sim` child; the sized configuration written and checked by one more run.
// sim graph: `sim --config FILE --graph OUT` under the name the graph picture is asked for by.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "models/common/errors.hpp"
#include "models/common/output_file.hpp"
#include "models/common/text_format.hpp"
#include "models/resources/block_resources.hpp"
#include "sim/design/derive.hpp"
#include "sim/design/yaml_front_end.hpp"
#include "sim/sweep/fifo_sizing.hpp"
#include "sim/sweep/sim_child.hpp"
#include "testbenches/cli/cli.hpp"
#include "testbenches/sim/sweep_commands.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace qsim::sweep {

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char pattern[] = "/tmp/qsim_fifo_XXXXXX";
        const char* dir = mkdtemp(pattern);
        if (!dir) throw std::runtime_error(std::string("cannot make a temporary directory: ") + std::strerror(errno));
        path = dir;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// The peak fill of every site from a run's report.
std::vector<int> site_peaks(const NetworkConfig& net, const std::vector<FifoSite>& sites, const nlohmann::json& rep) {
    std::vector<int> peaks;
    const nlohmann::json& layers = rep.at("layers");
    for (const FifoSite& s : sites) {
        if (s.kind == FifoKind::Input) {
            peaks.push_back(rep.at("input_fifo").at("peak_rows").get<int>());
        } else if (s.kind == FifoKind::Layer) {
            peaks.push_back(layers.at(size_t(s.producer)).at("fifo").at("peak_rows").get<int>());
        } else {
            int peak = -1;
            for (const auto& b : layers.at(size_t(s.producer)).at("fork"))
                if (b.at("reader").get<std::string>() == net.layers[size_t(s.reader)].name)
                    peak = b.at("peak_rows").get<int>();
            if (peak < 0) throw std::runtime_error("the report has no branch FIFO for " + s.label);
            peaks.push_back(peak);
        }
    }
    return peaks;
}

// Each run a `sim` child of the base configuration with the depths as a --point, `jobs` at once.
FifoSimulator child_simulator(const std::string& config, const NetworkConfig& net, int frames, int jobs,
                              const std::string& tmp) {
    const std::vector<FifoSite> sites = fifo_sites(net);
    auto counter = std::make_shared<int>(0);
    return [=](const std::vector<std::vector<int>>& depths, uint64_t pace) {
        std::vector<FifoRun> runs(depths.size());
        for (size_t first = 0; first < depths.size(); first += size_t(jobs)) {
            const size_t last = std::min(depths.size(), first + size_t(jobs));
            std::vector<SimChild> children;
            for (size_t k = first; k < last; ++k) {
                std::vector<std::string> args = {"--config", config, "--frames", std::to_string(frames), "--no-timing",
                                                 "--timing-only", "--point", fifo_point(net, sites, depths[k])};
                if (pace) args.insert(args.end(), {"--input-interval", std::to_string(pace)});
                const std::string name = tmp + "/run" + std::to_string((*counter)++);
                children.push_back(start_sim(self_executable(), args, name + ".json", name + ".log"));
            }
            for (size_t k = first; k < last; ++k) {
                const SimChild& c = children[k - first];
                int status = 0;
                while (waitpid(c.pid, &status, 0) < 0)
                    if (errno != EINTR) throw std::runtime_error(std::string("waiting for sim: ") + std::strerror(errno));
                const SimOutcome o = finish_sim(c, status);
                FifoRun& r = runs[k];
                if (o.exit_code == 3) {
                    r.stall = o.stall.empty() ? o.last_line : o.stall;
                    continue;
                }
                if (o.exit_code != 0)
                    throw std::runtime_error("sim exited " + std::to_string(o.exit_code) + " on the depths " +
                                             fifo_point(net, sites, depths[k]) + ": " + o.last_line);
                r.completed = true;
                r.interval = o.report.at("performance").at("interval_cycles").get<uint64_t>();
                r.peaks = site_peaks(net, sites, o.report);
            }
        }
        return runs;
    };
}

struct FifoCost {
    std::string impl;  // "SRL", "BRAM", "registers"
    Resources use;
};

FifoCost fifo_cost(const NetworkConfig& net, const FifoSite& s, int depth) {
    std::vector<ResourceItem> items;
    const MemoryStyle fallback = net.resources.ram_style.of(MemoryKind::Fifos);
    const MemoryStyle style =
        s.producer < 0 ? fallback : net.layers[size_t(s.producer)].ram_style.of(MemoryKind::Fifos, fallback);
    add_fifo_resources("", depth, s.row_bits, s.word_bits, items, net.resources.bram_ports, style);
    FifoCost c;
    for (const auto& it : items) c.use += it.use;
    const ResourceItem& f = items.front();
    c.impl = f.part == "stream"          ? "SRL"
             : !f.memory                 ? "registers"
             : f.memory->style == "block" ? "BRAM"
             : f.memory->style == "srl"   ? "SRL"
             : f.memory->style == "distributed" ? "LUTRAM"
             : f.memory->style == "ultra"       ? "URAM"
                                                : "registers";
    return c;
}

}  // namespace

int fifo_size_command(int argc, char** argv) {
    cli::Command cmd("sim", "--config FILE [--target-fps F] --out SIZED.yaml",
                     "Size every FIFO of a design (the skip paths of residual blocks above all) for the frame rate of "
                     "its bottleneck or a target, by the deep-FIFO method and the minimising method (docs/graphs.md).",
                     "fifo-size");
    cmd.notes = "exit status: 0 ok, 1 bad input or a rate no FIFO depth reaches, 2 usage error, 3 the sized design "
                "does not keep the rate when simulated again\n";
    std::string config, out, method = "minimal";
    double fps = 0, tolerance_pct = 0.1;
    int frames = 4, jobs = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    cmd.options.add_options()("config,c", po::value<std::string>(&config), "configuration (YAML)")(
        "target-fps", po::value<double>(&fps), "the frame rate to keep (default: the bottleneck's)")(
        "out,o", po::value<std::string>(&out), "write the sized configuration here (required)")(
        "method", po::value<std::string>(&method), "the depths written: minimal (default) or deep")(
        "frames", po::value<int>(&frames), "frames each run simulates (default 4)")(
        "jobs,j", po::value<int>(&jobs), "simulations at once (default: the cores)")(
        "tolerance", po::value<double>(&tolerance_pct),
        "percent above the target interval a run may take and still keep the rate (default 0.1)");
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    const po::variables_map& vm = parsed.values;
    if (config.empty()) return cli::usage_error(cmd, "--config is required");
    if (out.empty()) return cli::usage_error(cmd, "--out SIZED.yaml is required");
    if (vm.count("target-fps") && !(fps > 0 && std::isfinite(fps)))
        return cli::usage_error(cmd, "--target-fps must be a finite number > 0");
    if (method != "minimal" && method != "deep")
        return cli::usage_error(cmd, "--method must be minimal or deep (got '" + method + "')");
    if (frames < 3 || frames > 1000) return cli::usage_error(cmd, "--frames must be 3..1000 (a steady interval needs three)");
    if (jobs < 1 || jobs > 256) return cli::usage_error(cmd, "--jobs must be 1..256");
    if (!(tolerance_pct >= 0 && tolerance_pct <= 50)) return cli::usage_error(cmd, "--tolerance must be 0..50 (percent)");
    if (same_file(out, config)) return cli::usage_error(cmd, "--out " + out + " is the configuration being sized");
    try {
        check_writable(out);
        const NetworkConfig net = design::derive_or_throw(design::read_yaml_spec(config, {}));
        if (net.host.enabled)
            throw std::runtime_error(config + ": the design has a host link, whose DMA paces the input; size the "
                                              "accelerator's FIFOs on the design without its host: section");
        const auto t0 = std::chrono::steady_clock::now();
        const TempDir tmp;
        FifoSizingRequest req;
        req.target_fps = fps;
        req.tolerance = tolerance_pct / 100.0;
        const FifoSizingResult r = size_fifos(net, req, child_simulator(config, net, frames, jobs, tmp.path));

        // The two methods side by side.
        std::ostringstream table;
        table << std::left << std::setw(24) << "FIFO" << std::right << std::setw(6) << "word" << std::setw(8)
              << "w/row" << " | " << std::setw(6) << "peak" << std::setw(9) << "words" << std::setw(6) << "impl"
              << std::setw(7) << "BRAM18" << std::setw(6) << "LUT" << " | " << std::setw(6) << "min" << std::setw(9)
              << "words" << std::setw(6) << "impl" << std::setw(7) << "BRAM18" << std::setw(6) << "LUT" << "  field\n";
        Resources deep_total, min_total;
        std::vector<FifoSite> sites;
        std::vector<int> deep_depths, min_depths;
        for (const SizedFifo& f : r.fifos) {
            const FifoCost d = fifo_cost(net, f.site, f.peak), m = fifo_cost(net, f.site, f.minimal);
            deep_total += d.use;
            min_total += m.use;
            sites.push_back(f.site);
            deep_depths.push_back(f.peak);
            min_depths.push_back(f.minimal);
            const uint64_t wpr = f.site.words_per_row();
            // A fork's branch in hardware also needs the row the row model's fork holds while it
            // waits for room (docs/fifo_words.md: rows x words deadlocks where (rows + 1) x words
            // does not).
            const uint64_t extra = f.site.kind == FifoKind::Branch ? wpr : 0;
            table << std::left << std::setw(24) << f.site.label << std::right << std::setw(6) << f.site.word_bits
                  << std::setw(8) << wpr << " | " << std::setw(6) << f.peak << std::setw(9) << grouped(f.peak * wpr + extra)
                  << std::setw(6) << d.impl << std::setw(7) << d.use.bram18 << std::setw(6) << d.use.lut << " | "
                  << std::setw(6) << f.minimal << std::setw(9) << grouped(f.minimal * wpr + extra) << std::setw(6) << m.impl
                  << std::setw(7) << m.use.bram18 << std::setw(6) << m.use.lut << "  " << f.site.field << "\n";
        }
        std::cout << "fifo-size " << net.name << ": bottleneck " << interval_text(r.bottleneck_interval, net)
                  << " with deep FIFOs; target "
                  << (fps > 0 ? interval_text(r.target_interval, net) + ", input paced at it"
                              : std::string("the bottleneck's rate, input unpaced"))
                  << "\n(depths in rows of the FIFO's stream, and in words of its width for hardware: rows x words per row, "
                     "(rows + 1) x words per row after a fork, docs/fifo_words.md)\n"
                  << table.str() << "total FIFO resources: deep " << deep_total.bram18 << " BRAM18, "
                  << grouped(deep_total.lut) << " LUT | minimal " << min_total.bram18 << " BRAM18, "
                  << grouped(min_total.lut) << " LUT\n"
                  << "deep method's depths re-simulated:      " << run_text(r.deep_check, net)
                  << (r.deep_keeps_rate ? "" : "  (does NOT keep the rate)") << "\n"
                  << "minimising method's depths re-simulated: " << run_text(r.minimal_check, net) << "\n";
        for (const auto& n : r.notes) std::cout << "note: " << n << "\n";

        const bool deep_chosen = method == "deep";
        const std::vector<int>& chosen = deep_chosen ? deep_depths : min_depths;
        std::ostringstream head;
        head << "# FIFOs sized by `sim fifo-size --config " << config;
        if (fps > 0) head << " --target-fps " << fps;
        head << "` (" << method << " method): "
             << (deep_chosen ? "each FIFO's peak fill with deep FIFOs" : "the smallest depths that keep the rate")
             << ", target " << grouped(r.target_interval) << " cycles per frame at " << net.device.clock_mhz
             << " MHz.\n# FIFO resources: " << (deep_chosen ? deep_total.bram18 : min_total.bram18) << " BRAM18, "
             << grouped(deep_chosen ? deep_total.lut : min_total.lut) << " LUT (the other method: "
             << (deep_chosen ? min_total.bram18 : deep_total.bram18) << " BRAM18).\n";
        write_file_atomically(out, sized_yaml(config, net, sites, chosen, head.str(),
                                              fs::path(out).parent_path().string()));

        // The sized file itself, simulated as a user will: unpaced unless a target was given.
        std::vector<std::string> args = {"--config", out, "--frames", std::to_string(frames), "--no-timing"};
        if (r.pace) args.insert(args.end(), {"--input-interval", std::to_string(r.pace)});
        const SimOutcome o = run_sim(self_executable(), args, tmp.path, "sized");
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        FifoRun check;
        check.completed = o.exit_code == 0;
        if (check.completed) check.interval = o.report.at("performance").at("interval_cycles").get<uint64_t>();
        check.stall = o.stall.empty() ? o.last_line : o.stall;
        std::cout << "written: " << out << " (" << method << "); simulated again: " << run_text(check, net) << "\n"
                  << r.simulations + 1 << " simulations of " << frames << " frames in " << fmt("%.1f", seconds)
                  << " s\n";
        if (!r.keeps_rate(check)) {
            std::cerr << "sim fifo-size: the sized design does not keep " << grouped(r.target_interval)
                      << " cycles per frame: " << run_text(check, net) << "\n";
            return 3;
        }
    } catch (const InputError& e) {  // a ConfigError too: file, line and field
        std::cerr << one_line(e.what()) << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "sim fifo-size: " << one_line(e.what()) << "\n";
        return 1;
    }
    return 0;
}

int graph_command(int argc, char** argv) {
    cli::Command cmd("sim", "--config FILE --out FILE.dot|.svg|.png [--frames N] [--set NAME=VALUE ...]",
                     "Simulate a design and write its dataflow graph: each layer with its busy fraction, each FIFO "
                     "with its depth and peak fill (sim --graph; docs/graphs.md).",
                     "graph");
    cmd.notes = "exit status: as sim's\n";
    std::string config, out, frames;
    std::vector<std::string> sets;
    cmd.options.add_options()("config,c", po::value<std::string>(&config), "configuration (YAML)")(
        "out,o", po::value<std::string>(&out), "the graph: .dot, or .svg / .png rendered with Graphviz's dot")(
        "frames,n", po::value<std::string>(&frames), "frames to simulate (default: the config's run.frames)")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(), "a config parameter: NAME=VALUE");
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    if (config.empty()) return cli::usage_error(cmd, "--config is required");
    if (out.empty()) return cli::usage_error(cmd, "--out FILE.dot, FILE.svg or FILE.png is required");
    std::vector<std::string> args = {self_executable(), "--config", config, "--graph", out};
    if (!frames.empty()) args.insert(args.end(), {"--frames", frames});
    for (const auto& s : sets) args.insert(args.end(), {"--set", s});
    std::vector<char*> argv_out;
    for (auto& a : args) argv_out.push_back(a.data());
    argv_out.push_back(nullptr);
    std::cout.flush();
    ::execv(argv_out[0], argv_out.data());
    std::cerr << "sim graph: cannot run " << args[0] << ": " << std::strerror(errno) << "\n";
    return 1;
}

}  // namespace qsim::sweep
