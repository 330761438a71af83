#include "models/resources/bram_mapping.hpp"

#include "models/common/int_math.hpp"

namespace qsim {

MemoryMapping map_memory(uint64_t depth, uint64_t width, BramPorts ports) {
    MemoryMapping m;
    m.depth = depth;
    m.width = width;
    if (depth == 0 || width == 0) return m;
    if (depth == 1) {
        m.register_bits = width;
        return m;
    }
    auto consider = [&](const BramAspect& a) {
        const uint64_t rows = ceil_div(depth, a.depth), cols = ceil_div(width, a.width);
        if (m.bram18 == 0 || rows * cols < m.bram18) {
            m.bram18 = rows * cols;
            m.aspect = a;
            m.rows = rows;
            m.cols = cols;
        }
    };
    if (ports == BramPorts::TrueDual)
        for (const BramAspect& a : kBram18TrueDualAspects) consider(a);
    else
        for (const BramAspect& a : kBram18Aspects) consider(a);
    return m;
}

std::string MemoryMapping::describe() const {
    const std::string shape = std::to_string(depth) + " x " + std::to_string(width) + " bit";
    if (bram18 == 0) return shape + (register_bits ? " -> " + std::to_string(register_bits) + " register bits" : "");
    return shape + " -> " + std::to_string(rows) + " x " + std::to_string(cols) + " BRAM18 of " +
           std::to_string(aspect.depth) + "x" + std::to_string(aspect.width);
}

}  // namespace qsim
