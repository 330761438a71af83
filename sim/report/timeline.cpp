#include "sim/report/timeline.hpp"

#include <cinttypes>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "models/common/output_file.hpp"
#include "models/common/version.hpp"

namespace qsim {

namespace {

// Femtoseconds as microseconds, to the picosecond.
std::string us(uint64_t fs) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%" PRIu64 ".%06" PRIu64, fs / 1000000000u, (fs % 1000000000u) / 1000u);
    return buf;
}

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

// The row a block gets in the viewer: the layer and the block's part ("conv1 mvtu").
std::string block_label(const TraceTrack& t) {
    const std::string::size_type dot = t.name.rfind('.');
    const std::string leaf = dot == std::string::npos ? t.name : t.name.substr(dot + 1);
    return t.layer.empty() ? leaf : t.layer + " " + t.role;
}

constexpr int kBlocksPid = 1, kFillsPid = 2, kLinkPid = 3;

}  // namespace

void parse_frame_window(const std::string& text, int& first, int& last) {
    auto number = [&](const std::string& s) {
        if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
            throw std::invalid_argument("--trace-frames: expected A..B or A (frame numbers from 0), got '" + text + "'");
        return std::stoi(s);
    };
    const std::string::size_type dots = text.find("..");
    if (dots == std::string::npos) {
        first = last = number(text);
    } else {
        first = number(text.substr(0, dots));
        last = number(text.substr(dots + 2));
    }
    if (last < first)
        throw std::invalid_argument("--trace-frames: the last frame comes before the first in '" + text + "'");
}

void write_trace_json(const TraceRecorder& trace, const TraceInfo& info, const std::string& path) {
    AtomicFileWriter file(path);
    std::ostream& o = file.stream();
    const auto& tracks = trace.tracks();
    nlohmann::json other = {
        {"tool", std::string("sim ") + version()},
        {"network", info.network},
        {"config", info.config_file},
        {"clock_mhz", info.clock_mhz},
        {"frames_simulated", info.frames},
        {"window", info.window},
        {"window_start_us", double(trace.window_start_fs()) * 1e-9},
        {"records", trace.records()},
        {"truncated", trace.truncated()},
        {"max_records", trace.max_records()},
        {"states", "busy: working; starved: waiting for input; blocked: waiting for space downstream or a buffer"},
    };
    nlohmann::json fills = nlohmann::json::object();
    for (const TraceTrack& t : tracks)
        if (t.kind == TrackKind::Fill) fills[t.name] = t.capacity;
    other["fills"] = fills;  // capacity of each FIFO (rows) and buffer (rows or values)
    o << "{\"displayTimeUnit\":\"ns\",\"otherData\":" << other.dump() << ",\"traceEvents\":[\n";
    bool first_event = true;
    auto event = [&](const std::string& text) {
        if (!first_event) o << ",\n";
        first_event = false;
        o << text;
    };
    auto meta = [&](int pid, int tid, const char* what, const std::string& key, const std::string& value) {
        event("{\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) + ",\"name\":\"" +
              what + "\",\"args\":{\"" + key + "\":" + value + "}}");
    };
    meta(kBlocksPid, 0, "process_name", "name", quoted("blocks of " + info.network));
    meta(kFillsPid, 0, "process_name", "name", quoted("FIFOs and buffers (fill)"));
    meta(kLinkPid, 0, "process_name", "name", quoted("host link transfers"));
    for (int pid = kBlocksPid; pid <= kLinkPid; ++pid) meta(pid, 0, "process_sort_index", "sort_index", std::to_string(pid));
    std::vector<std::string> names(tracks.size());
    for (size_t i = 0; i < tracks.size(); ++i) {
        const TraceTrack& t = tracks[i];
        names[i] = quoted(t.kind == TrackKind::Block ? block_label(t) : t.name);
        const int tid = int(i) + 1;
        if (t.kind == TrackKind::Block) {
            meta(kBlocksPid, tid, "thread_name", "name", names[i]);
            meta(kBlocksPid, tid, "thread_sort_index", "sort_index", std::to_string(tid));
        } else if (t.kind == TrackKind::Link) {
            meta(kLinkPid, tid, "thread_name", "name", names[i]);
        }
    }
    for (const TraceSpan& s : trace.spans())
        event("{\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(s.track + 1) + ",\"name\":\"" +
              trace_state_name(s.state) + "\",\"ts\":" + us(s.t0_fs) + ",\"dur\":" + us(s.t1_fs - s.t0_fs) +
              ",\"args\":{\"cycles\":" + std::to_string(s.cycles) + ",\"block\":" + quoted(tracks[s.track].name) + "}}");
    for (const TraceCount& c : trace.counts()) {
        const TraceTrack& t = tracks[c.track];
        event("{\"ph\":\"C\",\"pid\":2,\"name\":" + names[c.track] + ",\"ts\":" + us(c.t_fs) + ",\"args\":{\"" + t.unit +
              "\":" + std::to_string(c.value) + "}}");
    }
    uint64_t id = 0;
    for (const TraceTransfer& x : trace.transfers()) {
        const std::string head = std::string("{\"cat\":\"link\",\"pid\":3,\"tid\":") + std::to_string(x.track + 1) +
                                 ",\"id\":" + std::to_string(++id) + ",\"name\":\"" +
                                 (x.write ? "host to device " : "device to host ") + std::to_string(x.bytes) + " B\"";
        char addr[32];
        std::snprintf(addr, sizeof addr, "0x%" PRIx64, x.address);
        event(head + ",\"ph\":\"b\",\"ts\":" + us(x.t0_fs) + ",\"args\":{\"address\":\"" + addr +
              "\",\"bytes\":" + std::to_string(x.bytes) + "}}");
        event(head + ",\"ph\":\"e\",\"ts\":" + us(x.t1_fs) + "}");
    }
    for (const TraceMark& m : trace.marks())
        event("{\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0,\"name\":" + quoted(m.name) + ",\"ts\":" + us(m.t_fs) + "}");
    o << "\n]}\n";
    file.commit();
}

}  // namespace qsim
