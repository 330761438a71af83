#!/usr/bin/env bash
# Builds everything and runs every test with ctest (arguments go to this ctest). Then, unless
# QSIM_FULL_CHECKS=0, the cluster and robustness checks, stopping at the first failure:
#   scripts/slurm_sweep_test.sh  a sharded sweep through a real single-node SLURM (skipped, and
#                         said so, where slurm-wlm cannot be installed or started)
#   scripts/sanitize.sh   ASan + UBSan build (GCC) in build-asan/, ctest again
#   scripts/memcheck.sh   build/sim under Valgrind memcheck (mnist_int8_cnn, 2 frames, --check)
#   scripts/fuzz.sh 10    libFuzzer targets (clang) in build-fuzz/, 10 s each
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

timings=()
stage() {  # stage NAME COMMAND...: runs one stage under a banner and records its time
  local name="$1" start=$SECONDS
  shift
  echo
  echo "==================================================================================="
  echo "== test.sh: $name"
  echo "==================================================================================="
  if ! "$@"; then
    echo "== test.sh: FAILED at stage: $name (after $((SECONDS - start)) s)" >&2
    exit 1
  fi
  timings+=("$(printf '%-34s %5d s' "$name" $((SECONDS - start)))")
}

run_ctest() {
  bash "$root/scripts/build.sh" &&
    (cd "${BUILD_DIR:-$root/build}" && ctest --output-on-failure -j "$(nproc)" "$@")
}

stage "build + ctest (Release)" run_ctest "$@"
if [ "${QSIM_FULL_CHECKS:-1}" != "0" ]; then
  stage "sweep on a real SLURM (job array + merge)" bash "$root/scripts/slurm_sweep_test.sh" "${BUILD_DIR:-$root/build}/sim"
  # The slowest system tests (published frame rates, the lane sweep, the reuse sweep, the
  # validation report's 80 sim runs, fold on every shipped config, the 43 recorded outputs, the
  # sample of the tiers' agreement, the trained CNN and the QONNX round trip on all 10,000 test images; the trained MLPs
  # keep the data-set path under the sanitizers)
  # repeat code paths the other tests already cover under the sanitizers; they ran in the
  # Release stage above. So do the reports' determinism (the same runs twice), the fastest-fit
  # fold (a scan of foldings) and sim fifo-size's runs (sim children; its search is
  # FifoSizing.* in the core tests). The hostile inputs run under `ulimit -v`, which ASan's
  # shadow memory cannot live with.
  stage "sanitizers (ASan + UBSan, ctest)" bash "$root/scripts/sanitize.sh" -E "Table43And44|LinkScaling|PeReuseSimulation|ValidationDocIsCurrent|FoldAgreement|OutputsUnchanged|HostileInputs|TierAgreement|TrainedModel.*fmnist_gmp_cnn|Determinism|AutoFold.FastestFoldingThatFitsASmallerDevice|FifoSize\\.|Import.test_fmnist_roundtrip"
  stage "valgrind memcheck (sim)" bash "$root/scripts/memcheck.sh"
  stage "fuzzing (libFuzzer, 10 s/target)" bash "$root/scripts/fuzz.sh" 10
fi

echo
echo "== test.sh: all stages passed"
printf '   %s\n' "${timings[@]}"
