#include "tlm/progress_watchdog.hpp"

#include <cmath>
#include <utility>

namespace qsim {

ProgressWatchdog::ProgressWatchdog(sc_core::sc_module_name name, sc_core::sc_time period, uint64_t limit_cycles,
                                   std::vector<const RowFifo*> fifos, std::vector<Probe> blocks,
                                   std::function<bool()> finished, const sc_core::sc_event& finished_event)
    : sc_core::sc_module(name),
      period_(period),
      limit_(limit_cycles),
      fifos_(std::move(fifos)),
      blocks_(std::move(blocks)),
      finished_(std::move(finished)),
      finished_event_(finished_event) {
    SC_THREAD(run);
}

uint64_t ProgressWatchdog::rows_moved() const {
    uint64_t n = 0;
    for (const RowFifo* f : fifos_) n += f->stats().rows;
    for (const auto& c : counters_) n += c();
    return n;
}

void ProgressWatchdog::run() {
    uint64_t seen = rows_moved();
    for (;;) {
        if (finished_()) return;
        sc_core::wait(period_ * double(limit_), finished_event_);
        if (finished_()) return;
        const uint64_t now = rows_moved();
        if (now != seen) {
            seen = now;
            continue;
        }
        fired_ = true;
        fired_at_ = uint64_t(std::llround(sc_core::sc_time_stamp() / period_));
        diagnose();
        sc_core::sc_stop();
        return;
    }
}

void ProgressWatchdog::diagnose() {
    std::vector<std::string> working;
    for (const auto& b : blocks_)
        if (b.working()) working.push_back(b.name);
    verdict_ = working.empty() ? "deadlock" : "livelock";
    if (working.empty()) {
        diagnosis_.push_back("no row moved through any FIFO for " + std::to_string(limit_) +
                             " cycles and every block is waiting on a stream or buffer:");
    } else {
        std::string names;
        for (const auto& w : working) names += (names.empty() ? "" : ", ") + w;
        diagnosis_.push_back("no row moved through any FIFO for " + std::to_string(limit_) + " cycles while " + names +
                             " kept working (or run.watchdog_cycles is shorter than one row of work):");
    }
    for (const auto& b : blocks_) {
        const std::string w = b.waiting_for();
        diagnosis_.push_back(b.name + ": " + (b.working() ? std::string("working") : w.empty() ? "idle" : "waiting for " + w));
    }
    for (const RowFifo* f : fifos_) {
        std::string line = std::string(f->name()) + ": " + std::to_string(f->size()) + "/" + std::to_string(f->depth()) +
                           " rows";
        if (f->size() == f->depth()) line += " (full)";
        if (f->size() == 0) line += " (empty)";
        if (f->writer_waiting()) line += ", writer waiting";
        if (f->reader_waiting()) line += ", reader waiting";
        diagnosis_.push_back(line);
    }
}

}  // namespace qsim
