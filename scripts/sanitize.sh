#!/usr/bin/env bash
# sanitize.sh [ctest args]: builds everything with GCC and AddressSanitizer + UndefinedBehavior-
# Sanitizer (CMake option QSIM_SANITIZE=ON: -fsanitize=address,undefined
# -fno-omit-frame-pointer -fno-sanitize-recover=undefined on every target) in Debug (-O1 -g1)
# into build-asan/ (or $ASAN_BUILD_DIR), then runs the unit, module and system tests with ctest.
# Any ASan or UBSan report aborts the test process, so ctest fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${ASAN_BUILD_DIR:-$root/build-asan}"

bash "$root/scripts/setup.sh"
# Debug build type with -O1 -g1 (line tables): half the compile time of -O2 -g, still exact
# file:line in every report.
# The Verilated co-simulation is left out (QSIM_COSIM=OFF): its regressions run in the Release
# stage, and Verilated models under ASan would double this stage's build.
CC=gcc CXX=g++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DQSIM_SANITIZE=ON -DQSIM_COSIM=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"

# halt_on_error / abort_on_error: the first report kills the test process (UBSan is also
# built with -fno-sanitize-recover). detect_leaks: LeakSanitizer at the exit of every test
# process, with full stacks (fast_unwind_on_malloc=0: libstdc++ has no frame pointers) so that
# scripts/lsan.supp can name what it suppresses: only allocations owned by the locals of
# SystemC threads, which SystemC never unwinds (see there).
# detect_stack_use_after_return=0 (GCC's default, set explicitly): with it on, ASan moves
# locals to "fake stacks" that do not follow SystemC's coroutine stack switches, and every
# system test reports leaks from suspended SC_THREADs that the suppression cannot match.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# use_stacks=0: thread stacks are not searched for pointers at exit (no allocation reachable only
# from a stack then is taken as reachable: stricter, never laxer). On some machines LeakSanitizer
# reads the main thread's stack bounds wrong once SystemC has run its coroutine stacks ("stack
# pointer not in stack range ... Skipped 42 guard page(s)", then "Tracer caught signal 11": seen
# on a 2-core Xeon with AMX, Linux 6.18, for every `sim` child), and scanning the stacks crashes.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0:use_stacks=0}"

cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"
