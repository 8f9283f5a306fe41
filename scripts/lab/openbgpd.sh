#!/usr/bin/env bash
# OpenBGPD 7.7 (portable) inside a lab netns, foreground (-d), control socket under $RUN/state.
#   openbgpd.sh start NODE CONF   (CONF must say: socket $ctlsock)
#   openbgpd.sh stop  NODE
#   openbgpd.sh cli   NODE show summary | neighbor 198.18.1.1 down "text"
# bgpd chroots its children into the home of user _openbgpd (/run/openbgpd); systemd's unit
# creates that dir, so without systemd the lab creates it (and down.sh removes it again).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
usage() { sed -n '2,5p' "$0" >&2; exit 2; }
cmd="${1:-}"; node="${2:-}"; [ -n "$cmd" ] && [ -n "$node" ] || usage; shift 2
S="$RUN/state/openbgpd-$node.sock"
case "$cmd" in
start)
  need_root; ns_exists "$(netns_of "$node")" || die "netns of $node missing (run up.sh)"
  C="${1:?config file}"
  mkdir -p "$RUN/state"; rm -f "$S" "$S.restricted"
  [ -d /run/openbgpd ] || { mkdir -p /run/openbgpd; : >"$RUN/created-run-openbgpd"; }
  bgpd -n -D "ctlsock=\"$S\"" -f "$C" >/dev/null || die "config check failed: $C"
  t0=$(now_ms)
  lab_start "$node-openbgpd" "$node" bgpd -d -D "ctlsock=\"$S\"" -f "$C"
  wait_for "bgpctl" 10 bgpctl -s "$S" show summary || die "bgpd did not start, see $RUN/logs/$node-openbgpd.log"
  log "OpenBGPD up in $node in $(( $(now_ms) - t0 )) ms"
  ;;
stop) lab_stop "$node-openbgpd"; rm -f "$S" "$S.restricted" ;;
cli|bgpctl) exec timeout 10 bgpctl -s "$S" "$@" ;;
*) usage ;;
esac
