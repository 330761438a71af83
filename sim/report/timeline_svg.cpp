// The Gantt picture of a trace (sim timeline): see timeline.hpp.
#include <algorithm>
#include <array>
#include <limits>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

#include "models/common/errors.hpp"
#include "sim/report/timeline.hpp"

namespace qsim {

namespace {

struct Row {
    std::string name;
    std::vector<std::array<double, 4>> columns;  // per pixel column: time busy, starved, blocked (+ spare)
};

struct Series {
    std::string name, unit;
    double capacity = 0.0;
    std::vector<std::pair<double, double>> points;  // (ts, value)
};

constexpr const char* kColours[3] = {"#43a047", "#b0bec5", "#e53935"};  // busy, starved, blocked
constexpr const char* kStates[3] = {"busy", "starved", "blocked"};

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string xml(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else if (c == '"') o += "&quot;";
        else o += c;
    }
    return o;
}

// A round step for the time axis: 1, 2 or 5 times a power of ten, about `span / 8`.
double tick_step(double span) {
    const double raw = span / 8.0;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= raw) return m * p;
    return 10.0 * p;
}

[[noreturn]] void bad(const std::string& file, const std::string& what) {
    throw InputError(file, "", "traceEvents", what + " (expected a trace written by sim --trace)");
}

}  // namespace

