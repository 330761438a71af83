#include "models/concat/concat_kernel.hpp"

#include <algorithm>

namespace qsim {

void concat_pixels(const std::vector<ConcatSource>& sources, int pixels, Encoding to, int32_t* out) {
    for (int p = 0; p < pixels; ++p)
        for (const ConcatSource& s : sources) {
            const int32_t* in = s.data + size_t(p) * size_t(s.channels);
            if (s.encoding == to)
                out = std::copy_n(in, s.channels, out);
            else
                for (int c = 0; c < s.channels; ++c) *out++ = decode_value(in[c], s.encoding);
        }
}

}  // namespace qsim
