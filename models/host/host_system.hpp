// A host and an FPGA joined by PCIe (ch. 6.6.1, Fig. 6.7): the host driver's transfers cross
// the PCIe link to the FPGA's address decoder, which routes them to the register bank or one
// of the DMA engine's channels. Loosely timed, the link is a PcieLink carrying whole transfers
// (b_transport, temporal decoupling); approximately timed, it is a PcieRootPort and a
// PcieEndpoint exchanging TLPs (four phases, credits), the endpoint moving the DMA channels'
// data beat by beat (docs/host-link.md).
// Dataflow architecture: the DMA feeds the dataflow accelerator (conv layers) and returns its
// outputs; the FC layers run on the host (ch. 4.7.1.1).
// Loopback architecture: the DMA feeds a single layer accelerator that the host drives one
// layer at a time (ch. 6.6.3).
#pragma once

#include <memory>

#include "models/accelerator/dataflow_accelerator.hpp"
#include "models/dma/dma_engine.hpp"
#include "models/host/host_driver.hpp"
#include "models/loopback/loopback_accelerator.hpp"
#include "tlm/address_decoder.hpp"
#include "tlm/pcie_endpoint.hpp"
#include "tlm/pcie_link.hpp"
#include "tlm/pcie_root_port.hpp"
#include "tlm/register_bank.hpp"

namespace qsim {

class HostSystem : public sc_core::sc_module {
public:
    // observer: every layer's output frame as it is produced (sim --check), none of them kept.
    HostSystem(sc_core::sc_module_name name, const NetworkConfig& net, const NetworkParams& params, int frames,
               bool record_layers, LayerFrameObserver* observer = nullptr);

    bool loopback() const { return loop_ != nullptr; }
    const DataflowAccelerator& accelerator() const { return *accel_; }
    const LoopbackAccelerator& loopback_accelerator() const { return *loop_; }
    const ProgressWatchdog& watchdog() const { return loop_ ? *watchdog_ : accel_->watchdog(); }
    const HostDriver& host() const { return *host_; }
    // The link of the run's timing mode: link() when loosely timed, root_port() and endpoint()
    // when approximately timed (null otherwise).
    const PcieLink* link() const { return link_.get(); }
    const PcieRootPort* root_port() const { return root_port_.get(); }
    const PcieEndpoint* endpoint() const { return endpoint_.get(); }
    const DmaEngine& dma() const { return *dma_; }
    const RegisterBank& registers() const { return *regs_; }
    size_t device_layers() const { return device_layers_; }

private:
    size_t device_layers_;
    void build_dataflow(const NetworkConfig& net, const NetworkParams& params, int frames, bool record_layers,
                        LayerFrameObserver* observer);
    void build_loopback(const NetworkConfig& net, int frames);
    void build_link(const NetworkConfig& net, const NetworkParams& params, int frames, bool record_layers,
                    LayerFrameObserver* observer);

    std::unique_ptr<DataflowAccelerator> accel_;
    std::unique_ptr<LoopbackAccelerator> loop_;
    std::unique_ptr<RowFifo> loop_in_, loop_out_;
    std::unique_ptr<ProgressWatchdog> watchdog_;
    std::unique_ptr<DmaEngine> dma_;
    std::unique_ptr<RegisterBank> regs_;
    std::unique_ptr<AddressDecoder> decoder_;
    std::unique_ptr<PcieLink> link_;
    std::unique_ptr<PcieRootPort> root_port_;
    std::unique_ptr<PcieEndpoint> endpoint_;
    std::unique_ptr<HostDriver> host_;
    uint32_t control_ = 0;
    uint32_t layer_ = 0;
};

}  // namespace qsim
