#include "models/concat/concat_kernel.hpp"

namespace qsim {

void concat_pixels(const int32_t* a, Encoding ea, int ca, const int32_t* b, Encoding eb, int cb, int pixels,
                   Encoding to, int32_t* out) {
    for (int p = 0; p < pixels; ++p) {
        for (int c = 0; c < ca; ++c) *out++ = ea == to ? a[c] : decode_value(a[c], ea);
        for (int c = 0; c < cb; ++c) *out++ = eb == to ? b[c] : decode_value(b[c], eb);
        a += ca;
        b += cb;
    }
}

}  // namespace qsim
