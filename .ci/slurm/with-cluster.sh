#!/usr/bin/env bash
# Runs a command with the Slurm test cluster up: starts it (installing slurm-wlm and munge when missing), exports
# SLURM_CONF, runs the command, and stops the cluster afterwards, also when the command fails or is interrupted.
# Exit status: the command's. Usage: .ci/slurm/with-cluster.sh npm test
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export MLNC_SLURM_PREFIX="${MLNC_SLURM_PREFIX:-/tmp/mlnc-slurm}"
export SLURM_CONF="$MLNC_SLURM_PREFIX/etc/slurm.conf"
trap 'bash "$here/stop.sh"' EXIT
bash "$here/start.sh" >/dev/null || exit 1
"$@"
