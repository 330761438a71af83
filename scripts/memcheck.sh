#!/usr/bin/env bash
# memcheck.sh: runs the Release simulator (build/sim, or $BUILD_DIR/sim; built first if needed)
# under Valgrind memcheck on the Int8 MNIST design, 2 frames, with the golden check:
#   valgrind --tool=memcheck --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
# Fails on any memcheck error (invalid access, uninitialised value used, bad free) or definite
# leak, and when the simulation itself fails (its exit status, e.g. 4 for a golden-check
# mismatch). "Still reachable" blocks (SystemC's kernel and the objects it keeps until exit)
# are listed in the summary but do not fail the run.
#
# SystemC (Debian's libsystemc, QuickThreads coroutines) runs each SC_THREAD on its own mmap'd
# 256 KB stack and does not register those stacks with Valgrind. Valgrind takes an SP change
# smaller than --max-stackframe (default 2 MB) for a frame being pushed or popped, so each
# switch between two neighbouring coroutine stacks (256 KB apart) marks the other stack's
# live frames undefined: ~200,000 false "uninitialised value" errors in SystemC and in every
# thread body, and "definitely lost" blocks owned by the locals of suspended threads.
# --max-stackframe=65536 makes Valgrind treat any SP change above 64 KB as a stack switch;
# then SystemC runs clean and no suppression file is needed. (No frame of the simulator is
# near 64 KB; a larger one would only go unchecked, not give false errors. A design that
# gives threads stacks below 64 KB would need a smaller value: the false errors come back.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"

bash "$root/scripts/ensure_packages.sh" valgrind
bash "$root/scripts/build.sh" --target sim >/dev/null

cd "$root"
log="$build/memcheck.log"
status=0
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 valgrind --tool=memcheck --error-exitcode=1 \
  --leak-check=full --errors-for-leak-kinds=definite \
  --max-stackframe=65536 --num-callers=30 --log-file="$log" \
  "$build/sim" --config configs/mnist_int8_cnn.yaml --frames 2 --check >"$build/memcheck.out" 2>&1 \
  || status=$?
tail -n 3 "$build/memcheck.out" | sed 's/^/  sim | /'
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|still reachable|suppressed:" "$log" | sed 's/^/  /'
if [ "$status" -ne 0 ]; then
  echo "memcheck: FAILED (exit status $status); valgrind log: $log, simulator output: $build/memcheck.out" >&2
  grep -vE "^==[0-9]+== *$" "$log" | sed -n '/Invalid\|uninitialised\|definitely lost in\|Mismatched\|free/,+25p' | head -n 120 >&2 || true
  exit 1
fi
echo "memcheck: OK (no memcheck errors, no definite leaks)"
