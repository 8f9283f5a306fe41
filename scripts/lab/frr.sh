#!/usr/bin/env bash
# FRR 8.4 (zebra + bgpd) inside a lab netns, in the foreground (no -d), with a private state dir
# $RUN/state/frr-NODE (zserv socket, vty sockets, pid files).
#   frr.sh start NODE CONFDIR   CONFDIR holds zebra.conf and bgpd.conf
#   frr.sh stop  NODE
#   frr.sh vtysh NODE -c 'show bgp summary' ...
# The daemons run as user frr (FRR refuses root unless root is in group frrvty).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
usage() { sed -n '2,7p' "$0" >&2; exit 2; }
cmd="${1:-}"; node="${2:-}"; [ -n "$cmd" ] && [ -n "$node" ] || usage; shift 2
D="$RUN/state/frr-$node"
case "$cmd" in
start)
  need_root; ns_exists "$(netns_of "$node")" || die "netns of $node missing (run up.sh)"
  C="${1:?config dir}"
  mkdir -p "$D"; rm -f "$D"/*.vty "$D"/*.api "$D"/*.sock "$D"/*.pid
  chown frr:frr "$D"
  common=(-z "$D/zserv.api" --vty_socket "$D" -P 0 --log stdout --log-level info)
  t0=$(now_ms)
  lab_start "$node-zebra" "$node" "$FRR_BIN/zebra" -f "$C/zebra.conf" -i "$D/zebra.pid" "${common[@]}"
  wait_for "zebra zserv socket" 10 test -S "$D/zserv.api" || die "zebra did not start, see $RUN/logs/$node-zebra.log"
  lab_start "$node-bgpd" "$node" "$FRR_BIN/bgpd" -f "$C/bgpd.conf" -i "$D/bgpd.pid" "${common[@]}"
  wait_for "bgpd vty socket" 10 test -S "$D/bgpd.vty" || die "bgpd did not start, see $RUN/logs/$node-bgpd.log"
  wait_for "vtysh answers" 10 vtysh --vty_socket "$D" -c 'show bgp summary' || die "vtysh cannot reach bgpd"
  log "FRR up in $node in $(( $(now_ms) - t0 )) ms"
  ;;
stop)  lab_stop "$node-bgpd"; lab_stop "$node-zebra"; rm -rf "$D" ;;
vtysh|cli) exec vtysh --vty_socket "$D" "$@" ;;
*) usage ;;
esac
