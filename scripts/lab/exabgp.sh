#!/usr/bin/env bash
# ExaBGP 4.2 inside a lab netns, foreground, as root, CLI over named pipes in a private root dir.
#   exabgp.sh start NODE CONF
#   exabgp.sh stop  NODE
#   exabgp.sh cli   NODE show neighbor summary | "withdraw route 203.0.113.5/32 next-hop self"
# ExaBGP looks for its pipes <pipename>.in/.out in /run/exabgp/, /run/, ... and then in
# <root>/run/ ; the lab uses a lab-unique pipename (tsb-exa-NODE) and --root $RUN/state/exabgp-NODE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
usage() { sed -n '2,7p' "$0" >&2; exit 2; }
cmd="${1:-}"; node="${2:-}"; [ -n "$cmd" ] && [ -n "$node" ] || usage; shift 2
ER="$RUN/state/exabgp-$node"; PIPE="tsb-exa-$node"
EXA_ENV=(exabgp_daemon_user=root exabgp_daemon_drop=false exabgp_daemon_daemonize=false
         exabgp_log_destination=stdout exabgp_api_cli=true exabgp_api_pipename="$PIPE")
case "$cmd" in
start)
  need_root; ns_exists "$(netns_of "$node")" || die "netns of $node missing (run up.sh)"
  C="${1:?config file}"
  mkdir -p "$ER/run"; rm -f "$ER/run/$PIPE.in" "$ER/run/$PIPE.out"
  mkfifo -m 600 "$ER/run/$PIPE.in" "$ER/run/$PIPE.out"
  # --test re-encodes every static route and compares the text; with "next-hop self" plus
  # attributes that comparison fails although the config is fine, so a failure is only a warning
  env "${EXA_ENV[@]}" exabgp --root "$ER" --test "$C" >"$RUN/logs/$node-exabgp-test.log" 2>&1 \
    || log "warning: exabgp --test did not pass for $C (see $RUN/logs/$node-exabgp-test.log)"
  t0=$(now_ms)
  lab_start "$node-exabgp" "$node" env "${EXA_ENV[@]}" exabgp --root "$ER" "$C"
  wait_for "exabgp cli" 15 sh -c "timeout 3 env exabgp_api_pipename=$PIPE exabgpcli --root '$ER' version | grep -q exabgp" \
    || die "exabgp did not start, see $RUN/logs/$node-exabgp.log"
  log "ExaBGP up in $node in $(( $(now_ms) - t0 )) ms"
  ;;
stop) lab_stop "$node-exabgp"; rm -rf "$ER" ;;
cli) exec timeout 10 env exabgp_api_pipename="$PIPE" exabgpcli --root "$ER" "$@" ;;
*) usage ;;
esac
