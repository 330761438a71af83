#include "sim/sweep/sweep_eval.hpp"

#include <algorithm>

#include "models/accelerator/dataflow_doubts.hpp"
#include "models/accelerator/dataflow_timing.hpp"
#include "models/resources/resource_model.hpp"
#include "models/resources/rule_text.hpp"

namespace qsim::sweep {

void add_doubts(PointResult& r, const std::vector<EstimateDoubt>& doubts, double clock_hz) {
    // A burst the buffers cannot hold couples two blocks: the interval is at least what the
    // coupled pair needs (still marked, as that is an estimate too).
    for (const EstimateDoubt& d : doubts) {
        r.needs_simulation += (r.needs_simulation.empty() ? "" : "; ") + d.why;
        if (d.coupled_cycles > r.interval_cycles) {
            r.interval_cycles = d.coupled_cycles;
            r.frames_per_second = clock_hz / double(d.coupled_cycles);
            r.bottleneck = d.layer + " burst";
        }
    }
}

PointResult evaluate_analytical(const NetworkConfig& net) {
    PointResult r;
    r.tier = "analytical";
    r.clock_mhz = net.device.clock_mhz;
    const DataflowEstimate est = estimate_dataflow(net, false);
    r.interval_cycles = est.interval_cycles;
    r.frames_per_second = est.frames_per_second(net.clock_hz());
    const BlockEstimate& b = est.blocks[est.bottleneck];
    r.bottleneck = b.layer.empty() ? b.role : b.layer + " " + b.role;
    for (const auto& e : est.blocks) {
        if (e.layer.empty()) continue;
        if (r.layer_cycles.empty() || r.layer_cycles.back().first != e.layer)
            r.layer_cycles.push_back({e.layer, e.cycles_per_frame});
        else
            r.layer_cycles.back().second = std::max(r.layer_cycles.back().second, e.cycles_per_frame);
    }
    add_doubts(r, estimate_doubts(net, est), net.clock_hz());
    const ResourceRulesOff totals_only;  // a point keeps the totals, not the per-part rules
    const ResourceReport rep = estimate_resources(net);
    r.resources = rep.total;
    r.fits = rep.device.fits;
    r.exceeded = rep.device.exceeded;
    return r;
}

nlohmann::json to_json(const PointResult& r) {
    nlohmann::json j = {{"index", r.index}, {"point", r.point}, {"valid", r.valid}};
    if (!r.valid) {
        j["reason"] = r.reason;
        return j;
    }
    j["tier"] = r.tier;
    j["clock_mhz"] = r.clock_mhz;
    j["interval_cycles"] = r.interval_cycles;
    j["frames_per_second"] = r.frames_per_second;
    if (r.tier == "simulation") {
        j["sim_interval_cycles"] = r.sim_interval_cycles;
        j["sim_frames_per_second"] = r.sim_frames_per_second;
        j["latency_us"] = r.latency_us;
    }
    j["resources"] = {{"lut", r.resources.lut}, {"ff", r.resources.ff}, {"bram18", r.resources.bram18},
                      {"dsp", r.resources.dsp}, {"lutram", r.resources.lutram}, {"uram", r.resources.uram}};
    j["fits"] = r.fits;
    j["exceeded"] = r.exceeded;
    j["bottleneck"] = r.bottleneck;
    nlohmann::json lc = nlohmann::json::array();
    for (const auto& [name, cycles] : r.layer_cycles) lc.push_back({name, cycles});
    j["layer_cycles"] = lc;
    if (!r.needs_simulation.empty()) j["needs_simulation"] = r.needs_simulation;
    return j;
}

PointResult from_json(const nlohmann::json& j) {
    PointResult r;
    r.index = j.at("index");
    r.point = j.at("point");
    r.valid = j.at("valid");
    if (!r.valid) {
        r.reason = j.at("reason");
        return r;
    }
    r.tier = j.at("tier");
    r.clock_mhz = j.at("clock_mhz");
    r.interval_cycles = j.at("interval_cycles");
    r.frames_per_second = j.at("frames_per_second");
    if (r.tier == "simulation") {
        r.sim_interval_cycles = j.at("sim_interval_cycles");
        r.sim_frames_per_second = j.at("sim_frames_per_second");
        r.latency_us = j.at("latency_us");
    }
    const auto& res = j.at("resources");
    r.resources = {res.at("lut"), res.at("ff"), res.at("bram18"), res.at("dsp"), res.value("lutram", uint64_t(0)),
                   res.value("uram", uint64_t(0))};
    r.fits = j.at("fits");
    r.exceeded = j.at("exceeded").get<std::vector<std::string>>();
    r.bottleneck = j.at("bottleneck");
    for (const auto& e : j.at("layer_cycles")) r.layer_cycles.push_back({e.at(0), e.at(1)});
    r.needs_simulation = j.value("needs_simulation", "");
    return r;
}

}  // namespace qsim::sweep
