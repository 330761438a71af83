// Text of numbers in configuration messages, shared by the front end and the derivation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qsim::design {

using i128 = __int128;

// A double as the messages print it (up to 10 significant digits): 0.25, 1e-05, 185.
std::string number_text(double v);
// A 128-bit integer in decimal.
std::string int_text(i128 v);
// Products of non-negative factors saturate here, so that no product of 64-bit factors overflows.
constexpr i128 kSaturated = i128(1) << 100;
i128 sat_mul(i128 a, i128 b);
i128 ceil_div128(i128 a, i128 b);
// A non-negative long double as an integer, saturated at kSaturated.
i128 sat_int(long double v);
// Thousands separators: 18446744073709551615 -> 18,446,744,073,709,551,615; "more than 2^100"
// for a saturated value.
std::string grouped_text(i128 v);
std::string join(const std::vector<std::string>& items, const char* sep = ", ");
// A name of layers and devices: non-empty, of the characters A-Z a-z 0-9 _ . -
bool valid_name(const std::string& s);

}  // namespace qsim::design
