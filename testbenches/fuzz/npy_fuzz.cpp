// libFuzzer target: the .npy parser (parse_npy) and the float quantisers.
// What counts as a finding is defined in fuzz_entry.hpp; scripts/fuzz.sh runs it.
#include <cstddef>
#include <cstdint>

#include "testbenches/fuzz/fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    qsim::fuzz::run_npy(data, size);
    return 0;
}
