#include "sim/design/config_loader.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "models/accelerator/dataflow_timing.hpp"
#include "sim/design/derive.hpp"
#include "sim/design/text.hpp"
#include "sim/design/yaml_front_end.hpp"

namespace qsim {

using design::grouped_text;
using design::i128;
using design::int_text;
using design::sat_int;

NetworkConfig load_network_config(const std::string& path, const std::map<std::string, std::string>& param_overrides) {
    return design::derive_or_throw(design::read_yaml_spec(path, param_overrides));
}

NetworkConfig parse_network_config(const std::string& yaml_text, const std::string& file_name,
                                   const std::map<std::string, std::string>& param_overrides,
                                   const std::string& base_dir) {
    return design::derive_or_throw(design::parse_yaml_spec(yaml_text, file_name, param_overrides, base_dir));
}

long double clock_period_fs(const NetworkConfig& net) {
    // The accelerator's clock is sc_time(1e15 / clock_hz, SC_FS) at a 1 fs resolution.
    return std::max(1.0L, std::round(1e15L / (long double)net.clock_hz()));
}

std::string simulated_time_problem(const NetworkConfig& net, int64_t frames) {
    return simulated_time_problem(net, frames, estimate_dataflow(net, false).interval_cycles);
}

std::string simulated_time_problem(const NetworkConfig& net, int64_t frames, uint64_t interval) {
    const long double period = clock_period_fs(net);
    const long double total = (long double)frames * (long double)interval * period;
    if (total <= kMaxSimulatedFs) return "";
    const DataflowEstimate est = estimate_dataflow(net, false);  // the slowest block, for the message
    std::string slowest;
    if (est.bottleneck < est.blocks.size()) {
        const BlockEstimate& b = est.blocks[est.bottleneck];
        slowest = b.layer.empty() ? b.role : b.layer + " " + b.role;
    }
    const long double per_frame = (long double)interval * period;
    const i128 max_frames = per_frame > kMaxSimulatedFs ? 0 : sat_int(kMaxSimulatedFs / per_frame);
    std::ostringstream os;
    os.precision(4);
    os << int_text(frames) << " frames x " << grouped_text(i128(interval)) << " cycles per frame (slowest block: "
       << slowest << ") x " << grouped_text(sat_int(period)) << " fs per cycle at "
       << design::number_text(net.device.clock_mhz) << " MHz = " << (total / 1e15L)
       << " s of simulated time; SystemC's clock holds at most 2^63 fs (64-bit femtoseconds, about 9,223 s)";
    if (max_frames > 0)
        os << "; simulate at most " << grouped_text(max_frames) << " frames";
    else
        os << "; even one frame does not fit: use a faster clock or a smaller design";
    return os.str();
}

}  // namespace qsim
