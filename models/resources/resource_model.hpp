// Estimates the FPGA resources of a whole design from its configuration: every block of every
// layer (block_resources.hpp), the FIFOs between them, the host link when there is one, the
// totals, and the use of the target device with what does not fit.
#pragma once

#include <vector>

#include "models/network/fifo_sites.hpp"
#include "models/network/network_config.hpp"
#include "models/resources/block_resources.hpp"
#include "models/resources/resources.hpp"

namespace qsim {

ResourceReport estimate_resources(const NetworkConfig& net);

// Its parts for a dataflow design (not a loopback host): the context every block is costed in,
// a FIFO of fifo_sites(net), and layer `i`'s parts (its SWU and window stream, its unit, its OFM
// buffer, the FIFOs it feeds and its fork), which depend on that layer, `ctx` and which layers
// read it, nothing else. The sweep's analytical tier caches them per layer.
ResourceContext resource_context(const NetworkConfig& net);
void add_fifo_site_resources(const NetworkConfig& net, const FifoSite& f, const ResourceContext& ctx,
                             std::vector<ResourceItem>& items);
void add_layer_resources(const NetworkConfig& net, size_t i, const ResourceContext& ctx,
                         const std::vector<FifoSite>& fifos, std::vector<ResourceItem>& items);

// Use of `device` by `total`; fits is false, and exceeded names each resource, when the design
// needs more than the device has. A device without counts ("generic") is not known.
DeviceUse device_use(const Resources& total, const DeviceConfig& device);

}  // namespace qsim
