// Entry point of the SystemC test binary: libsystemc defines main() and calls sc_main
// (TOOLCHAIN.md trap 2), so GoogleTest is started from here. ctest runs each test in its
// own process because SystemC elaborates once per process.
#include <gtest/gtest.h>
#include <systemc>

int sc_main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
