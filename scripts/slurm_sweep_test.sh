#!/usr/bin/env bash
# Integration test of `sim sweep` on a real single-node SLURM (Debian's slurm-wlm: slurmctld +
# slurmd, with munge): a small AlexNet study in the simulation tier is split into 3 shards by
# `sim sweep --slurm 3`, submitted as a job array with a merge job after it, and the merged
# results must equal those of the same sweep run directly. Installs slurm-wlm and munge when
# they are missing; when they cannot be installed or started here (no root, no apt), says so
# and exits 0: the sharded-and-merged == unsharded check itself always runs in ctest
# (SweepRun.ShardedAndMergedEqualsUnsharded).
#   bash scripts/slurm_sweep_test.sh [path/to/sim]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sim="${1:-$root/build/sim}"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

skip() { echo "slurm_sweep_test: SKIPPED: $*"; exit 0; }
[ -x "$sim" ] || { echo "slurm_sweep_test: no sim binary at $sim (build first)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root to run munged, slurmctld and slurmd"
bash "$root/scripts/ensure_packages.sh" slurm-wlm munge || skip "slurm-wlm / munge cannot be installed here"

work="$(mktemp -d /tmp/qsim_slurm.XXXXXX)"
cleanup() {
  pkill -f "slurmd -f $work" 2>/dev/null || true
  pkill -f "slurmctld -f $work" 2>/dev/null || true
  for _ in $(seq 1 20); do
    pgrep -f "slurm(ctl)?d -f $work" >/dev/null || break
    sleep 0.5
  done
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

# munge: one daemon per machine; start it unless it runs.
if ! pgrep -x munged >/dev/null; then
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
  [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  runuser -u munge -- munged --force 2>/dev/null || munged --force || skip "munged does not start"
fi

host="$(hostname)"
mkdir -p "$work/spool" "$work/state"
cat > "$work/slurm.conf" <<CONF
ClusterName=qsim
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmdSpoolDir=$work/spool
StateSaveLocation=$work/state
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=qsim Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" || skip "slurmctld does not start (see $work/slurmctld.log)"
slurmd -f "$SLURM_CONF" || skip "slurmd does not start (see $work/slurmd.log)"
for _ in $(seq 1 30); do
  sinfo -h -o %t 2>/dev/null | grep -qE '^idle' && break
  sleep 1
done
sinfo -h -o %t | grep -qE '^idle' || skip "the SLURM node did not become idle: $(sinfo 2>&1 | tail -1)"

axes=(--axis conv2.pe=7,11,77 --axis conv4.reuse=1,2)
study=(--config "$root/configs/alexnet_pruned40.yaml" "${axes[@]}" --tier simulation --frames 1 --jobs 1)
"$sim" sweep "${study[@]}" --out "$work/cluster" --slurm 3
bash "$work/cluster/slurm/submit.sh" > "$work/jobs.txt"
echo "slurm_sweep_test: submitted jobs $(tr '\n' ' ' < "$work/jobs.txt")"
for _ in $(seq 1 300); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  # A merge that can never run (a shard failed) will not leave the queue by itself.
  squeue -h -o %r 2>/dev/null | grep -q DependencyNeverSatisfied && break
  sleep 1
done
show_logs() { for f in "$work"/cluster/slurm/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 5 "$f" >&2; }; done; }
[ -z "$(squeue -h)" ] || {
  echo "slurm_sweep_test: FAILED: jobs still queued after 300 s:" >&2
  squeue >&2
  show_logs
  exit 1
}
[ -f "$work/cluster/results.csv" ] || {
  echo "slurm_sweep_test: FAILED: the merge job wrote no results; logs:" >&2
  show_logs
  exit 1
}
"$sim" sweep "${study[@]}" --out "$work/direct" > /dev/null
if cmp -s "$work/cluster/results.csv" "$work/direct/results.csv"; then
  echo "slurm_sweep_test: PASSED: $(($(wc -l < "$work/direct/results.csv") - 2)) points, 3 SLURM array tasks merged = one direct run"
else
  echo "slurm_sweep_test: FAILED: merged results differ from the direct run" >&2
  diff "$work/cluster/results.csv" "$work/direct/results.csv" >&2 || true
  exit 1
fi
