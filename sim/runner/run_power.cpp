#include "sim/runner/run_power.hpp"

#include <map>

namespace qsim {

PowerInputs run_power_inputs(const NetworkConfig& net, const RunResult& r) {
    PowerInputs in;
    in.clock_hz = r.clock_mhz * 1e6;
    in.frames_per_second = r.frames_per_second;
    const double interval = double(r.interval_cycles);
    std::map<std::string, const LayerActivity*> done;
    uint64_t loop_busy = 0;
    in.layers.reserve(r.layers.size());
    for (const LayerResult& lr : r.layers) {
        const LayerConfig* l = nullptr;
        for (const auto& c : net.layers)
            if (c.name == lr.name) l = &c;
        if (l == nullptr) continue;
        LayerActivity a = random_activity(*l);
        if (interval > 0) {
            a.duty = double(lr.busy_per_frame) / interval;
            if (lr.swu_read_busy_per_frame > 0) a.swu_duty = double(lr.swu_read_busy_per_frame) / interval;
        }
        loop_busy += lr.busy_per_frame;
        if (lr.operand_activity.bits > 0) {
            a.measured = true;
            a.operand_toggle = lr.operand_activity.toggle_rate();
            a.operand_nonzero = lr.operand_activity.nonzero_rate();
            a.output_toggle = lr.output_activity.toggle_rate();
        } else {
            // Pooling and other layers: the data they take is their first input's.
            const std::vector<int> from = net.inputs_of(size_t(l - net.layers.data()));
            const auto it = from.empty() || from.front() < 0 ? done.end() : done.find(net.layers[size_t(from.front())].name);
            if (it != done.end() && it->second->measured) {
                a.measured = true;
                a.operand_toggle = it->second->output_toggle;
                a.operand_nonzero = it->second->operand_nonzero;
                a.output_toggle = it->second->output_toggle;
            }
        }
        if (lr.weight_activity.bits > 0) {
            a.weight_toggle = lr.weight_activity.toggle_rate();
            a.weight_nonzero = lr.weight_activity.nonzero_rate();
        }
        in.layers.push_back(a);
        done[lr.name] = &in.layers.back();
    }
    if (net.host.enabled && net.host.architecture == HostArchitecture::Loopback && interval > 0)
        in.loopback_duty = double(loop_busy) / interval;
    return in;
}

PowerReport run_power(const NetworkConfig& net, const RunResult& r) {
    return estimate_power(net, r.resources, run_power_inputs(net, r));
}

}  // namespace qsim
