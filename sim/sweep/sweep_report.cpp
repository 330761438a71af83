#include "sim/sweep/sweep_report.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "models/common/output_file.hpp"
#include "models/common/version.hpp"
#include "sim/sweep/checkpoint.hpp"

extern char** environ;

namespace qsim::sweep {

namespace {

// The first line of a sweep's CSV files: the tool and version that wrote it and the layout
// (schema) of its columns; a comment line for gnuplot, pandas (comment='#') and csv readers
// that skip it.
std::string csv_banner(const char* what) {
    return std::string("# sim ") + version() + ", sweep " + what + " schema " + std::to_string(kSweepCsvSchemaVersion) +
           " (docs/sweeps.md)\n";
}

// What a front trades frames/s against: the resources, the board power in mW and the energy
// per frame in uJ (docs/power.md).
const char* const kResources[] = {"lut", "ff", "bram18", "dsp", "power_mw", "energy_uj"};

uint64_t resource(const PointResult& r, const std::string& name) {
    if (name == "lut") return r.resources.lut;
    if (name == "ff") return r.resources.ff;
    if (name == "bram18") return r.resources.bram18;
    if (name == "power_mw") return uint64_t(std::llround(r.power_w * 1e3));
    if (name == "energy_uj") return uint64_t(std::llround(r.energy_per_frame_j * 1e6));
    return r.resources.dsp;
}

// The axis label of a front's plot.
std::string resource_label(const std::string& name) {
    if (name == "power_mw") return "board power (mW)";
    if (name == "energy_uj") return "energy per frame (uJ)";
    return name;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// The value of each axis in a point string "a=1;b=2".
std::map<std::string, std::string> point_values(const std::string& point) {
    std::map<std::string, std::string> out;
    std::stringstream ss(point);
    std::string item;
    while (std::getline(ss, item, ';')) {
        const size_t eq = item.find('=');
        if (eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return out;
}

// What gnuplot is given: data files and a script in the output directory, referred to by
// their own names (gnuplot runs there), so the directory's name never enters a command.
std::string plot_script(uint64_t rows, const PointResult* best, std::vector<std::string>& files,
                        const std::string& dir) {
    std::ostringstream gp;
    gp << "set datafile separator ','\nset grid\nset key top left\nset ylabel 'frames/s'\n";
    for (size_t k = 0; k < std::size(kResources); ++k) {
        const std::string res = kResources[k];
        for (const char* term : {"png", "svg"}) {
            const std::string out = "pareto_" + res + "." + term;
            gp << "set terminal " << (std::string(term) == "png" ? "pngcairo size 900,600" : "svg size 900,600") << "\n"
               << "set output '" << out << "'\nset xlabel '" << resource_label(res) << "'\nset title 'frames/s against "
               << resource_label(res) << " (" << rows << " points)'\n"
               << "plot 'plot_points_" << res << ".csv' using 1:($3==1?$2:1/0) with points pt 7 ps 0.5 lc rgb '#4477aa' "
               << "title 'fits the device', 'plot_points_" << res
               << ".csv' using 1:($3==0?$2:1/0) with points pt 6 ps 0.5 lc rgb '#bbbbbb' title 'does not fit', "
               << "'plot_front_" << res << ".csv' using 1:2 with steps lw 2 lc rgb '#cc3311' title 'Pareto front'\n";
            files.push_back(dir + "/" + out);
        }
    }
    if (best != nullptr) {
        for (const char* term : {"png", "svg"}) {
            const std::string out = "balance." + std::string(term);
            gp << "set terminal " << (std::string(term) == "png" ? "pngcairo size 900,500" : "svg size 900,500") << "\n"
               << "set output '" << out << "'\nset style fill solid 0.8\nset boxwidth 0.7\nset xlabel 'layer'\n"
               << "set ylabel 'cycles per frame'\nset yrange [0:*]\nset title \"cycle balance of point " << best->index
               << " (" << num(best->fps()) << " frames/s)\"\nunset key\n"
               << "plot 'plot_balance.csv' using 0:2:xtic(1) with boxes lc rgb '#4477aa', " << best->interval_cycles
               << " with lines lw 2 lc rgb '#cc3311'\n";
            files.push_back(dir + "/" + out);
        }
    }
    return gp.str();
}

// Runs `gnuplot plots.gp` in `dir` (an argument vector, no shell), its output in plots.log.
void run_gnuplot(const std::string& dir) {
    std::vector<std::string> args = {"gnuplot", "plots.gp"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
    posix_spawn_file_actions_addopen(&fa, 1, "plots.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    const int err = posix_spawnp(&pid, "gnuplot", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err == ENOENT)
        throw std::runtime_error("gnuplot is not installed (Debian package gnuplot-nox); the results are written, "
                                 "the plots are not");
    if (err != 0) throw std::runtime_error(std::string("cannot start gnuplot: ") + std::strerror(err));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("gnuplot failed on " + dir + "/plots.gp (see " + dir + "/plots.log)");
}

}  // namespace

void ParetoFront::add(uint64_t index, uint64_t resource, double fps, const std::string& point) {
    for (const Member& m : members_)
        if (m.resource <= resource && m.fps >= fps) return;  // beaten, or equal to an earlier point
    members_.erase(std::remove_if(members_.begin(), members_.end(),
                                  [&](const Member& m) { return resource <= m.resource && fps >= m.fps; }),
                   members_.end());
    const auto at = std::lower_bound(members_.begin(), members_.end(), resource,
                                     [](const Member& m, uint64_t r) { return m.resource < r; });
    members_.insert(at, Member{index, resource, fps, point});
}

bool ParetoFront::contains(uint64_t index) const {
    return std::any_of(members_.begin(), members_.end(), [&](const Member& m) { return m.index == index; });
}

std::vector<size_t> pareto_front(const std::vector<PointResult>& rows, const std::string& res) {
    ParetoFront front;
    for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].valid) front.add(i, resource(rows[i], res), rows[i].fps(), rows[i].point);
    std::vector<size_t> out;
    for (const auto& m : front.members()) out.push_back(size_t(m.index));
    return out;
}

OutputSummary write_outputs(const std::string& dir, const DesignSpace& space, const std::string& checkpoint,
                            bool plots) {
    OutputSummary s;
    // Pass 1: the fronts, the counts, the fastest design that fits, and the plot data.
    std::vector<ParetoFront> fronts(std::size(kResources));
    std::optional<PointResult> best;
    std::vector<std::unique_ptr<AtomicFileWriter>> points;
    if (plots)
        for (const char* res : kResources)
            points.push_back(std::make_unique<AtomicFileWriter>(dir + "/plot_points_" + res + ".csv"));
    for_each_record_in_order(checkpoint, [&](const PointResult& r) {
        ++s.rows;
        if (!r.valid) return;
        ++s.valid;
        s.fitting += r.fits ? 1 : 0;
        for (size_t k = 0; k < std::size(kResources); ++k) {
            fronts[k].add(r.index, resource(r, kResources[k]), r.fps(), r.point);
            if (plots)
                points[k]->stream() << resource(r, kResources[k]) << "," << num(r.fps()) << "," << (r.fits ? 1 : 0) << "\n";
        }
        if (!best || (r.fits && !best->fits) || (r.fits == best->fits && r.fps() > best->fps())) best = r;
    });

    // Pass 2: the rows, with their places on the fronts.
    AtomicFileWriter csv(dir + "/results.csv"), json(dir + "/results.json");
    csv.stream() << csv_banner("results");
    csv.stream() << "index";
    for (const auto& a : space.axes) csv.stream() << "," << csv_field(a.name);
    csv.stream() << ",valid,reason,tier,clock_mhz,interval_cycles,frames_per_second,sim_interval_cycles,"
                    "sim_frames_per_second,latency_us,lut,ff,bram18,dsp,lutram,uram,power_w,energy_per_frame_j,fits,exceeded,"
                    "bottleneck";
    for (const char* res : kResources) csv.stream() << ",pareto_" << res;
    csv.stream() << ",needs_simulation\n";
    json.stream() << "[";
    bool first = true;
    for_each_record_in_order(checkpoint, [&](const PointResult& r) {
        std::ostream& c = csv.stream();
        const auto values = point_values(r.point);
        c << r.index;
        for (const auto& a : space.axes) {
            const auto it = values.find(a.name);
            c << "," << csv_field(it == values.end() ? "" : it->second);
        }
        c << "," << (r.valid ? "yes" : "no") << "," << csv_field(r.reason);
        nlohmann::json j = to_json(r);
        if (r.valid) {
            const bool sim = r.tier == "simulation";
            std::string exceeded;
            for (const auto& e : r.exceeded) exceeded += (exceeded.empty() ? "" : "; ") + e;
            c << "," << r.tier << "," << num(r.clock_mhz) << "," << r.interval_cycles << "," << num(r.frames_per_second)
              << "," << (sim ? std::to_string(r.sim_interval_cycles) : "") << "," << (sim ? num(r.sim_frames_per_second) : "")
              << "," << (sim ? num(r.latency_us) : "") << "," << r.resources.lut << "," << r.resources.ff << ","
              << r.resources.bram18 << "," << r.resources.dsp << "," << r.resources.lutram << ","
              << r.resources.uram << "," << num(r.power_w) << ","
              << num(r.energy_per_frame_j) << "," << (r.fits ? "yes" : "no") << ","
              << csv_field(exceeded) << "," << csv_field(r.bottleneck);
            for (size_t k = 0; k < std::size(kResources); ++k) {
                const bool on = fronts[k].contains(r.index);
                c << "," << (on ? "yes" : "no");
                j["pareto"][kResources[k]] = on;
            }
            c << "," << csv_field(r.needs_simulation);
        } else {
            c << std::string(19 + std::size(kResources), ',');
        }
        c << "\n";
        json.stream() << (first ? "\n" : ",\n") << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        first = false;
    });
    json.stream() << "\n]\n";
    csv.commit();
    json.commit();

    AtomicFileWriter pareto(dir + "/pareto.csv");
    pareto.stream() << csv_banner("pareto") << "resource,index,point,resource_value,frames_per_second\n";
    for (size_t k = 0; k < std::size(kResources); ++k)
        for (const auto& m : fronts[k].members())
            pareto.stream() << kResources[k] << "," << m.index << "," << csv_field(m.point) << "," << m.resource << ","
                            << num(m.fps) << "\n";
    pareto.commit();
    s.files = {dir + "/results.csv", dir + "/results.json", dir + "/pareto.csv"};
    if (!plots) return s;

    for (size_t k = 0; k < std::size(kResources); ++k) {
        points[k]->commit();
        AtomicFileWriter front(dir + "/plot_front_" + std::string(kResources[k]) + ".csv");
        for (const auto& m : fronts[k].members()) front.stream() << m.resource << "," << num(m.fps) << "\n";
        front.commit();
    }
    if (best) {
        AtomicFileWriter bal(dir + "/plot_balance.csv");
        for (const auto& [layer, cycles] : best->layer_cycles) bal.stream() << csv_field(layer) << "," << cycles << "\n";
        bal.commit();
    }
    std::vector<std::string> files;
    write_file_atomically(dir + "/plots.gp", plot_script(s.rows, best ? &*best : nullptr, files, dir));
    run_gnuplot(dir);
    s.files.insert(s.files.end(), files.begin(), files.end());
    return s;
}

}  // namespace qsim::sweep