std::string render_gantt_svg(const nlohmann::json& trace, const std::string& file, const GanttOptions& options) {
    if (!trace.is_object() || !trace.contains("traceEvents") || !trace["traceEvents"].is_array())
        bad(file, "no traceEvents array");
    const nlohmann::json& events = trace["traceEvents"];
    std::map<int, std::string> thread_names;
    double t0 = std::numeric_limits<double>::infinity(), t1 = -t0;
    auto num = [&](const nlohmann::json& e, const char* key) {
        if (!e.contains(key) || !e[key].is_number()) bad(file, std::string("an event without a numeric '") + key + "'");
        return e[key].get<double>();
    };
    for (const auto& e : events) {
        if (!e.is_object() || !e.contains("ph") || !e["ph"].is_string()) bad(file, "an event without 'ph'");
        const std::string ph = e["ph"];
        if (ph == "M" && e.value("name", "") == "thread_name" && e.value("pid", 0) == 1)
            thread_names[e.value("tid", 0)] = e["args"].value("name", "");
        if (ph == "X" || ph == "C" || ph == "i" || ph == "b" || ph == "e") {
            const double ts = num(e, "ts");
            t0 = std::min(t0, ts);
            t1 = std::max(t1, ts + (ph == "X" ? num(e, "dur") : 0.0));
        }
    }
    if (!(t1 > t0)) bad(file, "no timed events");
    const int W = std::clamp(options.width, 200, 20000);
    const double scale = double(W) / (t1 - t0);  // pixels per microsecond
    auto col = [&](double ts) { return std::clamp(int((ts - t0) * scale), 0, W - 1); };

    auto shown = [&](const std::string& name) {
        if (options.only.empty()) return true;
        for (const std::string& part : options.only)
            if (name.find(part) != std::string::npos) return true;
        return false;
    };
    for (auto it = thread_names.begin(); it != thread_names.end();) it = shown(it->second) ? std::next(it) : thread_names.erase(it);
    std::map<int, size_t> row_of;
    std::vector<Row> rows;
    for (const auto& [tid, name] : thread_names) {
        row_of[tid] = rows.size();
        rows.push_back(Row{name, std::vector<std::array<double, 4>>(size_t(W), {0, 0, 0, 0})});
    }
    std::map<std::string, Series> fills;
    std::vector<std::string> fill_order;  // as the trace lists them: the pipeline's order
    const nlohmann::json other = trace.value("otherData", nlohmann::json::object());
    std::vector<std::pair<double, std::string>> marks;
    std::vector<std::pair<double, double>> transfers;
    std::map<long long, double> open_transfers;
    for (const auto& e : events) {
        const std::string ph = e["ph"];
        if (ph == "X" && e.value("pid", 0) == 1) {
            const auto it = row_of.find(e.value("tid", -1));
            if (it == row_of.end()) continue;
            const std::string state = e.value("name", "");
            const int k = state == "busy" ? 0 : state == "starved" ? 1 : state == "blocked" ? 2 : -1;
            if (k < 0) continue;
            const double a = e["ts"].get<double>(), b = a + e["dur"].get<double>();
            for (int c = col(a); c <= col(b); ++c) {  // the span's time within each column
                const double c0 = t0 + c / scale, c1 = t0 + (c + 1) / scale;
                rows[it->second].columns[size_t(c)][size_t(k)] += std::max(0.0, std::min(b, c1) - std::max(a, c0));
            }
        } else if (ph == "C" && e.contains("args") && e["args"].is_object() && !e["args"].empty() &&
                   shown(e.value("name", ""))) {
            if (!fills.count(e.value("name", ""))) fill_order.push_back(e.value("name", ""));
            Series& s = fills[e.value("name", "")];
            s.name = e.value("name", "");
            s.unit = e["args"].begin().key();
            s.points.emplace_back(e["ts"].get<double>(), e["args"].begin()->get<double>());
        } else if (ph == "i") {
            marks.emplace_back(e["ts"].get<double>(), e.value("name", ""));
        } else if (ph == "b") {
            open_transfers[e.value("id", 0LL)] = e["ts"].get<double>();
        } else if (ph == "e") {
            const auto it = open_transfers.find(e.value("id", 0LL));
            if (it != open_transfers.end()) transfers.emplace_back(it->second, e["ts"].get<double>());
        }
    }
    if (other.contains("fills") && other["fills"].is_object())
        for (auto& [name, s] : fills) s.capacity = other["fills"].value(name, 0.0);

    const int label_w = 190, top = 62, rh = std::clamp(options.row_height, 6, 60), fill_h = 2 * rh;
    const int blocks_h = int(rows.size()) * rh;
    const int fills_top = top + blocks_h + (fills.empty() ? 0 : 16);
    const int link_top = fills_top + int(fills.size()) * (fill_h + 2) + (transfers.empty() ? 0 : 8);
    const int axis_y = link_top + (transfers.empty() ? 0 : rh) + 6;
    const int height = axis_y + 40;
    const int width = label_w + W + 20;
    std::ostringstream o;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"" << std::max(8, rh - 3) << "\">\n";
    o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    std::string title = options.title;
    if (title.empty())
        title = other.value("network", std::string("trace")) + " (" + other.value("config", std::string("")) + "), " +
                other.value("window", std::string("")) + ", " + fmt(other.value("clock_mhz", 0.0)) + " MHz";
    o << "<text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">" << xml(title) << "</text>\n";
    int lx = label_w;
    for (int k = 0; k < 3; ++k) {
        o << "<rect x=\"" << lx << "\" y=\"24\" width=\"12\" height=\"10\" fill=\"" << kColours[k] << "\"/><text x=\""
          << lx + 16 << "\" y=\"33\">" << kStates[k] << "</text>\n";
        lx += 90;
    }
    o << "<text x=\"" << lx << "\" y=\"33\">white: idle; areas: fill / capacity</text>\n";
    for (size_t r = 0; r < rows.size(); ++r) {
        const int y = top + int(r) * rh;
        o << "<text x=\"4\" y=\"" << y + rh - 3 << "\">" << xml(rows[r].name) << "</text>\n";
        const double col_us = 1.0 / scale;
        int start = 0, current = -1;
        auto flush = [&](int end) {
            if (current >= 0 && end > start)
                o << "<rect x=\"" << label_w + start << "\" y=\"" << y + 1 << "\" width=\"" << end - start
                  << "\" height=\"" << rh - 2 << "\" fill=\"" << kColours[current] << "\"/>\n";
        };
        for (int c = 0; c < W; ++c) {
            const auto& t = rows[r].columns[size_t(c)];
            const double idle = col_us - (t[0] + t[1] + t[2]);
            int k = int(std::max_element(t.begin(), t.begin() + 3) - t.begin());
            if (idle > t[size_t(k)]) k = -1;
            if (k != current) {
                flush(c);
                start = c;
                current = k;
            }
        }
        flush(W);
    }
    int f = 0;
    for (const std::string& name : fill_order) {
        Series& s = fills[name];
        const int y = fills_top + f++ * (fill_h + 2);
        double cap = s.capacity;
        for (const auto& p : s.points) cap = std::max(cap, p.second);
        if (cap <= 0) cap = 1;
        std::sort(s.points.begin(), s.points.end());
        o << "<text x=\"4\" y=\"" << y + fill_h - 4 << "\">" << xml(name) << "</text>\n";
        o << "<rect x=\"" << label_w << "\" y=\"" << y << "\" width=\"" << W << "\" height=\"" << fill_h
          << "\" fill=\"#f5f5f5\"/>\n<path fill=\"#5c6bc0\" d=\"M" << label_w << " " << y + fill_h;
        // Step function, the highest value within each pixel column.
        size_t i = 0;
        double value = 0.0;
        std::string level = fmt(y + fill_h);
        for (int c = 0; c < W; ++c) {
            const double c1 = t0 + (c + 1) / scale;
            double top_value = value;
            while (i < s.points.size() && s.points[i].first < c1) {
                value = s.points[i++].second;
                top_value = std::max(top_value, value);
            }
            const std::string h = fmt(y + fill_h - fill_h * std::min(1.0, top_value / cap));
            if (h != level) {  // a step: down or up to the new level at this column
                o << " L" << label_w + c << " " << level << " L" << label_w + c << " " << h;
                level = h;
            }
        }
        o << " L" << label_w + W << " " << level;
        o << " L" << label_w + W << " " << y + fill_h << " Z\"/>\n";
    }
    if (!transfers.empty()) {
        o << "<text x=\"4\" y=\"" << link_top + rh - 3 << "\">host link transfers</text>\n";
        for (const auto& [a, b] : transfers)
            o << "<rect x=\"" << label_w + col(a) << "\" y=\"" << link_top + 1 << "\" width=\""
              << std::max(1, col(b) - col(a)) << "\" height=\"" << rh - 2 << "\" fill=\"#8d6e63\"/>\n";
    }
    std::sort(marks.begin(), marks.end());
    int previous_x = -1000, lane = 0;
    for (const auto& [ts, name] : marks) {
        const int x = label_w + col(ts);
        lane = x - previous_x < 70 ? 1 - lane : 0;  // labels close together take turns on two lines
        previous_x = x;
        const int label_y = top - 4 - 10 * lane;
        o << "<line x1=\"" << x << "\" y1=\"" << label_y << "\" x2=\"" << x << "\" y2=\"" << axis_y
          << "\" stroke=\"#1e88e5\" stroke-dasharray=\"3,3\"/>\n<text x=\"" << x + 2 << "\" y=\"" << label_y
          << "\" fill=\"#1e88e5\" font-size=\"9\">" << xml(name) << "</text>\n";
    }
    o << "<line x1=\"" << label_w << "\" y1=\"" << axis_y << "\" x2=\"" << label_w + W << "\" y2=\"" << axis_y
      << "\" stroke=\"black\"/>\n";
    const double step = tick_step(t1 - t0);
    for (double t = std::ceil(t0 / step) * step; t <= t1; t += step) {
        const int x = label_w + col(t);
        o << "<line x1=\"" << x << "\" y1=\"" << axis_y << "\" x2=\"" << x << "\" y2=\"" << axis_y + 5
          << "\" stroke=\"black\"/><text x=\"" << x << "\" y=\"" << axis_y + 17 << "\" text-anchor=\"middle\">"
          << fmt(t) << "</text>\n";
    }
    o << "<text x=\"" << label_w + W / 2 << "\" y=\"" << axis_y + 33 << "\" text-anchor=\"middle\">simulated time (us)</text>\n";
    o << "</svg>\n";
    return o.str();
}

}  // namespace qsim
