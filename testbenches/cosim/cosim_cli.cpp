#include "testbenches/cosim/cosim_cli.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "testbenches/cli/cli.hpp"

namespace qsim::cosim {

void add_run_options(boost::program_options::options_description& options, const std::vector<std::string>& only) {
    struct Entry {
        const char* name;
        const char* value_name;
        const char* description;
    };
    static const Entry kEntries[] = {
        {"block", "NAME", "the block to run (cosim_run --list names them)"},
        {"stimulus", "KIND", "RCCM: codes, exhaustive, random or mixed (default); PE array: extremes (default) or random"},
        {"count", "N", "random inputs or vectors (default 1000)"},
        {"seed", "S", "seed of the random stimulus and patterns (default 1)"},
        {"rate", "SPEC", "input rate: always (default), random:P, periodic:ON:OFF or bursts:P:LEN"},
        {"ready", "SPEC", "output backpressure (out_ready), same SPECs"},
        {"sides", "WHICH", "both (default), model or rtl"},
        {"mutate", "KIND", "none (default), value or cycle: break the model on purpose"},
        {"mutate-select", "N", "--mutate value on an RCCM: the select word whose coefficient changes (default 5)"},
        {"mutate-cycle", "N", "--mutate cycle: the cycle the model stalls in (default 40)"},
        {"vcd", "FILE", "write every pin of both faces to a VCD file"},
        {"per-cycle", "FILE", "write every cycle of the first face as CSV"},
        {"cycles", "N", "run exactly N cycles on an endless stimulus"},
    };
    for (const Entry& e : kEntries)
        if (only.empty() || std::find(only.begin(), only.end(), e.name) != only.end())
            options.add_options()(e.name, boost::program_options::value<std::string>()->value_name(e.value_name),
                                  e.description);
}

std::map<std::string, std::string> given_options(const boost::program_options::variables_map& values) {
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : values)
        if (const auto* text = boost::any_cast<std::string>(&value.value())) out[name] = *text;
    return out;
}

uint64_t parse_count(const std::string& name, const std::string& value, uint64_t hi) {
    return cli::parse_count("--" + name, value, 0, hi);
}

RunOptions run_options(const std::map<std::string, std::string>& a) {
    RunOptions o;
    auto get = [&a](const char* k, std::string& v) {
        auto it = a.find(k);
        if (it != a.end()) v = it->second;
    };
    get("block", o.block);
    if (o.block.empty()) throw std::invalid_argument("--block is required");
    const BlockInfo& b = find_block(o.block);
    o.stimulus = b.kind == BlockInfo::Kind::Rccm ? "mixed" : "extremes";
    get("stimulus", o.stimulus);
    get("rate", o.rate);
    get("ready", o.ready);
    get("sides", o.sides);
    get("vcd", o.vcd);
    get("per-cycle", o.per_cycle);
    if (a.count("count")) o.count = parse_count("count", a.at("count"));
    if (a.count("seed")) o.seed = parse_count("seed", a.at("seed"), UINT64_MAX);
    if (a.count("cycles")) o.cycles = parse_count("cycles", a.at("cycles"));
    if (a.count("mutate")) {
        const std::string& m = a.at("mutate");
        if (m == "value") o.mutation.kind = Mutation::Kind::Value;
        else if (m == "cycle") o.mutation.kind = Mutation::Kind::Cycle;
        else if (m != "none") throw std::invalid_argument("--mutate must be none, value or cycle");
    }
    if (a.count("mutate-select")) o.mutation.select = uint32_t(parse_count("mutate-select", a.at("mutate-select"), UINT32_MAX));
    if (a.count("mutate-cycle")) o.mutation.cycle = parse_count("mutate-cycle", a.at("mutate-cycle"));
    return o;
}

std::string format_report(const RunReport& r) {
    std::ostringstream s;
    const BenchResult& b = r.bench;
    s << r.block.name << ": " << r.block.description() << "\n";
    s << "  stimulus   " << r.items << (r.block.kind == BlockInfo::Kind::Rccm ? " inputs: " : " beats: ")
      << r.stimulus_summary << "\n";
    s << "  latency    " << r.latency << " cycles (model timing rule)\n";
    s << "  simulated  " << b.cycles << " cycles in " << std::fixed << std::setprecision(3) << b.wall_seconds
      << " s wall\n";
    if (b.compared_cycles > 0)
        s << "  compared   " << b.compared_cycles << " cycles, " << b.compared_outputs
          << " outputs (value and cycle): " << b.mismatch_cycles << " mismatching cycles\n";
    for (size_t i = 0; i < b.sides.size(); ++i) {
        const SideStats& st = b.sides[i];
        s << "  side " << i << "     " << st.accepted << " inputs taken, " << st.delivered << " outputs delivered, "
          << st.stall_cycles << " stall, " << st.starved_cycles << " starved, " << st.blocked_cycles
          << " output-blocked cycles\n";
    }
    if (!b.first_mismatch.empty()) s << b.first_mismatch;
    return s.str();
}

}  // namespace qsim::cosim
