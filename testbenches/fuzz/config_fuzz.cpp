// libFuzzer target: the YAML network loader (parse_network_config).
// What counts as a finding is defined in fuzz_entry.hpp; scripts/fuzz.sh runs it.
#include <cstddef>
#include <cstdint>

#include "testbenches/fuzz/fuzz_entry.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    qsim::fuzz::skip_open_findings() = qsim::fuzz::loader_has_open_yaml_loop();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    qsim::fuzz::run_config(data, size);
    return 0;
}
