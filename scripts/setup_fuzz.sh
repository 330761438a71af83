#!/usr/bin/env bash
# Installs what scripts/fuzz.sh needs on top of scripts/setup.sh: clang, its libFuzzer and
# sanitizer runtimes (libclang-rt-N-dev) and llvm-symbolizer (llvm-N, for readable reports),
# only when missing. Debian 12 ships clang 14; QSIM_CLANG_VERSION selects another packaged one.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
v="${QSIM_CLANG_VERSION:-14}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/ensure_packages.sh" "clang-$v" "libclang-rt-$v-dev" "llvm-$v"

# The libFuzzer runtime must be where clang looks for it.
rt="$("clang++-$v" -print-file-name="libclang_rt.fuzzer-$(uname -m).a")"
if [ ! -f "$rt" ]; then
  echo "setup_fuzz: clang++-$v has no libFuzzer runtime ($rt missing)" >&2
  exit 1
fi
