// The timeline of a simulation as files: the Chrome trace-event JSON that `sim --trace`
// writes (Chromium's trace viewer, Perfetto), and the Gantt picture (SVG) `sim timeline`
// draws from such a file for documents.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tlm/trace_recorder.hpp"

namespace qsim {

struct TraceInfo {
    std::string network;
    std::string config_file;
    double clock_mhz = 0.0;
    int frames = 0;      // frames the run simulated
    std::string window;  // "whole run" or "frames A..B" (RunResult::trace.window)
};

// Writes the recorder's records as trace events, atomically: process 1 holds one thread per
// block with its busy / starved / blocked spans ("X", args.cycles = the block's clock cycles,
// what its statistics count), process 2 one counter per FIFO, line buffer and OFM buffer
// ("C"), process 3 the link's transfers (async "b"/"e"); frame markers are global instants.
// Times are microseconds of simulated time.
void write_trace_json(const TraceRecorder& trace, const TraceInfo& info, const std::string& path);

// Parses "A..B" or "A" (frames, 0-based, inclusive) into first and last; throws
// std::invalid_argument with what was expected.
void parse_frame_window(const std::string& text, int& first, int& last);

struct GanttOptions {
    int width = 1200;      // pixels of the time axis
    int row_height = 14;
    std::string title;     // default: the trace's network and window
    std::vector<std::string> only;  // keep the blocks and fills whose name holds one of these (empty: all)
};

// The Gantt picture of a trace written by write_trace_json: a row per block coloured by
// state (each pixel column shows the state that held most of its time), the fills of the
// FIFOs and buffers as small area plots below, frame markers and a time axis. Throws
// InputError-derived errors naming the file when `trace` is not such a trace.
std::string render_gantt_svg(const nlohmann::json& trace, const std::string& file, const GanttOptions& options);

}  // namespace qsim
