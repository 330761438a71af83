#include "sim/sweep/sweep_report.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace qsim::sweep {

namespace {

const char* const kResources[] = {"lut", "ff", "bram18", "dsp"};

uint64_t resource(const PointResult& r, const std::string& name) {
    if (name == "lut") return r.resources.lut;
    if (name == "ff") return r.resources.ff;
    if (name == "bram18") return r.resources.bram18;
    return r.resources.dsp;
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

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot write " + path);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace

std::vector<size_t> pareto_front(const std::vector<PointResult>& rows, const std::string& res) {
    std::vector<size_t> order;
    for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].valid) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const uint64_t ra = resource(rows[a], res), rb = resource(rows[b], res);
        if (ra != rb) return ra < rb;
        if (rows[a].fps() != rows[b].fps()) return rows[a].fps() > rows[b].fps();
        return rows[a].index < rows[b].index;
    });
    std::vector<size_t> front;
    double best = -1;
    for (size_t i : order) {
        if (rows[i].fps() > best) {
            front.push_back(i);
            best = rows[i].fps();
        }
    }
    return front;
}

void write_results(const std::string& dir, const DesignSpace& space, const std::vector<PointResult>& rows) {
    std::map<std::string, std::vector<bool>> on_front;
    for (const char* res : kResources) {
        std::vector<bool> flags(rows.size(), false);
        for (size_t i : pareto_front(rows, res)) flags[i] = true;
        on_front[res] = flags;
    }
    std::ostringstream csv;
    csv << "index";
    for (const auto& a : space.axes) csv << "," << csv_field(a.name);
    csv << ",valid,reason,tier,clock_mhz,interval_cycles,frames_per_second,sim_interval_cycles,sim_frames_per_second,"
           "latency_us,lut,ff,bram18,dsp,fits,exceeded,bottleneck,pareto_lut,pareto_ff,pareto_bram18,pareto_dsp\n";
    nlohmann::json all = nlohmann::json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
        const PointResult& r = rows[i];
        const auto values = point_values(r.point);
        csv << r.index;
        for (const auto& a : space.axes) {
            auto it = values.find(a.name);
            csv << "," << csv_field(it == values.end() ? "" : it->second);
        }
        csv << "," << (r.valid ? "yes" : "no") << "," << csv_field(r.reason);
        if (r.valid) {
            const bool sim = r.tier == "simulation";
            std::string exceeded;
            for (const auto& e : r.exceeded) exceeded += (exceeded.empty() ? "" : "; ") + e;
            csv << "," << r.tier << "," << num(r.clock_mhz) << "," << r.interval_cycles << "," << num(r.frames_per_second)
                << "," << (sim ? std::to_string(r.sim_interval_cycles) : "") << ","
                << (sim ? num(r.sim_frames_per_second) : "") << "," << (sim ? num(r.latency_us) : "") << ","
                << r.resources.lut << "," << r.resources.ff << "," << r.resources.bram18 << "," << r.resources.dsp << ","
                << (r.fits ? "yes" : "no") << "," << csv_field(exceeded) << "," << csv_field(r.bottleneck);
            for (const char* res : kResources) csv << "," << (on_front[res][i] ? "yes" : "no");
        } else {
            csv << ",,,,,,,,,,,,,,,,,,";
        }
        csv << "\n";
        nlohmann::json j = to_json(r);
        for (const char* res : kResources)
            if (r.valid) j["pareto"][res] = bool(on_front[res][i]);
        all.push_back(j);
    }
    write_file(dir + "/results.csv", csv.str());
    write_file(dir + "/results.json", all.dump(1) + "\n");

    std::ostringstream pareto;
    pareto << "resource,index,point,resource_value,frames_per_second\n";
    for (const char* res : kResources)
        for (size_t i : pareto_front(rows, res))
            pareto << res << "," << rows[i].index << "," << csv_field(rows[i].point) << "," << resource(rows[i], res) << ","
                   << num(rows[i].fps()) << "\n";
    write_file(dir + "/pareto.csv", pareto.str());
}

std::vector<std::string> write_plots(const std::string& dir, const std::vector<PointResult>& rows) {
    if (std::system("gnuplot --version > /dev/null 2>&1") != 0)
        throw std::runtime_error("gnuplot is not installed (Debian package gnuplot-nox)");
    std::vector<std::string> files;
    std::ostringstream gp;
    gp << "set datafile separator ','\nset grid\nset key top left\nset ylabel 'frames/s'\n";
    for (const char* res : kResources) {
        // All valid points and the front, as data files gnuplot reads.
        std::ostringstream pts, front;
        for (const auto& r : rows)
            if (r.valid) pts << resource(r, res) << "," << num(r.fps()) << "," << (r.fits ? 1 : 0) << "\n";
        for (size_t i : pareto_front(rows, res)) front << resource(rows[i], res) << "," << num(rows[i].fps()) << "\n";
        const std::string pf = dir + "/plot_points_" + res + ".csv", ff = dir + "/plot_front_" + res + ".csv";
        write_file(pf, pts.str());
        write_file(ff, front.str());
        for (const char* term : {"png", "svg"}) {
            const std::string out = dir + "/pareto_" + res + "." + term;
            gp << "set terminal " << (std::string(term) == "png" ? "pngcairo size 900,600" : "svg size 900,600") << "\n"
               << "set output '" << out << "'\nset xlabel '" << res << "'\nset title 'frames/s against " << res
               << " (" << rows.size() << " points)'\n"
               << "plot '" << pf << "' using 1:($3==1?$2:1/0) with points pt 7 ps 0.5 lc rgb '#4477aa' title 'fits the device', "
               << "'" << pf << "' using 1:($3==0?$2:1/0) with points pt 6 ps 0.5 lc rgb '#bbbbbb' title 'does not fit', "
               << "'" << ff << "' using 1:2 with steps lw 2 lc rgb '#cc3311' title 'Pareto front'\n";
            files.push_back(out);
        }
    }
    // Per-layer cycle balance of the fastest design that fits (or the fastest at all).
    const PointResult* best = nullptr;
    for (const auto& r : rows)
        if (r.valid && (best == nullptr || (r.fits && !best->fits) ||
                        (r.fits == best->fits && r.fps() > best->fps())))
            best = &r;
    if (best != nullptr) {
        std::ostringstream bal;
        for (const auto& [layer, cycles] : best->layer_cycles) bal << layer << "," << cycles << "\n";
        const std::string bf = dir + "/plot_balance.csv";
        write_file(bf, bal.str());
        for (const char* term : {"png", "svg"}) {
            const std::string out = dir + "/balance." + std::string(term);
            gp << "set terminal " << (std::string(term) == "png" ? "pngcairo size 900,500" : "svg size 900,500") << "\n"
               << "set output '" << out << "'\nset style fill solid 0.8\nset boxwidth 0.7\nset xlabel 'layer'\n"
               << "set ylabel 'cycles per frame'\nset yrange [0:*]\nset title \"cycle balance of point " << best->index
               << " (" << num(best->fps()) << " frames/s)\"\nunset key\n"
               << "plot '" << bf << "' using 0:2:xtic(1) with boxes lc rgb '#4477aa', " << best->interval_cycles
               << " with lines lw 2 lc rgb '#cc3311'\n";
            files.push_back(out);
        }
    }
    const std::string script = dir + "/plots.gp";
    write_file(script, gp.str());
    if (std::system(("gnuplot '" + script + "' > '" + dir + "/plots.log' 2>&1").c_str()) != 0)
        throw std::runtime_error("gnuplot failed on " + script + " (see " + dir + "/plots.log)");
    return files;
}

}  // namespace qsim::sweep
