// libFuzzer target: the IDX data-set reader (headers, partial and whole reads).
// What counts as a finding is defined in idx_entry.hpp; scripts/fuzz.sh runs it.
#include <cstddef>
#include <cstdint>

#include "testbenches/fuzz/idx_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    qsim::fuzz::run_idx(data, size);
    return 0;
}
