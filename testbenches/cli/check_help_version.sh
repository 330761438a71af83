#!/usr/bin/env bash
# check_help_version.sh VERSION EXE...: the command line every executable shares
# (testbenches/cli): `EXE --help` exits 0 and prints its help, `EXE --version` exits 0 and
# prints exactly "NAME VERSION", and an unknown option exits 2 with one line on stderr.
# An EXE written help-only:PATH is not asked for --version (a tool that has none yet).
# Run by ctest (CliHelpAndVersion in CMakeLists.txt); prints one line per failure, exits 1 on any.
set -uo pipefail
if [ $# -lt 2 ]; then
  echo "usage: check_help_version.sh VERSION EXE..." >&2
  exit 2
fi
version="$1"
shift
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1  # the SystemC tools' banner is not their output
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failures=0
fail() {
  echo "check_help_version: $*"
  failures=$((failures + 1))
}

for arg in "$@"; do
  exe="${arg#help-only:}"
  name="$(basename "$exe")"
  "$exe" --help >"$scratch/out" 2>"$scratch/err"
  status=$?
  if [ "$status" -ne 0 ]; then
    fail "$name --help: exit $status, expected 0: $(head -c 300 "$scratch/err")"
  elif [ ! -s "$scratch/out" ]; then
    fail "$name --help: nothing on stdout"
  fi

  if [ "$arg" = "$exe" ]; then
    "$exe" --version >"$scratch/out" 2>"$scratch/err"
    status=$?
    if [ "$status" -ne 0 ]; then
      fail "$name --version: exit $status, expected 0: $(head -c 300 "$scratch/err")"
    elif [ "$(cat "$scratch/out")" != "$name $version" ]; then
      fail "$name --version: printed '$(head -c 300 "$scratch/out")', expected '$name $version'"
    fi
  fi

  "$exe" --no-such-option >"$scratch/out" 2>"$scratch/err"
  status=$?
  if [ "$status" -ne 2 ]; then
    fail "$name --no-such-option: exit $status, expected 2 (usage error)"
  elif [ "$(wc -l <"$scratch/err")" -ne 1 ]; then
    fail "$name --no-such-option: $(wc -l <"$scratch/err") lines on stderr, expected one"
  fi
done

if [ "$failures" -ne 0 ]; then
  echo "check_help_version: $failures failure(s)"
  exit 1
fi
echo "check_help_version: $# executables answer --help, --version and usage errors alike"
