#include "models/resources/resource_model.hpp"

#include <cstdio>

#include "models/common/text_format.hpp"
#include "models/network/fifo_sites.hpp"
#include "models/resources/block_resources.hpp"
#include "models/resources/sparse_resources.hpp"
#include "models/resources/rccm_resources.hpp"
#include "models/swu/swu_timing.hpp"

namespace qsim {

Resources ResourceReport::layer_total(const std::string& layer) const {
    Resources r;
    for (const auto& it : items)
        if (it.layer == layer) r += it.use;
    return r;
}

Resources ResourceReport::block_total(const std::string& layer, const std::string& block) const {
    Resources r;
    for (const auto& it : items)
        if (it.layer == layer && it.block == block) r += it.use;
    return r;
}

namespace {

double pct(uint64_t used, uint64_t available) { return available ? 100.0 * double(used) / double(available) : 0.0; }

}  // namespace

DeviceUse device_use(const Resources& total, const DeviceConfig& device) {
    DeviceUse d;
    d.known = device.lut > 0 || device.ff > 0 || device.bram18 > 0 || device.dsp > 0;
    d.available = {uint64_t(device.lut),    uint64_t(device.ff),     uint64_t(device.bram18),
                   uint64_t(device.dsp),    uint64_t(device.lutram), uint64_t(device.uram)};
    if (!d.known) return d;
    d.lut_pct = pct(total.lut, d.available.lut);
    d.ff_pct = pct(total.ff, d.available.ff);
    d.bram_pct = pct(total.bram18, d.available.bram18);
    d.dsp_pct = pct(total.dsp, d.available.dsp);
    d.lutram_pct = pct(total.lutram, d.available.lutram);
    d.uram_pct = pct(total.uram, d.available.uram);
    auto check = [&](const char* what, uint64_t used, uint64_t available, double p, const char* none = nullptr) {
        if (used <= available) return;
        char buf[200];
        if (available == 0 && none)
            std::snprintf(buf, sizeof buf, "%s: %s used; the %s %s", what, grouped(used).c_str(), device.name.c_str(), none);
        else
            std::snprintf(buf, sizeof buf, "%s: %s used of %s (%.0f%%)", what, grouped(used).c_str(),
                          grouped(available).c_str(), p);
        d.exceeded.push_back(buf);
    };
    check("LUT", total.lut, d.available.lut, d.lut_pct);
    check("FF", total.ff, d.available.ff, d.ff_pct);
    check("BRAM18", total.bram18, d.available.bram18, d.bram_pct);
    check("DSP", total.dsp, d.available.dsp, d.dsp_pct);
    // LUTRAM: only where the library gives the SLICEM LUTs (0: not known, not checked).
    if (d.available.lutram > 0) check("LUTRAM", total.lutram, d.available.lutram, d.lutram_pct);
    check("URAM", total.uram, d.available.uram, d.uram_pct, "has no UltraRAM (UltraScale+ parts only)");
    d.fits = d.exceeded.empty();
    return d;
}

ResourceContext resource_context(const NetworkConfig& net) {
    return {net.resources.flow, net.device.family, net.resources.bram_ports, net.resources.ram_style};
}

void add_fifo_site_resources(const NetworkConfig& net, const FifoSite& f, const ResourceContext& ctx,
                             std::vector<ResourceItem>& items) {
    const LayerConfig* producer = f.producer < 0 ? nullptr : &net.layers[size_t(f.producer)];
    const MemoryStyle fallback = ctx.ram_style.of(MemoryKind::Fifos);
    add_fifo_resources(producer ? producer->name : "", f.depth_rows, f.row_bits, f.word_bits, items, ctx.bram_ports,
                       producer ? producer->ram_style.of(MemoryKind::Fifos, fallback) : fallback);
}

void add_layer_resources(const NetworkConfig& net, size_t i, const ResourceContext& ctx,
                         const std::vector<FifoSite>& fifos, std::vector<ResourceItem>& items) {
    const LayerConfig& l = net.layers[i];
    if (l.uses_swu()) {
        add_swu_resources(l, ctx, items);
        // The window stream from the SWU to its MVTU or pooling unit.
        add_fifo_resources(l.name, 2, uint64_t(l.out.width) * uint64_t(l.window_area()) * l.in.channels * l.in_bits,
                           uint64_t(l.folding.mmv) * swu_window_values_per_cycle(l) * l.in_bits, items, ctx.bram_ports,
                           l.ram_style.of(MemoryKind::Fifos, ctx.ram_style.of(MemoryKind::Fifos)));
    }
    if (l.decompressor.enabled)
        add_decompressor_array_resources(l, ctx, items);  // ch. 3.4, in place of the MVTU
    else if (l.is_compute())
        add_mvtu_resources(l, ctx, items);
    else if (l.type == LayerType::Add)
        add_adder_resources(l, ctx, items);
    else if (l.type == LayerType::Concat)
        add_concat_resources(l, items);
    else if (l.type == LayerType::TopK)
        add_topk_resources(l, items);
    else
        add_pool_resources(l, ctx, items);
    add_ofm_buffer_resources(l, ctx, items);
    // The layer's FIFO; where several layers read it, the fork and one FIFO per branch.
    int branches = 0;
    for (const FifoSite& f : fifos)
        if (f.producer == int(i)) branches += f.kind == FifoKind::Branch;
    for (const FifoSite& f : fifos) {
        if (f.producer != int(i)) continue;
        add_fifo_site_resources(net, f, ctx, items);
        if (f.kind == FifoKind::Layer && branches > 0) add_fork_resources(l, branches, items);
    }
}

ResourceReport estimate_resources(const NetworkConfig& net) {
    ResourceReport rep;
    rep.flow = to_string(net.resources.flow);
    const ResourceContext ctx = resource_context(net);
    if (net.host.enabled && net.host.architecture == HostArchitecture::Loopback) {
        rep.scope = "the loopback layer accelerator (" + std::to_string(net.host.loopback_pes) + " PEs x " +
                    std::to_string(net.host.loopback_simd) + " lanes) and the host link";
        add_loopback_resources(net, ctx, rep.items);
        add_host_link_resources(rep.items);
        for (const auto& it : rep.items) rep.total += it.use;
        rep.device = device_use(rep.total, net.device);
        return rep;
    }
    const size_t on_chip = net.device_layer_count();
    rep.scope = "layers " + net.layers.front().name + ".." + net.layers[on_chip - 1].name;
    if (on_chip < net.layers.size())
        rep.scope += " (" + net.layers[on_chip].name + ".." + net.layers.back().name + " run on the host)";
    rep.items.reserve(2 + 10 * on_chip);  // at most ten parts a layer
    const std::vector<FifoSite> fifos = fifo_sites(net);
    add_fifo_site_resources(net, fifos.front(), ctx, rep.items);
    for (size_t i = 0; i < on_chip; ++i) add_layer_resources(net, i, ctx, fifos, rep.items);
    if (net.host.enabled) add_host_link_resources(rep.items);
    for (const auto& it : rep.items) rep.total += it.use;
    rep.device = device_use(rep.total, net.device);
    return rep;
}

}  // namespace qsim
