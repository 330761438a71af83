#include "models/resources/effective_throughput.hpp"

#include <stdexcept>

#include "models/resources/cost_model.hpp"

namespace qsim {

double SparseCostModel::dense_peak_ops() const { return double(cost::kOpsPerMac) * clock_hz / c_op; }

double SparseCostModel::effective_cost(double gamma, double reuse) const { return gamma * (c_op + c_d / reuse); }

double SparseCostModel::effective_ops(double gamma, double reuse) const {
    return double(cost::kOpsPerMac) * clock_hz / effective_cost(gamma, reuse);
}

double SparseCostModel::array_cost(double decoders, double pes_per_decoder) const {
    return decoders * (c_d + pes_per_decoder * c_op);
}

SparseCostModel sparse_cost_model(const DeviceConfig& device, SparseDatapath datapath, double clock_mhz) {
    if (device.lut <= 0 || device.dsp <= 0)
        throw std::invalid_argument("sparse cost model: device '" + device.name + "' has no LUT and DSP counts");
    SparseCostModel m;
    m.datapath = datapath;
    m.device = device.name;
    m.clock_hz = clock_mhz * 1e6;
    m.lut_budget = cost::kComputeLutShare * double(device.lut);
    m.dsp_budget = cost::kComputeDspShare * double(device.dsp);
    m.decoder_luts = double(cost::kRleDecoderLut);
    m.c_d = m.decoder_luts / m.lut_budget;
    if (datapath == SparseDatapath::XnorPopcount) {
        m.mac_luts = double(cost::kLutPerXnorPopcountMac);
        m.c_op = m.mac_luts / m.lut_budget;
    } else {
        m.mac_dsps = double(cost::kDspPerFloatAdder);
        m.c_op = m.mac_dsps / m.dsp_budget;
    }
    return m;
}

}  // namespace qsim
