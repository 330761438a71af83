// Mapping of a memory onto Xilinx 18 Kb block RAMs (BRAM18 / RAMB18E1/E2, UG473 / UG573): a
// BRAM18 in simple dual-port mode holds 16K x 1, 8K x 2, 4K x 4, 2K x 9, 1K x 18 or 512 x 36
// bits; a memory of `depth` words of `width` bits takes ceil(depth / D) x ceil(width / W)
// BRAM18 in the aspect ratio (D, W) that needs the fewest. This is why bits per weight x PE
// parallelism, not the total bits, decides the count (thesis ch. 6.6.4, Table 6.7).
// Vivado HLS implements arrays in block RAM (its default RAM_1P/RAM_2P cores); an array of a
// single word is a register.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "models/network/network_config.hpp"

namespace qsim {

struct BramAspect {
    uint64_t depth;
    uint64_t width;
};

// The BRAM18 aspect ratios, deepest first.
inline constexpr std::array<BramAspect, 6> kBram18Aspects = {
    {{16384, 1}, {8192, 2}, {4096, 4}, {2048, 9}, {1024, 18}, {512, 36}}};

struct MemoryMapping {
    uint64_t depth = 0, width = 0;  // the memory
    uint64_t bram18 = 0;            // 0 when held in registers
    uint64_t register_bits = 0;     // depth x width when it is a register (depth 1)
    BramAspect aspect{0, 0};        // chosen aspect ratio
    uint64_t rows = 0, cols = 0;    // BRAM18s deep x wide: bram18 = rows x cols
    // "576 x 256 bit -> 2 x 8 BRAM18 of 512x36", or "1 x 75 bit -> 75 register bits".
    std::string describe() const;
};

// In true dual-port mode a BRAM18 is at most 18 bits wide (16K x 1 .. 1K x 18); a wider word
// takes BRAM18s side by side (a 36-bit word: two, i.e. one BRAM36 as 1K x 36).
inline constexpr std::array<BramAspect, 5> kBram18TrueDualAspects = {
    {{16384, 1}, {8192, 2}, {4096, 4}, {2048, 9}, {1024, 18}}};

// `ports`: the aspect ratios of simple dual-port mode (kBram18Aspects) or true dual-port mode.
MemoryMapping map_memory(uint64_t depth, uint64_t width, BramPorts ports = BramPorts::SimpleDual);

}  // namespace qsim
