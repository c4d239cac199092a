#!/usr/bin/env bash
# Starts a real single-node Slurm cluster on this machine for the grid tests (and for trying the Slurm executor):
# installs slurm-wlm and munge with apt when they are missing, writes slurm.conf under one prefix, starts munged,
# slurmctld and slurmd (in that order, without systemd) and waits until the node is idle. Idempotent: a cluster that
# already answers is left as it is. Stop it with .ci/slurm/stop.sh.
#
# Prefix: $MLNC_SLURM_PREFIX (default /tmp/mlnc-slurm): etc/slurm.conf, state/, spool/, log/, run/ (pid files).
# Clients find the cluster with SLURM_CONF=$PREFIX/etc/slurm.conf (printed at the end).
set -euo pipefail
PREFIX="${MLNC_SLURM_PREFIX:-/tmp/mlnc-slurm}"
CONF="$PREFIX/etc/slurm.conf"
export SLURM_CONF="$CONF"
say() { echo "slurm: $*" >&2; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || { say "slurm-wlm and munge are not installed, and installing them needs root"; exit 1; }
  say "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  # The packages' postinst cannot start the daemons without systemd; that is harmless, the daemons start below.
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends slurm-wlm munge >/dev/null || true
  command -v slurmctld >/dev/null && command -v munged >/dev/null || { say "installing slurm-wlm and munge failed"; exit 1; }
fi

if [ -f "$CONF" ] && scontrol ping 2>/dev/null | grep -q 'is UP' && sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
  say "already running (SLURM_CONF=$CONF)"
  echo "SLURM_CONF=$CONF"
  exit 0
fi

mkdir -p "$PREFIX"/{etc,state,spool,log,run}

# 1. munged, as the munge user, with a key made by mungekey.
if ! pgrep -x munged >/dev/null; then
  mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
  chmod 0700 /etc/munge /var/lib/munge /var/log/munge
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  touch "$PREFIX/run/munged.ours"
fi

# 2. slurm.conf: the node's CPUs, sockets, cores and threads from slurmd -C; RealMemory below what it reports (a node
# announcing less memory than configured is drained).
HOST="$(hostname -s)"
HW="$(slurmd -C | head -1)"
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$HW"; }
MEM="$(field RealMemory)"
cat >"$CONF" <<CONF
# written by mlnc .ci/slurm/start.sh: a single-node test cluster
ClusterName=mlnc
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$PREFIX/state
SlurmdSpoolDir=$PREFIX/spool
SlurmctldPidFile=$PREFIX/run/slurmctld.pid
SlurmdPidFile=$PREFIX/run/slurmd.pid
SlurmctldLogFile=$PREFIX/log/slurmctld.log
SlurmdLogFile=$PREFIX/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$PREFIX/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=300
KillWait=5
MpiDefault=none
NodeName=$HOST CPUs=$(field CPUs) Boards=$(field Boards) SocketsPerBoard=$(field SocketsPerBoard) CoresPerSocket=$(field CoresPerSocket) ThreadsPerCore=$(field ThreadsPerCore) RealMemory=$((MEM * 9 / 10)) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# 3. slurmctld, then slurmd (each daemonises; their pid files are how stop.sh finds them).
slurmctld -f "$CONF"
slurmd -f "$CONF" -N "$HOST"

for _ in $(seq 1 100); do
  state="$(sinfo -h -o '%T' 2>/dev/null | head -1 || true)"
  case "$state" in
    idle|mixed|allocated) say "node $HOST is $state (SLURM_CONF=$CONF)"; echo "SLURM_CONF=$CONF"; exit 0 ;;
    drain*|down*) scontrol update NodeName="$HOST" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 0.3
done
say "the node did not become idle; logs in $PREFIX/log"
tail -5 "$PREFIX/log/slurmctld.log" "$PREFIX/log/slurmd.log" >&2 || true
exit 1
