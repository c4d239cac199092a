#!/usr/bin/env bash
# Stops the cluster .ci/slurm/start.sh started: cancels every job first (killing slurmstepd directly would orphan the
# jobs' processes), waits for them to end, then SIGTERMs slurmd and slurmctld by their pid files, and munged when
# start.sh started it. Safe to run when nothing runs.
set -uo pipefail
PREFIX="${MLNC_SLURM_PREFIX:-/tmp/mlnc-slurm}"
export SLURM_CONF="$PREFIX/etc/slurm.conf"
say() { echo "slurm: $*" >&2; }

if [ -f "$SLURM_CONF" ] && scontrol ping 2>/dev/null | grep -q 'is UP'; then
  jobs="$(squeue -h -o '%A' 2>/dev/null | sort -u)"
  if [ -n "$jobs" ]; then
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null || true
    for _ in $(seq 1 100); do
      [ -z "$(squeue -h -t RUNNING,COMPLETING,CONFIGURING 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
fi

stop_pid() {
  local name="$1" file="$2"
  [ -f "$file" ] || return 0
  local pid; pid="$(cat "$file")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { say "$name (pid $pid) did not stop on SIGTERM; sending SIGKILL"; kill -KILL "$pid"; }
  fi
  rm -f "$file"
}
stop_pid slurmd "$PREFIX/run/slurmd.pid"
stop_pid slurmctld "$PREFIX/run/slurmctld.pid"
if [ -f "$PREFIX/run/munged.ours" ]; then
  stop_pid munged /run/munge/munged.pid
  rm -f "$PREFIX/run/munged.ours"
fi
say "stopped"
