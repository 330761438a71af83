#!/usr/bin/env bash
# fuzz.sh [SECONDS]: builds the libFuzzer targets of testbenches/fuzz/ (clang, ASan + UBSan,
# CMake option QSIM_FUZZ=ON) into build-fuzz/ (or $FUZZ_BUILD_DIR) and runs each target for
# SECONDS seconds (default 30): config (YAML loader), weights (weight-file reader), npy (.npy
# parser), sweep_spec (sweep spec files and axes), idx (IDX data sets, plain and gzipped).
# Each starts from a fresh copy of its seed corpus (testbenches/fuzz/corpus/<target>/
# plus the saved findings in testbenches/fuzz/regressions/<target>/); the committed files are
# never written. Exits non-zero on any finding (crash, unexpected exception, sanitizer
# report, leak, timeout > 10 s, > 2 GB RSS) and prints the path of the input that caused it.
# FUZZ_TARGETS="config npy" restricts the run to some targets.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: fuzz.sh [seconds-per-target]" >&2
  exit 2
fi
targets=(${FUZZ_TARGETS:-config weights npy sweep_spec idx})
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
v="${QSIM_CLANG_VERSION:-14}"

bash "$root/scripts/setup_fuzz.sh"
# -O1 -g1 (line tables): quick to build, fast enough for short runs, file:line in reports.
CC="clang-$v" CXX="clang++-$v" cmake -S "$root" -B "$build" -DQSIM_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$(command -v "llvm-symbolizer-$v" || true)}"

declare -A max_len=([config]=4096 [weights]=2048 [npy]=1024 [sweep_spec]=2048 [idx]=4096)
failed=()
for t in "${targets[@]}"; do
  run="$build/fuzz-run/$t"
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/findings" "$run/cwd"
  cp "$root/testbenches/fuzz/corpus/$t/"* "$run/corpus/"
  if compgen -G "$root/testbenches/fuzz/regressions/$t/*" >/dev/null; then
    cp "$root/testbenches/fuzz/regressions/$t/"* "$run/corpus/"
  fi
  # The loader resolves device.library (default devices.yaml) against the working directory:
  # give it the shipped library there, so that named devices are looked up.
  cp "$root/configs/devices.yaml" "$run/cwd/" 2>/dev/null || true
  extra=()
  [ -f "$root/testbenches/fuzz/$t.dict" ] && extra+=("-dict=$root/testbenches/fuzz/$t.dict")

  echo "fuzz: $t for ${seconds}s (log: $run/fuzz.log)"
  status=0
  (cd "$run/cwd" && "$build/${t}_fuzz" "$run/corpus" \
     -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$t]:-4096}" \
     -artifact_prefix="$run/findings/" -print_final_stats=1 -print_funcs=0 "${extra[@]}") \
     >"$run/fuzz.log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::new_units_added)|^#[0-9]+ +DONE' "$run/fuzz.log" |
    sed 's/^/  /' || true
  if [ "$status" -ne 0 ] || compgen -G "$run/findings/*" >/dev/null; then
    echo "fuzz: $t: FINDING (exit status $status); end of the log:"
    grep -v '^#[0-9]' "$run/fuzz.log" | tail -n 60 | sed 's/^/  | /'
    for f in "$run/findings/"*; do
      [ -e "$f" ] && echo "fuzz: $t: input that caused it: $f"
    done
    echo "fuzz: reproduce with: (cd $run/cwd && $build/${t}_fuzz <input>)"
    failed+=("$t")
  else
    echo "fuzz: $t: no finding"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: FAILED: findings in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: OK (${targets[*]}, ${seconds}s each)"
