#include "sim/design/text.hpp"

#include <algorithm>
#include <sstream>

namespace qsim::design {

std::string number_text(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

std::string int_text(i128 v) {
    if (v == 0) return "0";
    const bool neg = v < 0;
    std::string s;
    while (v != 0) {
        const int d = int(v % 10);
        s.push_back(char('0' + (d < 0 ? -d : d)));
        v /= 10;
    }
    if (neg) s.push_back('-');
    std::reverse(s.begin(), s.end());
    return s;
}

i128 sat_mul(i128 a, i128 b) {
    if (a == 0 || b == 0) return 0;
    if (a >= kSaturated || b >= kSaturated || a > kSaturated / b) return kSaturated;
    return a * b;
}

i128 ceil_div128(i128 a, i128 b) { return (a + b - 1) / b; }

i128 sat_int(long double v) { return v >= (long double)kSaturated ? kSaturated : v <= 0 ? 0 : i128(v); }

std::string grouped_text(i128 v) {
    if (v >= kSaturated) return "more than 2^100";
    const std::string t = int_text(v);
    std::string out;
    int n = 0;
    for (size_t i = t.size(); i-- > 0;) {
        out.push_back(t[i]);
        if (++n % 3 == 0 && i > 0 && t[i - 1] != '-') out.push_back(',');
    }
    std::reverse(out.begin(), out.end());
    return out;
}

bool valid_name(const std::string& s) {
    if (s.empty()) return false;
    for (char ch : s) {
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                        ch == '.' || ch == '-';
        if (!ok) return false;
    }
    return true;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += sep;
        out += items[i];
    }
    return out;
}

}  // namespace qsim::design
