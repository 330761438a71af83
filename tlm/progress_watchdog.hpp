// Watches a pipeline for progress: every `limit` cycles it checks whether any row has moved
// through any FIFO. When none has and the pipeline is not done, it stops the simulation and
// records a diagnosis: a deadlock when every block waits on a stream or buffer, a livelock
// when some block is still working but nothing comes out. Detection takes at most two
// watchdog periods of simulated time; a real deadlock costs no wall time to reach it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "tlm/row_fifo.hpp"

namespace qsim {

class ProgressWatchdog : public sc_core::sc_module {
public:
    // What a watched block reports: its name, whether it is working, what it waits for.
    struct Probe {
        std::string name;
        std::function<bool()> working;
        std::function<std::string()> waiting_for;
    };

    SC_HAS_PROCESS(ProgressWatchdog);
    ProgressWatchdog(sc_core::sc_module_name name, sc_core::sc_time period, uint64_t limit_cycles,
                     std::vector<const RowFifo*> fifos, std::vector<Probe> blocks, std::function<bool()> finished,
                     const sc_core::sc_event& finished_event);

    // Anything else that counts as progress (e.g. bytes moved over the host link).
    void add_progress_counter(std::function<uint64_t()> counter) { counters_.push_back(std::move(counter)); }
    void add_probe(Probe probe) { blocks_.push_back(std::move(probe)); }

    bool fired() const { return fired_; }
    const std::string& verdict() const { return verdict_; }        // "deadlock" or "livelock"
    uint64_t fired_at_cycle() const { return fired_at_; }
    uint64_t limit_cycles() const { return limit_; }
    // One line per block and per FIFO, as the pipeline stood when the watchdog fired.
    const std::vector<std::string>& diagnosis() const { return diagnosis_; }

private:
    void run();
    uint64_t rows_moved() const;
    void diagnose();

    sc_core::sc_time period_;
    uint64_t limit_;
    std::vector<const RowFifo*> fifos_;
    std::vector<Probe> blocks_;
    std::vector<std::function<uint64_t()>> counters_;
    std::function<bool()> finished_;
    const sc_core::sc_event& finished_event_;
    bool fired_ = false;
    std::string verdict_;
    uint64_t fired_at_ = 0;
    std::vector<std::string> diagnosis_;
};

}  // namespace qsim
