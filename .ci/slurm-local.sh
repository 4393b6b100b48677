#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests that submit docs/cluster's job array with sbatch:
# munged, slurmctld and slurmd (2 CPUs by default), every file in one folder, nothing in /etc touched.
#   .ci/slurm-local.sh start DIR [PORT]   prints `export SLURM_CONF=DIR/slurm.conf` once the node is idle
#   .ci/slurm-local.sh stop DIR           stops the three daemons and removes DIR
# ./test.sh sources this file and calls slurm_start / slurm_stop. PORT is slurmctld's (slurmd takes PORT+1); without
# it the first free pair from 6817 is taken, so several clusters (one per checkout) can run side by side.
# Needs Debian's slurm-wlm and munge. As root the daemons run as root (SlurmUser=SlurmdUser=root, jobs run as the
# submitting user); otherwise as the current user, which then can only run its own jobs (all the tests need).

slurm_free_port() {
  local port=$1
  while [ -n "$(ss -Htln "( sport = :$port or sport = :$((port + 1)) )" 2>/dev/null)" ]; do port=$((port + 2)); done
  echo "$port"
}

# slurm_start DIR [PORT] [CPUS]: returns 0 with SLURM_CONF exported once `sinfo` shows the node idle, else 1 with the
# daemons' last log lines on stderr (and nothing left running).
slurm_start() {
  local dir=$1 port=${2:-} cpus=${3:-2} user node i state
  [ -n "$port" ] || port=$(slurm_free_port 6817)
  user=$(id -un)
  node=$(hostname -s)
  mkdir -p "$dir/state" "$dir/spool"
  chmod 711 "$dir" # munged wants its socket's folder searchable by all, and writable only by its owner
  mungekey --create --keyfile="$dir/munge.key" >/dev/null 2>&1 || {
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none && chmod 600 "$dir/munge.key"; }
  munged --socket="$dir/munge.sock" --key-file="$dir/munge.key" --log-file="$dir/munged.log" \
    --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed" || { slurm_fail "$dir" "munged did not start"; return 1; }
  cat >"$dir/slurm.conf" <<EOF
# A one-node cluster for MilkCells' tests (.ci/slurm-local.sh); every path is in $dir.
ClusterName=milkcells-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Schedule every second (the defaults wait up to a minute) and cancel a job whose dependency can never be met, so
# sbatch --wait on a merge job returns when an array task fails instead of waiting for ever.
SchedulerParameters=sched_interval=1,bf_interval=1,sched_min_interval=100000,kill_invalid_depend
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=4096 State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -i || { slurm_fail "$dir" "slurmctld did not start"; return 1; }
  slurmd -N "$node" || { slurm_fail "$dir" "slurmd did not start"; return 1; }
  for i in $(seq 1 60); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && return 0
    sleep 0.5
  done
  slurm_fail "$dir" "the node did not become idle within 30 s (sinfo: '${state:-no answer}')"
  return 1
}

slurm_fail() {
  local dir=$1 log
  echo "slurm-local: $2; the daemons' logs end with:" >&2
  for log in munged slurmctld slurmd; do
    [ -f "$dir/$log.log" ] && tail -n 5 "$dir/$log.log" | sed "s/^/  $log: /" >&2
  done
  slurm_stop "$dir" keep
  unset SLURM_CONF
}

# slurm_stop DIR [keep]: stops slurmd, slurmctld and munged (by their pid files) and removes DIR unless 'keep'.
slurm_stop() {
  local dir=$1 daemon pid i
  for daemon in slurmd slurmctld munged; do
    [ -f "$dir/$daemon.pid" ] || continue
    pid=$(cat "$dir/$daemon.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || continue
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  [ "${2:-}" = keep ] || rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start) slurm_start "$(realpath -m "$2")" "${3:-}" && echo "export SLURM_CONF=$SLURM_CONF" ;;
    stop) slurm_stop "$(realpath -m "$2")" ;;
    *) echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2 ;;
  esac
fi
