# Word-level truth for the FIFO sizing (docs/fifo_words.md): the streaming skeleton of the
# residual block in rtl/skeleton/ Verilated as plain C++ (--cc, no SystemC: many runs per
# process), the fifo_words tool, and the WordLevel.* tests. Included from CMakeLists.txt inside
# the RTL co-simulation section (it needs Verilator; QSIM_VERILATOR is set there).
set(QSIM_SKELETON_DIR ${CMAKE_CURRENT_SOURCE_DIR}/rtl/skeleton)
set(QSIM_SKELETON_SOURCES
    ${QSIM_SKELETON_DIR}/ws_fifo.sv ${QSIM_SKELETON_DIR}/ws_source.sv ${QSIM_SKELETON_DIR}/ws_conv.sv
    ${QSIM_SKELETON_DIR}/ws_fork.sv ${QSIM_SKELETON_DIR}/ws_add.sv ${QSIM_SKELETON_DIR}/ws_sink.sv
    ${QSIM_SKELETON_DIR}/residual_block.sv)

add_executable(fifo_words testbenches/wordlevel/fifo_words_main.cpp testbenches/wordlevel/word_run.cpp)
target_link_libraries(fifo_words PRIVATE qsim_cli yaml-cpp)
# H, W, CYCLES and BUF_ROWS are the block's (word_run.hpp's kHeight, kWidth; 3x3x8/8 = 9 cycles;
# K + stride = 4 line-buffer rows); MAX_DEPTH is word_run.hpp's kMaxDepth.
verilate(fifo_words PREFIX Vresidual_block TOP_MODULE residual_block
  SOURCES ${QSIM_SKELETON_SOURCES}
  VERILATOR_ARGS -Wall -GH=8 -GW=8 -GCYCLES=9 -GBUF_ROWS=4 -GMAX_DEPTH=256)

# The skeleton lints clean with every warning on.
add_test(NAME WordLevel.RtlLint
         COMMAND ${QSIM_VERILATOR} --lint-only -Wall --top-module residual_block ${QSIM_SKELETON_SOURCES})
# The word-level minima (unpaced and paced at 180,000 and 90,000 frames/s) hold and one word less
# does not; the row model's sized skip FIFO (sim fifo-size) in words against them.
add_test(NAME WordLevel.ResidualBlockMinima
         COMMAND fifo_words --check --sim $<TARGET_FILE:sim>
                 --config ${CMAKE_CURRENT_SOURCE_DIR}/testbenches/wordlevel/residual_block.yaml
                 --work-dir ${CMAKE_CURRENT_BINARY_DIR}/wordlevel)
set_tests_properties(WordLevel.ResidualBlockMinima PROPERTIES
                     ENVIRONMENT SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 TIMEOUT 120)
