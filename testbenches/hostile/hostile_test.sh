#!/usr/bin/env bash
# Hostile inputs, interrupted and concurrent runs (docs/errors.md): every class a hostile user
# found once is reproduced here and must now end cleanly. Run by ctest (HostileInputs).
#
#   bash testbenches/hostile/hostile_test.sh SIM SOURCE_DIR
#
# 1. Inputs that once crashed, hung, blew up memory or gave a wrong exit: each must end within
#    5 s, under `ulimit -v` of 2 GiB, with exit 1 or 2 and exactly one line on stderr.
# 2. A sweep interrupted with Ctrl-C (analytical and simulation tier), resumed twice and
#    plotted; a record cut short; two sweeps into one directory; a merge into a shard.
# 3. Output paths with quotes, spaces, $() and newlines: plots and SLURM scripts run nothing
#    embedded in them.
# 4. Reports: /dev/full, the config as the report, an unwritable place; --no-timing reports
#    byte-identical.
# 5. fold and the other tools: targets, outputs over inputs, devices, negative counts.
set -u
sim="$1"
src="$2"
work="$(mktemp -d /tmp/qsim_hostile.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok   $*"; }

alexnet="$src/configs/alexnet_pruned40.yaml"
tiny="$src/testbenches/unit/system/bad_inputs/base_tiny.yaml"

# --- 1. One-line refusals under a 2 GiB address space, within 5 s ------------------------
# refuse_cmd NAME EXPECTED_EXIT COMMAND...: runs the command; checks the exit code, one stderr
# line, the time. refuse NAME EXPECTED_EXIT ARGS...: the same for sim.
refuse_cmd() {
  local name="$1" want="$2"
  shift 2
  local start=$SECONDS
  (ulimit -v 2097152; timeout 5 "$@" > "$work/out.txt" 2> "$work/err.txt")
  local code=$? lines
  lines=$(wc -l < "$work/err.txt")
  if [ "$code" != "$want" ]; then
    fail "$name: exit $code, expected $want: $(head -c 300 "$work/err.txt")"
  elif [ "$lines" != 1 ]; then
    fail "$name: $lines lines on stderr, expected one: $(head -c 300 "$work/err.txt")"
  elif [ $((SECONDS - start)) -gt 5 ]; then
    fail "$name: took $((SECONDS - start)) s"
  else
    pass "$name: exit $code: $(cut -c1-150 "$work/err.txt")"
  fi
}
refuse() {
  local name="$1" want="$2"
  shift 2
  refuse_cmd "$name" "$want" "$sim" "$@"
}

truncate -s 2G "$work/zeros.qnnw"
refuse "2 GiB weight file of zeros" 1 --config "$tiny" --weights "$work/zeros.qnnw"
refuse "directory as weight file" 1 --config "$tiny" --weights "$work"
refuse "/dev/zero as weight file" 1 --config "$tiny" --weights /dev/zero
refuse "/dev/zero as config" 1 --config /dev/zero
refuse "directory as config" 1 --config "$work"
printf 'name: "a\\0b"\n' > "$work/nul.yaml"
refuse "NUL byte in a YAML scalar" 1 --config "$work/nul.yaml"
python3 -c "print('name: deep'); print('device:'); [print('  ' * (i + 1) + 'a:') for i in range(1000)]" > "$work/deep.yaml"
refuse "1,000-deep YAML nesting" 1 --config "$work/deep.yaml"
refuse "newline in a --set value" 1 --config "$tiny" --set "F=4
5"
cat > "$work/huge.yaml" <<'EOF'
name: huge
device: {clock_mhz: 100000}
input: {height: 46340, width: 46340, channels: 1}
layers:
  - {name: pool, type: maxpool, kernel: 2}
