// libFuzzer target: the sweep spec reader (read_spec_file) and the axis parser.
// What counts as a finding is defined in sweep_spec_entry.hpp; scripts/fuzz.sh runs it.
#include <cstddef>
#include <cstdint>

#include "testbenches/fuzz/sweep_spec_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    qsim::fuzz::run_sweep_spec(data, size);
    return 0;
}
