// Values into and out of Verilated ports: Verilator's SystemC mode gives a port of 1 bit a
// bool, of 2..32 bits a uint32_t, of 33..64 bits a uint64_t and a wider one an sc_bv<N>. The
// co-simulation faces pack their fields into 64-bit words and convert with these.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include <systemc>

namespace qsim::cosim {

using Words = std::vector<uint64_t>;

inline void set_field(Words& w, int lsb, int n, uint64_t v) {
    for (int i = 0; i < n; ++i) {
        const int bit = lsb + i;
        const uint64_t b = (v >> i) & 1u;
        w[size_t(bit / 64)] = (w[size_t(bit / 64)] & ~(uint64_t(1) << (bit % 64))) | (b << (bit % 64));
    }
}

inline void to_port(uint32_t& p, const Words& w) { p = uint32_t(w[0]); }
inline void to_port(uint64_t& p, const Words& w) { p = w[0]; }
template <int N>
void to_port(sc_dt::sc_bv<N>& p, const Words& w) {
    for (int i = 0; i < (N + 31) / 32; ++i) p.set_word(i, sc_dt::sc_digit(w[size_t(i / 2)] >> (32 * (i % 2))));
}

inline uint64_t field(uint32_t p, int lsb, int n) { return (uint64_t(p) >> lsb) & (n >= 64 ? ~0ull : (1ull << n) - 1); }
inline uint64_t field(uint64_t p, int lsb, int n) { return (p >> lsb) & (n >= 64 ? ~0ull : (1ull << n) - 1); }
template <int N>
uint64_t field(const sc_dt::sc_bv<N>& p, int lsb, int n) {
    return p.range(lsb + n - 1, lsb).to_uint64();
}

inline int64_t sign_extend(uint64_t v, int bits) {
    const uint64_t m = uint64_t(1) << (bits - 1);
    v &= bits >= 64 ? ~0ull : (uint64_t(1) << bits) - 1;
    return int64_t((v ^ m) - m);
}

template <class Port>
using port_t = typename std::remove_reference_t<Port>::data_type;

}  // namespace qsim::cosim