EOF
refuse "46,340 x 46,340 input image" 1 --config "$work/huge.yaml"
refuse "misspelt command" 2 swep --config "$alexnet"
refuse "stray argument" 2 --config "$tiny" stray
refuse "sweep --random -1" 2 sweep --config "$alexnet" --axis conv2.pe=7,11 --random -1 --out "$work/r1"
refuse "sweep: an axis twice" 2 sweep --config "$alexnet" --axis conv2.pe=7 --axis conv2.pe=11 --out "$work/r2"
refuse "sweep: an undeclared param" 2 sweep --config "$alexnet" --axis param.x=1,2 --out "$work/r3"
refuse "sweep: 10^9 grid points" 2 sweep --config "$alexnet" --axis conv1.fifo_depth=1..1000 --axis conv2.fifo_depth=1..1000 --axis conv3.fifo_depth=1..1000 --out "$work/r4"
refuse "sweep --spec /dev/zero" 1 sweep --spec /dev/zero --out "$work/r5"
python3 -c "print('axes:'); [print('  ' * (i + 1) + 'a:') for i in range(1000)]" > "$work/deep_spec.yaml"
refuse "sweep spec nested 1,000 deep" 1 sweep --spec "$work/deep_spec.yaml" --out "$work/r6"
printf 'config: %s\naxes:\n  conv2.pe: [7, 11]\n  conv2.pe: [77]\n' "$alexnet" > "$work/twice_spec.yaml"
refuse "sweep spec: an axis twice" 1 sweep --spec "$work/twice_spec.yaml" --out "$work/r7"
refuse "sweep: a value with ';'" 2 sweep --config "$alexnet" --axis "conv2.pe=7;conv3.pe=1" --out "$work/r8"
refuse "sweep: 30 axes of 100,000 values" 2 sweep --config "$alexnet" --random 10 $(for i in $(seq 30); do printf -- '--axis conv2.fifo_depth%d=1..100000 ' "$i"; done) --out "$work/r9"
refuse "sweep --jobs 100000" 2 sweep --config "$alexnet" --axis conv2.pe=7,11 --tier simulation --jobs 100000 --out "$work/r10"
refuse "simulation-tier sweep: more frames than the clock holds" 1 sweep --config "$alexnet" --axis conv2.pe=7,11 --tier simulation --frames 2000000000 --out "$work/r11"
refuse "--point naming no field" 2 --config "$tiny" --point conv1.speed=2
refuse "--point of the wrong type" 1 --config "$tiny" --point conv1.pe=x

# IDX data sets: a header declaring 2,000,000 images (holding 100) with 10,000 labels; none.
python3 - "$work" <<'PY'
import gzip, struct, sys
w = sys.argv[1]
with gzip.open(f"{w}/bomb-images-idx3-ubyte.gz", "wb") as f:
    f.write(struct.pack(">HBBIII", 0, 8, 3, 2_000_000, 28, 28) + bytes(100 * 784))
with gzip.open(f"{w}/bomb-labels-idx1-ubyte.gz", "wb") as f:
    f.write(struct.pack(">HBBI", 0, 8, 1, 10_000) + bytes(10_000))
with gzip.open(f"{w}/empty-images-idx3-ubyte.gz", "wb") as f:
    f.write(struct.pack(">HBBIII", 0, 8, 3, 0, 28, 28))
PY
mnist="$src/configs/trained/fmnist_mlp_w1a2.yaml"
refuse "data set declaring 2,000,000 images, 10,000 labels" 1 --config "$mnist" --dataset "$work/bomb-images-idx3-ubyte.gz"
refuse "data set with no images" 1 --config "$mnist" --dataset "$work/empty-images-idx3-ubyte.gz"
refuse "/dev/zero as a data set" 1 --config "$mnist" --dataset /dev/zero
# One frame of it runs (exit 4: an image of zeros is not the reference prediction of image 0).
(ulimit -v 2097152; timeout 5 "$sim" --config "$mnist" --dataset "$work/bomb-images-idx3-ubyte.gz" --frames 1 > "$work/one.txt" 2>&1)
code=$?
if { [ "$code" = 0 ] || [ "$code" = 4 ]; } && grep -q "^dataset " "$work/one.txt"; then
  pass "the same data set, one frame: decoded as far as asked (exit $code)"
else
  fail "the 2,000,000-image data set with --frames 1 did not run (exit $code): $(tail -2 "$work/one.txt")"
fi

