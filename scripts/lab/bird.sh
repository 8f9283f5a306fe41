#!/usr/bin/env bash
# BIRD 2.0 inside a lab netns, foreground (-f), control socket + pid file under $RUN/state.
#   bird.sh start NODE CONF
#   bird.sh stop  NODE
#   bird.sh cli   NODE show protocols all ...
set -euo pipefail
. "$(dirname "$0")/lib.sh"
usage() { sed -n '2,5p' "$0" >&2; exit 2; }
cmd="${1:-}"; node="${2:-}"; [ -n "$cmd" ] && [ -n "$node" ] || usage; shift 2
S="$RUN/state/bird-$node.ctl"
case "$cmd" in
start)
  need_root; ns_exists "$(netns_of "$node")" || die "netns of $node missing (run up.sh)"
  C="${1:?config file}"
  mkdir -p "$RUN/state"; rm -f "$S"
  bird -p -c "$C" || die "config check failed: $C"
  t0=$(now_ms)
  lab_start "$node-bird" "$node" bird -f -c "$C" -s "$S" -P "$RUN/state/bird-$node.pid"
  wait_for "bird control socket" 10 sh -c "birdc -s '$S' show status | grep -q 'Daemon is up'" || die "bird did not start, see $RUN/logs/$node-bird.log"
  log "BIRD up in $node in $(( $(now_ms) - t0 )) ms"
  ;;
stop) lab_stop "$node-bird"; rm -f "$S" "$RUN/state/bird-$node.pid" ;;
cli|birdc) exec birdc -s "$S" "$@" ;;
*) usage ;;
esac
