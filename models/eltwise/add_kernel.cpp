#include "models/eltwise/add_kernel.hpp"

namespace qsim {

void add_values(const int32_t* a, Encoding ea, const int32_t* b, Encoding eb, int64_t n, int32_t* out) {
    for (int64_t i = 0; i < n; ++i) out[i] = decode_value(a[i], ea) + decode_value(b[i], eb);
}

}  // namespace qsim
