// Estimates the FPGA resources of a whole design from its configuration: every block of every
// layer (block_resources.hpp), the FIFOs between them, the host link when there is one, the
// totals, and the use of the target device with what does not fit.
#pragma once

#include "models/network/network_config.hpp"
#include "models/resources/resources.hpp"

namespace qsim {

ResourceReport estimate_resources(const NetworkConfig& net);

// Use of `device` by `total`; fits is false, and exceeded names each resource, when the design
// needs more than the device has. A device without counts ("generic") is not known.
DeviceUse device_use(const Resources& total, const DeviceConfig& device);

}  // namespace qsim
