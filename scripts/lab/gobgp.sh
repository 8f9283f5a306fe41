#!/usr/bin/env bash
# GoBGP 3.10 (gobgpd) inside a lab netns, foreground, gRPC API on a unix socket under $RUN/state
# (no TCP API port, no pprof listener).
#   gobgp.sh start NODE CONF.toml
#   gobgp.sh stop  NODE
#   gobgp.sh cli   NODE neighbor | global rib add -a ipv4 203.0.113.32/28 origin igp
set -euo pipefail
. "$(dirname "$0")/lib.sh"
usage() { sed -n '2,6p' "$0" >&2; exit 2; }
cmd="${1:-}"; node="${2:-}"; [ -n "$cmd" ] && [ -n "$node" ] || usage; shift 2
S="$RUN/state/gobgp-$node.sock"
case "$cmd" in
start)
  need_root; ns_exists "$(netns_of "$node")" || die "netns of $node missing (run up.sh)"
  C="${1:?config file}"
  mkdir -p "$RUN/state"; rm -f "$S"
  gobgpd -d -f "$C" -t toml >/dev/null || die "config check failed: $C"
  t0=$(now_ms)
  lab_start "$node-gobgpd" "$node" gobgpd -f "$C" -t toml -p -l info --pprof-disable --api-hosts "unix://$S"
  wait_for "gobgpd api" 10 gobgp --target "unix://$S" global || die "gobgpd did not start, see $RUN/logs/$node-gobgpd.log"
  log "GoBGP up in $node in $(( $(now_ms) - t0 )) ms"
  ;;
stop) lab_stop "$node-gobgpd"; rm -f "$S" ;;
cli) exec timeout 10 gobgp --target "unix://$S" "$@" ;;
*) usage ;;
esac
