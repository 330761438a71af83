// Number formatting shared by reports and messages.
#pragma once

#include <cstdint>
#include <string>

namespace qsim {

// Thousands separators: 1643 -> "1,643".
inline std::string grouped(uint64_t v) {
    const std::string s = std::to_string(v);
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i && (s.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(s[i]);
    }
    return out;
}

}  // namespace qsim