# --- 2. Interrupted and concurrent sweeps ---------------------------------------------------
rows() { tail -n +3 "$1/results.csv" | wc -l; }  # less the banner and the header
# A sweep stopped by Ctrl-C mid-run, resumed twice (the second finds nothing to do), plotted.
interrupted_sweep() {
  local tier="$1" out="$2" points="$3" delay="$4"
  shift 4
  "$sim" sweep --config "$alexnet" --tier "$tier" --random "$points" --seed 5 "$@" --out "$out" > /dev/null 2> "$work/int.err" &
  local pid=$!
  if [ "$delay" = first ]; then
    # as soon as the first records are on disk (the analytical tier writes them in batches)
    for _ in $(seq 3000); do [ -s "$out/points.jsonl" ] && break; sleep 0.01; done
  else
    sleep "$delay"
  fi
  kill -INT "$pid"
  wait "$pid"
  local code=$?
  [ "$code" = 130 ] || fail "$tier sweep: Ctrl-C gave exit $code: $(cat "$work/int.err")"
  [ -z "$(tail -c 1 "$out/points.jsonl")" ] || fail "$tier sweep: points.jsonl does not end with a newline after Ctrl-C"
  local done_first
  done_first=$(wc -l < "$out/points.jsonl")
  "$sim" sweep --config "$alexnet" --tier "$tier" --random "$points" --seed 5 "$@" --out "$out" > "$work/resume1.txt" 2>&1 ||
    fail "$tier sweep: first resume failed: $(tail -1 "$work/resume1.txt")"
  "$sim" sweep --config "$alexnet" --tier "$tier" --random "$points" --seed 5 "$@" --out "$out" --plot > "$work/resume2.txt" 2>&1 ||
    fail "$tier sweep: second resume with --plot failed: $(tail -1 "$work/resume2.txt")"
  grep -q "(0 evaluated now" "$work/resume2.txt" || fail "$tier sweep: the second resume evaluated points again: $(head -1 "$work/resume2.txt")"
  [ "$(rows "$out")" = "$points" ] || fail "$tier sweep: $(rows "$out") rows, expected $points"
  [ -s "$out/pareto_lut.png" ] || fail "$tier sweep: no plot after the resume"
  if grep -q "exited with 130\|sim exited with 1[0-9][0-9]" "$out/results.csv"; then
    fail "$tier sweep: a point the interrupt killed was recorded as a result"
  fi
  pass "$tier sweep: Ctrl-C after $done_first points (exit 130), two resumes, $(rows "$out") rows, plots"
}
# (the analytical tier evaluates several 100,000 points a second with their records written, the
# simulation tier's 400-frame points take well under a second each: the interrupt comes as the
# first records appear)
interrupted_sweep analytical "$work/int_a" 400000 first --axis conv2.pe=1..128 --axis conv3.mmv=1,13 --axis clock_mhz=100..250
interrupted_sweep simulation "$work/int_s" 8 first --axis conv1.mmv=1,2,3,6,9,18 --axis conv2.pe=7,11,77 --frames 400 --jobs 2

# A record cut short by a crash: the next run cuts it off and goes on.
cut="$work/cut"
"$sim" sweep --config "$alexnet" --axis conv2.pe=7,11,77 --out "$cut" > /dev/null 2>&1
head -n 2 "$cut/points.jsonl" > "$cut/p" && head -c 40 "$cut/points.jsonl" >> "$cut/p" && mv "$cut/p" "$cut/points.jsonl"
if "$sim" sweep --config "$alexnet" --axis conv2.pe=7,11,77 --out "$cut" > /dev/null 2>&1 && [ "$(rows "$cut")" = 3 ] &&
   "$sim" sweep --config "$alexnet" --axis conv2.pe=7,11,77 --out "$cut" > /dev/null 2>&1; then
  pass "a record cut short: cut off, redone, later runs fine"
else
  fail "a record cut short poisoned the checkpoint"
fi

# Two sweeps into one directory: the second is refused while the first runs; the first is whole.
both="$work/both"
"$sim" sweep --config "$alexnet" --random 200000 --axis conv2.pe=1..128 --axis clock_mhz=100..250 --out "$both" > /dev/null 2>&1 &
first=$!
sleep 0.5
"$sim" sweep --config "$alexnet" --random 200000 --axis conv2.pe=1..128 --axis clock_mhz=100..250 --out "$both" > /dev/null 2> "$work/second.err"
second=$?
wait "$first"
firstcode=$?
if [ "$second" = 1 ] && grep -q "in use by another sweep" "$work/second.err" && [ "$firstcode" = 0 ] && [ "$(rows "$both")" = 200000 ]; then
  pass "two sweeps into one directory: the second refused, the first whole"
else
  fail "two sweeps into one directory: second exit $second ($(cat "$work/second.err")), first exit $firstcode, $(rows "$both") rows"
fi

# sweep-merge into one of its shards is refused and leaves the shard as it was.
for i in 0 1; do "$sim" sweep --config "$alexnet" --axis conv2.pe=7,11,77 --shard "$i/2" --out "$work/shard$i" > /dev/null 2>&1; done
before=$(md5sum "$work/shard0/points.jsonl")
"$sim" sweep-merge --out "$work/shard0" "$work/shard0" "$work/shard1" > /dev/null 2> "$work/merge.err"
code=$?
if [ "$code" = 2 ] && [ "$before" = "$(md5sum "$work/shard0/points.jsonl")" ]; then
  pass "sweep-merge into a shard: refused (exit 2), the shard untouched"
else
  fail "sweep-merge into a shard: exit $code: $(cat "$work/merge.err")"
fi

# --- 3. Paths that hold shell syntax ----------------------------------------------------------
odd="$work/o'dd \$(touch $work/pwned) \"x\"
y"
if "$sim" sweep --config "$alexnet" --axis conv2.pe=7,11,77 --out "$odd" --plot > /dev/null 2> "$work/odd.err" &&
   [ -s "$odd/pareto_lut.png" ] && [ ! -e "$work/pwned" ]; then
  pass "--plot into a directory named with quotes, \$() and a newline"
else
  fail "--plot into an odd directory: $(cat "$work/odd.err")"
