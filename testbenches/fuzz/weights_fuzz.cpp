// libFuzzer target: the weight-file reader (decode_weight_file, summarize_weight_file).
// What counts as a finding is defined in fuzz_entry.hpp; scripts/fuzz.sh runs it.
#include <cstddef>
#include <cstdint>

#include "testbenches/fuzz/fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    qsim::fuzz::run_weights(data, size);
    return 0;
}
