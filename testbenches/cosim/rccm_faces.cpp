#include "testbenches/cosim/rccm_faces.hpp"

#include <sstream>
#include <stdexcept>

#include "testbenches/cosim/cosim_pattern.hpp"

namespace qsim::cosim {

namespace {

std::vector<int32_t> rccm_extremes(int bits, bool is_signed) {
    const int32_t lo = is_signed ? -(int32_t(1) << (bits - 1)) : 0;
    const int32_t hi = is_signed ? (int32_t(1) << (bits - 1)) - 1 : int32_t((int64_t(1) << bits) - 1);
    std::vector<int32_t> v = {lo, hi, 0, 1, lo + 1, hi - 1};
    if (is_signed) v.push_back(-1);
    return v;
}

}  // namespace

std::vector<RccmItem> rccm_stimulus(const BlockInfo& b, const RunOptions& o, std::string& summary) {
    const uint32_t codes = uint32_t(1) << rccm_select_bits(b.rccm);
    const int64_t lo = b.input_signed ? -(int64_t(1) << (b.input_bits - 1)) : 0;
    const int64_t span = int64_t(1) << b.input_bits;
    std::vector<RccmItem> items;
    std::ostringstream s;
    const uint64_t random = o.cycles > 0 ? o.cycles : o.count;
    if (o.stimulus == "codes" || o.stimulus == "mixed") {
        const std::vector<int32_t> ext = rccm_extremes(b.input_bits, b.input_signed);
        for (uint32_t sel = 0; sel < codes; ++sel)
            for (int32_t x : ext) items.push_back({sel, x});
        s << codes << " select codes x " << ext.size() << " extreme inputs";
    } else if (o.stimulus == "exhaustive") {
        if (b.input_bits > 12) throw std::invalid_argument("exhaustive stimulus needs an input of at most 12 bits");
        for (uint32_t sel = 0; sel < codes; ++sel)
            for (int64_t i = 0; i < span; ++i) items.push_back({sel, int32_t(lo + i)});
        s << codes << " select codes x all " << span << " inputs";
    } else if (o.stimulus != "random") {
        throw std::invalid_argument("RCCM stimulus must be codes, exhaustive, random or mixed, not '" + o.stimulus + "'");
    }
    if (o.stimulus == "random" || o.stimulus == "mixed") {
        for (uint64_t i = 0; i < random; ++i) {
            const uint64_t r = mix64(o.seed * 0x2545f4914f6cdd1dull + i);
            items.push_back({uint32_t(r) & (codes - 1), int32_t(lo + int64_t((r >> 32) % uint64_t(span)))});
        }
        s << (items.size() > random ? ", then " : "") << random << " random (seed " << o.seed << ")";
    }
    summary = s.str();
    return items;
}

}  // namespace qsim::cosim