fi
# The SLURM scripts: submit.sh run with a stand-in sbatch that runs each task in turn.
mkdir -p "$work/bin"
cat > "$work/bin/sbatch" <<'SB'
#!/bin/bash
# Stand-in sbatch: runs the script once per array task (or once), prints a job id.
array=""; script=""
for a in "$@"; do
  case "$a" in --array=*) array="${a#--array=}";; --*) ;; *) script="$a";; esac
done
if [ -n "$array" ]; then
  for t in $(seq "${array%-*}" "${array#*-}"); do SLURM_ARRAY_TASK_ID=$t bash "$script" > /dev/null 2>&1 || exit 1; done
else
  bash "$script" > /dev/null 2>&1 || exit 1
fi
echo 42
SB
chmod +x "$work/bin/sbatch"
slurmdir="$work/s'l \$(touch $work/pwned2) \"q\""
if "$sim" sweep --config "$alexnet" --axis conv2.pe=7,11,77 --out "$slurmdir" --slurm 2 > /dev/null 2> "$work/slurm.err" &&
   PATH="$work/bin:$PATH" bash "$slurmdir/slurm/submit.sh" > /dev/null 2>> "$work/slurm.err" &&
   [ "$(rows "$slurmdir")" = 3 ] && [ ! -e "$work/pwned2" ]; then
  pass "SLURM scripts for a directory named with quotes and \$(): run, merged, nothing injected"
else
  fail "SLURM scripts in an odd directory: $(cat "$work/slurm.err")"
fi

# --- 4. Reports -------------------------------------------------------------------------------
refuse "--report /dev/full" 1 --config "$tiny" --report /dev/full
cp "$tiny" "$work/cfg.yaml"
refuse "--report over the config" 2 --config "$work/cfg.yaml" --report "$work/cfg.yaml"
grep -q "^name: base_tiny" "$work/cfg.yaml" || fail "--report over the config changed the config"
start=$SECONDS
refuse "--report into a missing directory" 1 --config "$alexnet" --frames 40 --report /nonexistent/dir/r.json
[ -s "$work/out.txt" ] && fail "--report into a missing directory: the simulation ran before the check"
"$sim" --config "$tiny" --no-timing --report "$work/a.json" > "$work/a.txt" 2>&1
"$sim" --config "$tiny" --no-timing --report "$work/b.json" > "$work/b.txt" 2>&1
if cmp -s "$work/a.json" "$work/b.json" && cmp -s "$work/a.txt" "$work/b.txt"; then
  pass "--no-timing: two runs, byte-identical report and table"
else
  fail "--no-timing reports differ"
fi

# --- 5. fold and the other tools --------------------------------------------------------------
refuse "fold --target-fps inf" 2 fold --config "$alexnet" --target-fps inf --no-simulate
# A target beyond what the input stream allows: the closest folding is written, and exit 1.
"$sim" fold --config "$alexnet" --target-fps 5000 --no-simulate --out "$work/f.yaml" > /dev/null 2> "$work/fold.err"
code=$?
if [ "$code" = 1 ] && tail -1 "$work/fold.err" | grep -q "^sim fold: cannot reach 5000 frames/s" && [ -s "$work/f.yaml" ]; then
  pass "fold: a target beyond the input stream: the closest folding written, not reached (exit 1)"
else
  fail "fold --target-fps 5000: exit $code: $(tail -1 "$work/fold.err")"
fi
cp "$alexnet" "$work/alex.yaml"
refuse "fold --out over its config" 2 fold --config "$work/alex.yaml" --no-simulate --out "$work/alex.yaml"
refuse "fold --out into a missing directory" 1 fold --config "$alexnet" --out /nonexistent/dir/f.yaml
touch "$work/a_file"
refuse "sweep --out naming a file" 1 sweep --config "$alexnet" --axis conv2.pe=7 --out "$work/a_file"
tools="$(dirname "$sim")"
refuse_cmd "qnn-weights info /dev/zero" 1 "$tools/qnn-weights" info /dev/zero
refuse_cmd "qnn-weights info a directory" 1 "$tools/qnn-weights" info "$work"
cp "$tiny" "$work/tiny.yaml"
refuse_cmd "qnn-weights generate over its config" 2 "$tools/qnn-weights" generate --config "$work/tiny.yaml" --out "$work/tiny.yaml"
cmp -s "$tiny" "$work/tiny.yaml" || fail "qnn-weights generate changed its config"
refuse_cmd "rccm_lut_model --pe-simd 0" 2 "$tools/rccm_lut_model" --pe-simd 0,8
if [ -x "$tools/cosim_run" ]; then
  refuse_cmd "cosim_run --cycles -1" 2 "$tools/cosim_run" --block pe_array_2x8 --cycles -1
fi

echo
if [ "$failures" -gt 0 ]; then
  echo "hostile_test: $failures failure(s)"
  exit 1
fi
echo "hostile_test: all passed"
