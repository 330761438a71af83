# libFuzzer targets, included by the top-level CMakeLists.txt when QSIM_FUZZ=ON (clang only).
# Every object, qsim_design included, is compiled with -fsanitize=fuzzer-no-link,address,undefined
# (set there); the targets below add libFuzzer's main. scripts/fuzz.sh builds and runs them.
foreach(target config weights npy sweep_spec idx)
  add_executable(${target}_fuzz ${CMAKE_CURRENT_LIST_DIR}/${target}_fuzz.cpp)
  target_link_libraries(${target}_fuzz PRIVATE qsim_design)
  target_link_options(${target}_fuzz PRIVATE -fsanitize=fuzzer)
endforeach()
# The sweep spec reader and the design space are pure code of the sweep layer, whose library
# also holds the runner (SystemC): the target compiles the two files it needs.
target_sources(sweep_spec_fuzz PRIVATE ${CMAKE_SOURCE_DIR}/sim/sweep/design_space.cpp
  ${CMAKE_SOURCE_DIR}/sim/sweep/sweep_spec.cpp)

# Writes the weight-file and .npy seed inputs of corpus/ (run by hand when the fixed fuzz
# network of fuzz_entry.hpp changes): fuzz_make_seeds OUT_DIR.
add_executable(fuzz_make_seeds ${CMAKE_CURRENT_LIST_DIR}/make_seeds.cpp)
target_link_libraries(fuzz_make_seeds PRIVATE qsim_design qsim_cli)
