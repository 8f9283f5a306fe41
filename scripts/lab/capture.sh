#!/usr/bin/env bash
# Capture real BGP messages from FRR, BIRD, GoBGP, ExaBGP and OpenBGPD talking to each other in
# the lab namespaces, and write every BGP PDU into test/vectors/captured/<pair>-<scenario>.txt,
# one line per PDU: `<src-ip> <message-type-name> <hex>`.
#
#   scripts/lab/capture.sh [SCENARIO ...]    default: all scenarios (see README.md), < 3 min
#
# Each scenario: build the topology (up.sh), start tshark on br0 in netns tsb-rtr
# (`tcp port 179`), start the daemons with the configs in conf/SCENARIO/, wait for the sessions,
# run the scenario's actions, stop the daemons (their last NOTIFICATIONs are captured too), stop
# tshark, then extract-pdus.ts splits the capture into one file per peer pair.
# Env: CAPTURE_OUT (default <repo>/test/vectors/captured), LAB_RUN (default /tmp/tsbgp-lab),
#      KEEP=1 leaves the last scenario's lab running.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root
REPO="$(cd "$LAB/../.." && pwd)"
OUT="${CAPTURE_OUT:-$REPO/test/vectors/captured}"
CONF="$LAB/conf"
mkdir -p "$OUT" "$RUN"

cleanup() {
  local rc=$?
  lab_stop rtr-tshark 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] || "$LAB/down.sh" >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT

vt()    { "$LAB/frr.sh" vtysh rtr "$@"; }
vtconf() { # vtconf 'line' ... : configuration lines under "router bgp 65000"
  local args=(-c 'configure terminal' -c 'router bgp 65000') l
  for l in "$@"; do args+=(-c "$l"); done
  vt "${args[@]}" >/dev/null
}
frr_established() { vt -c "show bgp neighbors $1 json" 2>/dev/null | grep -q '"bgpState":"Established"'; }
bird_established() { "$LAB/bird.sh" cli "$1" show protocols "$2" 2>/dev/null | grep -q Established; }
frr_has_route() { vt -c "show bgp $1 json" 2>/dev/null | grep -q '"paths"'; }

# wait_all DESC TIMEOUT CHECK ARG... : wait until CHECK succeeds for every ARG (bounded)
wait_all() {
  local desc="$1" timeout="$2" check="$3" a rc=0; shift 3
  for a in "$@"; do wait_for "$desc $a" "$timeout" "$check" "$a" || rc=1; done
  return "$rc"
}

capture_start() {
  PCAP="$RUN/$1.pcapng"
  rm -f "$PCAP"
  # -a duration bounds the capture even if it is never stopped; lab_stop ends it earlier
  lab_start rtr-tshark rtr tshark -q -n -i br0 -f 'tcp port 179' -w "$PCAP" -a duration:90
  wait_for "tshark capturing" 10 grep -q "Capturing on" "$RUN/logs/rtr-tshark.log" || die "tshark did not start"
}

# capture_end IP=NAME ... : stop everything, then split the capture into files
capture_end() {
  sleep 0.5
  local f
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    case "$(basename "$f" .pid)" in rtr-tshark) ;; *) lab_stop "$(basename "$f" .pid)" ;; esac
  done
  sleep 0.5
  lab_stop rtr-tshark
  (cd "$REPO" && node --import tsx "$LAB/extract-pdus.ts" "$PCAP" "$OUT" "$@") || log "extract reported problems for $PCAP"
}

gobgp_routes_ebgp() {
  local g=("$LAB/gobgp.sh" cli n2)
  "${g[@]}" global rib add -a ipv4 203.0.113.32/28 origin egp med 10 community 65002:1,no-advertise \
    large-community 65002:1:1,65002:2:2 aspath "65010 {65011,65012}"
  "${g[@]}" global rib add -a ipv4 203.0.113.40/29 origin igp
}

# ---------------------------------------------------------------------------------------------
scenario_ebgp() {
  local C="$CONF/ebgp"
  "$LAB/up.sh"
  capture_start ebgp
  "$LAB/frr.sh" start rtr "$C/rtr-frr"
  "$LAB/bird.sh" start n1 "$C/n1-bird.conf"
  "$LAB/gobgp.sh" start n2 "$C/n2-gobgp.toml"
  gobgp_routes_ebgp
  "$LAB/exabgp.sh" start n3 "$C/n3-exabgp.conf"
  "$LAB/openbgpd.sh" start n4 "$C/n4-openbgpd.conf"
  wait_all "FRR Established with" 20 frr_established 198.18.1.11 198.18.1.12 198.18.1.13 198.18.1.14 || true
  wait_all "FRR has route" 10 frr_has_route 203.0.113.16/28 203.0.113.32/28 203.0.113.48/28 203.0.113.64/28 || true
  sleep 1
  log "ebgp: route refresh in both directions"
  vt -c 'clear bgp 198.18.1.11 soft in' >/dev/null           # FRR -> BIRD ROUTE-REFRESH; BIRD: BoRR..EoRR
  "$LAB/bird.sh" cli n1 reload in rtr >/dev/null              # BIRD -> FRR ROUTE-REFRESH; FRR: BoRR..EoRR
  "$LAB/gobgp.sh" cli n2 neighbor 198.18.1.1 softresetin      # GoBGP -> FRR ROUTE-REFRESH
  vt -c 'clear bgp 198.18.1.13 soft in' >/dev/null           # FRR -> ExaBGP ROUTE-REFRESH
  "$LAB/openbgpd.sh" cli n4 neighbor 198.18.1.1 refresh >/dev/null   # OpenBGPD -> FRR ROUTE-REFRESH
  sleep 1.5
  log "ebgp: NOTIFICATIONs"
  vtconf 'neighbor 198.18.1.11 shutdown message tsbgp lab: planned maintenance'   # Cease/2 + text
  vt -c 'clear bgp 198.18.1.12' >/dev/null                                         # Cease/4
  vtconf 'no neighbor 198.18.1.13'                                                 # Cease/3
  "$LAB/openbgpd.sh" cli n4 neighbor 198.18.1.1 down "openbgpd: going down" >/dev/null  # Cease/2 + text
  sleep 2
  capture_end 198.18.1.11=frr-bird-ebgp 198.18.1.12=frr-gobgp-ebgp 198.18.1.13=frr-exabgp-ebgp 198.18.1.14=frr-openbgpd-ebgp
}

# ---------------------------------------------------------------------------------------------
ALL_SCENARIOS="ebgp"
t0=$(now_ms)
for s in ${*:-$ALL_SCENARIOS}; do
  declare -F "scenario_$s" >/dev/null || die "unknown scenario $s (known: $ALL_SCENARIOS)"
  log "=== scenario $s"
  "scenario_$s"
done
log "capture done in $(( ($(now_ms) - t0) / 1000 )) s; files in $OUT"
