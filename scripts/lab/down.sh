#!/usr/bin/env bash
# Stop every process the lab started (by recorded PID only) and delete the namespaces up.sh
# created. Safe to run repeatedly. Keeps $RUN/logs and $RUN/*.pcap; KEEP_RUN=0 wipes $RUN.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root

lab_stop_all
for n in $ALL_NODES; do
  ns="$(netns_of "$n")"
  # only namespaces this lab created (marker file written by up.sh)
  [ -f "$RUN/created-ns-$n" ] || continue
  if ns_exists "$ns"; then
    # refuse to delete a namespace that still has processes we did not start
    left="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
    if [ -n "${left// /}" ]; then log "netns $ns still has pids: $left (not started by lab_start?) - leaving it"; continue; fi
    ip netns del "$ns" && log "deleted netns $ns"
  fi
  rm -f "$RUN/created-ns-$n"
done
# /run/openbgpd (OpenBGPD's chroot dir) only if the lab created it and it is empty
if [ -f "$RUN/created-run-openbgpd" ]; then rmdir /run/openbgpd 2>/dev/null || true; rm -f "$RUN/created-run-openbgpd"; fi
rm -rf "$RUN"/state "$PIDS"
[ "${KEEP_RUN:-1}" = 0 ] && rm -rf "$RUN"
exit 0
