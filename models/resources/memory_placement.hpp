// Where one memory of `depth` words of `width` bits is built and what it costs: block RAM
// (bram_mapping.hpp), distributed RAM in LUTs, a shift-register FIFO in LUTs (SRL), UltraRAM,
// or registers for a single word. The style comes from the configuration (`ram_style`), or,
// under `auto`, from the rule the vendor tools and FINN apply (docs/resources.md, "Memories"):
//   - one word: registers;
//   - FIFOs of at most kSrlAutoMaxDepth words: SRL (FINN builds FIFOs up to 256 deep from
//     SRL-based RTL FIFOs and deeper ones as Vivado FIFOs in block RAM);
//   - other memories of at most kLutramAutoMaxDepth words: distributed RAM (Vivado and FINN
//     leave shallow arrays in LUTs: FINN's embedded weight memories of at most 128 words);
//   - the rest: block RAM. UltraRAM only when asked for (Vivado infers it only with
//     ram_style "ultra"; FINN only with ram_style ultra).
#pragma once

#include <cstdint>
#include <string>

#include "models/network/network_config.hpp"
#include "models/resources/bram_mapping.hpp"

namespace qsim {

namespace memory {
inline constexpr uint64_t kLutramAutoMaxDepth = 64;  // auto: distributed RAM up to this depth
inline constexpr uint64_t kSrlAutoMaxDepth = 256;    // auto: FIFOs in SRLs up to this depth (FINN)
// Distributed RAM (UG949, "Performance Considerations When Implementing RAM"): up to 32 words
// deep two bits per LUT, up to 64 one bit per LUT; deeper, one LUT per bit per 64 words (as
// FINN's LUTRAM estimate counts them; the read multiplexers are not counted).
inline constexpr uint64_t kLutramShallowDepth = 32;  // RAM32M-style: 2 bits per LUT
inline constexpr uint64_t kLutramDepthPerLut = 64;   // RAM64X1 / ROM64X1: 1 bit per LUT
inline constexpr uint64_t kSrlDepthPerLut = 32;      // SRLC32E: a LUT6 shifts 32 x 1 bit
inline constexpr uint64_t kUramDepth = 4096;         // URAM288: 4K x 72 bit
inline constexpr uint64_t kUramWidth = 72;
}  // namespace memory

// Which memory: its kind and the configured style, and the block RAM port mode.
struct MemoryRequest {
    MemoryKind kind = MemoryKind::Weights;
    MemoryStyle style = MemoryStyle::Auto;
    BramPorts ports = BramPorts::SimpleDual;
};

enum class MemoryImpl { Registers, Block, Distributed, Srl, Ultra };
const char* to_string(MemoryImpl m);  // "registers", "block", "distributed", "srl", "ultra"

struct MemoryPlacement {
    MemoryImpl impl = MemoryImpl::Registers;
    MemoryMapping bram;          // Block: the BRAM18 mapping
    uint64_t luts = 0;           // Distributed, Srl: LUTs used as memory
    uint64_t uram = 0;           // Ultra: URAM288 blocks
    uint64_t register_bits = 0;  // Registers
    std::string reason;          // "auto: 8 words <= 64", "ram_style: block"
    // "thresholds -> LUTRAM (auto: 8 words <= 64): 8 x 20 bit -> 20 LUT (ROM64X1)"
    std::string describe(MemoryKind kind, uint64_t depth, uint64_t width) const;
};

MemoryPlacement place_memory(uint64_t depth, uint64_t width, const MemoryRequest& r);

// The LUTs of a depth x width memory in distributed RAM and in SRLs, and its URAM288 blocks.
uint64_t lutram_luts(uint64_t depth, uint64_t width);
uint64_t srl_luts(uint64_t depth, uint64_t width);
uint64_t uram_blocks(uint64_t depth, uint64_t width);

}  // namespace qsim
