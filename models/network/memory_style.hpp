// Where a memory of the design is built (docs/resources.md, "Memories"): left to the rule the
// vendor tools follow (`auto`), or forced into block RAM, distributed RAM (LUTs) or UltraRAM,
// per layer and per kind of memory (the config's `ram_style`, per layer and under `resources`).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "models/common/enum_text.hpp"

namespace qsim {

enum class MemoryStyle { Auto, Block, Distributed, Ultra };
template <>
struct EnumText<MemoryStyle> {
    static constexpr const char* what = "memory style";
    static constexpr std::pair<MemoryStyle, const char*> names[] = {{MemoryStyle::Auto, "auto"},
                                                                    {MemoryStyle::Block, "block"},
                                                                    {MemoryStyle::Distributed, "distributed"},
                                                                    {MemoryStyle::Ultra, "ultra"}};
};

// The kinds a style is set for. Memories of other parts follow the kind whose data they hold
// (docs/resources.md): an MVTU's input buffer and the loopback feature buffer are line
// buffers, running sums / maxima of global pooling are OFM buffers, a decompressor's streams
// and code tables are weights.
enum class MemoryKind { Weights, Thresholds, Fifos, LineBuffers, OfmBuffers };
inline constexpr size_t kMemoryKinds = 5;
template <>
struct EnumText<MemoryKind> {
    static constexpr const char* what = "memory kind";
    static constexpr std::pair<MemoryKind, const char*> names[] = {{MemoryKind::Weights, "weights"},
                                                                   {MemoryKind::Thresholds, "thresholds"},
                                                                   {MemoryKind::Fifos, "fifos"},
                                                                   {MemoryKind::LineBuffers, "line_buffers"},
                                                                   {MemoryKind::OfmBuffers, "ofm_buffers"}};
};

// A style per kind, where one is set; `of` gives `fallback` (a layer: the network's
// resources.ram_style) for a kind not set.
struct RamStyles {
    std::array<std::optional<MemoryStyle>, kMemoryKinds> style{};
    MemoryStyle of(MemoryKind k, MemoryStyle fallback = MemoryStyle::Auto) const {
        return style[size_t(k)].value_or(fallback);
    }
    void set(MemoryKind k, MemoryStyle s) { style[size_t(k)] = s; }
    bool operator==(const RamStyles& o) const { return style == o.style; }
    // A small integer naming the settings (each kind: 0 unset, 1 + style), for cache keys.
    uint32_t key() const {
        uint32_t k = 0;
        for (const auto& s : style) k = k * 5 + (s ? 1 + uint32_t(*s) : 0);
        return k;
    }
};

}  // namespace qsim
