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

std::pair<uint64_t, uint64_t> unit_and_swu_cycles(const std::vector<BlockEstimate>& blocks, const std::string& layer) {
    uint64_t unit = 0, swu = 0;
    for (const BlockEstimate& b : blocks) {
        if (b.layer != layer || b.role == "fork" || b.role == "swu_write") continue;
        if (b.role == "swu_read")
            swu = std::max(swu, b.cycles_per_frame);
        else
            unit = std::max(unit, b.cycles_per_frame);
    }
    return {unit, swu};
}

void add_power(PointResult& r, const NetworkConfig& net, const std::vector<PowerTerms>& terms,
               const std::vector<uint64_t>& unit_cycles, const std::vector<uint64_t>& swu_cycles) {
    const double interval = double(r.interval_cycles);
    std::vector<double> unit(terms.size(), 1.0), swu(terms.size(), 1.0);
    for (size_t i = 1; i < terms.size() && interval > 0; ++i) {
        unit[i] = double(unit_cycles[i - 1]) / interval;
        swu[i] = double(swu_cycles[i - 1]) / interval;
    }
    const BoardPower b = board_power(net, terms, unit, swu, r.frames_per_second, r.resources.lut);
    r.power_w = b.total_w;
    r.energy_per_frame_j = b.energy_per_frame_j;
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
    if (net.host.enabled && net.host.architecture == HostArchitecture::Loopback) {
        const ResourceReport rep = estimate_resources(net);
        r.resources = rep.total;
        r.fits = rep.device.fits;
        r.exceeded = rep.device.exceeded;
        // One accelerator runs the layers in turn: busy for the sum of their cycles.
        PowerInputs in;
        in.clock_hz = net.clock_hz();
        in.frames_per_second = r.frames_per_second;
        uint64_t busy = 0;
        for (const auto& l : net.layers) in.layers.push_back(random_activity(l));
        for (const auto& b : est.blocks) busy += b.layer.empty() ? 0 : b.cycles_per_frame;
        in.loopback_duty = r.interval_cycles ? std::min(1.0, double(busy) / double(r.interval_cycles)) : 1.0;
        const PowerReport p = estimate_power(net, rep, in);
        r.power_w = p.total_w;
        r.energy_per_frame_j = p.energy_per_frame_j;
        return r;
    }
    // The parts as estimate_resources() counts them and the point evaluator caches them: those
    // outside the layers, then each device layer's, each group with its power from random data
    // at the estimated duties.
    const ResourceContext ctx = resource_context(net);
    const std::vector<FifoSite> sites = fifo_sites(net);
    std::vector<PowerTerms> terms;
    std::vector<uint64_t> unit, swu;
    std::vector<ResourceItem> items;
    add_fifo_site_resources(net, sites.front(), ctx, items);
    if (net.host.enabled) add_host_link_resources(items);
    for (const ResourceItem& it : items) r.resources += it.use;
    terms.push_back(power_terms(net, items, LayerActivity{}));
    for (size_t i = 0; i < net.device_layer_count(); ++i) {
        items.clear();
        add_layer_resources(net, i, ctx, sites, items);
        for (const ResourceItem& it : items) r.resources += it.use;
        terms.push_back(power_terms(net, items, random_activity(net.layers[i])));
        const auto [u, s] = unit_and_swu_cycles(est.blocks, net.layers[i].name);
        unit.push_back(u);
        swu.push_back(s);
    }
    const DeviceUse use = device_use(r.resources, net.device);
    r.fits = use.fits;
    r.exceeded = use.exceeded;
    add_power(r, net, terms, unit, swu);
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
    j["power"] = {{"total_w", r.power_w}, {"energy_per_frame_j", r.energy_per_frame_j}};
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
    if (j.contains("power")) {
        r.power_w = j["power"].at("total_w");
        r.energy_per_frame_j = j["power"].at("energy_per_frame_j");
    }
    r.fits = j.at("fits");
    r.exceeded = j.at("exceeded").get<std::vector<std::string>>();
    r.bottleneck = j.at("bottleneck");
    for (const auto& e : j.at("layer_cycles")) r.layer_cycles.push_back({e.at(0), e.at(1)});
    r.needs_simulation = j.value("needs_simulation", "");
    return r;
}

}  // namespace qsim::sweep
