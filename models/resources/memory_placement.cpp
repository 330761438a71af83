#include "models/resources/memory_placement.hpp"

#include "models/common/int_math.hpp"

namespace qsim {

const char* to_string(MemoryImpl m) {
    switch (m) {
        case MemoryImpl::Registers: return "registers";
        case MemoryImpl::Block: return "block";
        case MemoryImpl::Distributed: return "distributed";
        case MemoryImpl::Srl: return "srl";
        case MemoryImpl::Ultra: return "ultra";
    }
    return "?";
}

uint64_t lutram_luts(uint64_t depth, uint64_t width) {
    using namespace memory;
    if (depth <= kLutramShallowDepth) return ceil_div(width, 2);
    return ceil_div(depth, kLutramDepthPerLut) * width;
}

uint64_t srl_luts(uint64_t depth, uint64_t width) { return ceil_div(depth, memory::kSrlDepthPerLut) * width; }

uint64_t uram_blocks(uint64_t depth, uint64_t width) {
    return ceil_div(depth, memory::kUramDepth) * ceil_div(width, memory::kUramWidth);
}

namespace {

// The style the auto rule picks for a memory of two or more words, and why.
MemoryImpl auto_impl(uint64_t depth, MemoryKind kind, std::string& reason) {
    using namespace memory;
    const std::string words = std::to_string(depth) + " words ";
    if (kind == MemoryKind::Fifos) {
        const bool srl = depth <= kSrlAutoMaxDepth;
        reason = "auto: " + words + (srl ? "<= " : "> ") + std::to_string(kSrlAutoMaxDepth);
        return srl ? MemoryImpl::Srl : MemoryImpl::Block;
    }
    const bool lutram = depth <= kLutramAutoMaxDepth;
    reason = "auto: " + words + (lutram ? "<= " : "> ") + std::to_string(kLutramAutoMaxDepth);
    return lutram ? MemoryImpl::Distributed : MemoryImpl::Block;
}

}  // namespace

MemoryPlacement place_memory(uint64_t depth, uint64_t width, const MemoryRequest& r) {
    MemoryPlacement p;
    if (depth == 0 || width == 0) return p;
    if (depth == 1) {
        p.register_bits = width;
        p.reason = "one word";
        return p;
    }
    switch (r.style) {
        case MemoryStyle::Auto: p.impl = auto_impl(depth, r.kind, p.reason); break;
        case MemoryStyle::Block: p.impl = MemoryImpl::Block; break;
        case MemoryStyle::Distributed: p.impl = MemoryImpl::Distributed; break;
        case MemoryStyle::Ultra: p.impl = MemoryImpl::Ultra; break;
    }
    if (r.style != MemoryStyle::Auto) p.reason = std::string("ram_style: ") + qsim::to_string(r.style);
    switch (p.impl) {
        case MemoryImpl::Block: p.bram = map_memory(depth, width, r.ports); break;
        case MemoryImpl::Distributed: p.luts = lutram_luts(depth, width); break;
        case MemoryImpl::Srl: p.luts = srl_luts(depth, width); break;
        case MemoryImpl::Ultra: p.uram = uram_blocks(depth, width); break;
        case MemoryImpl::Registers: break;
    }
    return p;
}

std::string MemoryPlacement::describe(MemoryKind kind, uint64_t depth, uint64_t width) const {
    const std::string shape = std::to_string(depth) + " x " + std::to_string(width) + " bit";
    const std::string head = std::string(qsim::to_string(kind)) + " -> ";
    switch (impl) {
        case MemoryImpl::Registers: return shape + (register_bits ? " -> " + std::to_string(register_bits) + " register bits" : "");
        case MemoryImpl::Block: return head + "BRAM (" + reason + "): " + bram.describe();
        case MemoryImpl::Distributed:
            return head + "LUTRAM (" + reason + "): " + shape + " -> " + std::to_string(luts) + " LUT (" +
                   (depth <= memory::kLutramShallowDepth ? "2 bits per LUT" : "1 bit per LUT per 64 words") + ")";
        case MemoryImpl::Srl:
            return head + "SRL (" + reason + "): " + shape + " -> " + std::to_string(luts) + " LUT (SRLC32E)";
        case MemoryImpl::Ultra:
            return head + "URAM (" + reason + "): " + shape + " -> " + std::to_string(uram) + " URAM288 of 4096x72";
    }
    return shape;
}

}  // namespace qsim
