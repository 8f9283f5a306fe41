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
frr_has_route() { vt -c "show bgp $1 json" 2>/dev/null | grep -q '"paths"'; }   # $1: "ipv4 unicast P" / "ipv6 unicast P"
frr_not_established() { ! frr_established "$1"; }

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
    large-community 65002:1:1,65002:2:2 aspath "4200000010 65010 {65011,65012}"
  "${g[@]}" global rib add -a ipv4 203.0.113.40/29 origin igp aspath 4200000011
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
  local p
  for p in 203.0.113.16/28 203.0.113.32/28 203.0.113.48/28 203.0.113.64/28; do
    wait_for "FRR has route $p" 10 frr_has_route "ipv4 unicast $p" || true
  done
  sleep 1
  log "ebgp: route refresh in both directions"
  vt -c 'clear bgp 198.18.1.11 soft in' >/dev/null           # FRR -> BIRD ROUTE-REFRESH; BIRD: BoRR..EoRR
  "$LAB/bird.sh" cli n1 reload in rtr >/dev/null              # BIRD -> FRR ROUTE-REFRESH; FRR: BoRR..EoRR
  vt -c 'clear bgp 198.18.1.12 soft in' >/dev/null           # FRR -> GoBGP ROUTE-REFRESH
  "$LAB/openbgpd.sh" cli n4 neighbor 198.18.1.1 refresh >/dev/null   # OpenBGPD -> FRR ROUTE-REFRESH; FRR: BoRR..EoRR
  sleep 1
  # last: ExaBGP 4.2 closes the connection (TCP FIN, no NOTIFICATION) when it receives a
  # ROUTE-REFRESH, then reconnects
  vt -c 'clear bgp 198.18.1.13 soft in' >/dev/null           # FRR -> ExaBGP ROUTE-REFRESH
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
scenario_ipv6() {
  local C="$CONF/ipv6"
  "$LAB/up.sh"
  capture_start ipv6
  "$LAB/frr.sh" start rtr "$C/rtr-frr"
  "$LAB/bird.sh" start n1 "$C/n1-bird.conf"
  "$LAB/gobgp.sh" start n2 "$C/n2-gobgp.toml"
  "$LAB/gobgp.sh" cli n2 global rib add -a ipv6 2001:db8:102::/48 origin igp med 6 community 65002:6
  "$LAB/gobgp.sh" cli n2 global rib add -a ipv6 2001:db8:102:1::/64 origin igp
  "$LAB/exabgp.sh" start n3 "$C/n3-exabgp.conf"
  wait_all "FRR Established with" 20 frr_established 2001:db8:1::11 2001:db8:1::12 2001:db8:1::13 || true
  local p
  for p in "ipv6 unicast 2001:db8:101::/48" "ipv6 unicast 2001:db8:102::/48" "ipv6 unicast 2001:db8:103::/48" "ipv4 unicast 203.0.113.16/28"; do
    wait_for "FRR has route $p" 10 frr_has_route "$p" || true
  done
  sleep 1
  log "ipv6: withdrawals (MP_UNREACH_NLRI) and route refresh"
  "$LAB/gobgp.sh" cli n2 global rib del -a ipv6 2001:db8:102::/48
  "$LAB/bird.sh" cli n1 disable S6 >/dev/null                 # IPv6 withdraw from BIRD
  "$LAB/bird.sh" cli n1 disable S4 >/dev/null                 # IPv4 withdraw over the IPv6 session
  "$LAB/exabgp.sh" cli n3 "withdraw route 2001:db8:103:1::/64 next-hop 2001:db8:1::13" >/dev/null || true
  sleep 1
  vt -c 'clear bgp 2001:db8:1::11 soft in' >/dev/null         # ROUTE-REFRESH for IPv4 + IPv6
  vt -c 'clear bgp 2001:db8:1::12 soft in' >/dev/null
  sleep 1.5
  capture_end 2001:db8:1::11=frr-bird-ipv6 2001:db8:1::12=frr-gobgp-ipv6 2001:db8:1::13=frr-exabgp-ipv6
}

# ---------------------------------------------------------------------------------------------
scenario_ibgp() {
  local C="$CONF/ibgp"
  "$LAB/up.sh"
  capture_start ibgp
  "$LAB/frr.sh" start rtr "$C/rtr-frr"
  "$LAB/bird.sh" start n1 "$C/n1-bird.conf"
  "$LAB/gobgp.sh" start n2 "$C/n2-gobgp.toml"
  "$LAB/gobgp.sh" cli n2 global rib add -a ipv4 203.0.113.5/32 origin igp local-pref 150
  "$LAB/gobgp.sh" cli n2 global rib add -a ipv4 203.0.113.32/28 origin igp local-pref 120 community 65000:32
  "$LAB/exabgp.sh" start n3 "$C/n3-exabgp.conf"
  "$LAB/openbgpd.sh" start n4 "$C/n4-openbgpd.conf"
  wait_all "FRR Established with" 20 frr_established 198.18.1.11 198.18.1.12 198.18.1.13 198.18.1.14 || true
  local p
  for p in 203.0.113.16/28 203.0.113.32/28 203.0.113.48/28 203.0.113.64/28; do
    wait_for "FRR has route $p" 10 frr_has_route "ipv4 unicast $p" || true
  done
  sleep 1.5
  log "ibgp: withdraw one of the three 203.0.113.5/32 paths (ADD-PATH withdrawals)"
  "$LAB/gobgp.sh" cli n2 global rib del -a ipv4 203.0.113.5/32
  sleep 1.5
  capture_end 198.18.1.11=frr-bird-ibgp 198.18.1.12=frr-gobgp-ibgp 198.18.1.13=frr-exabgp-ibgp 198.18.1.14=frr-openbgpd-ibgp
}

# ---------------------------------------------------------------------------------------------
scenario_errors() {
  local C="$CONF/errors"
  "$LAB/up.sh"
  capture_start errors
  "$LAB/frr.sh" start rtr "$C/rtr-frr"
  "$LAB/bird.sh" start n1 "$C/n1-bird.conf"
  "$LAB/gobgp.sh" start n2 "$C/n2-gobgp.toml"
  "$LAB/exabgp.sh" start n3 "$C/n3-exabgp.conf"
  "$LAB/openbgpd.sh" start n4 "$C/n4-openbgpd.conf"
  wait_for "FRR Established with GoBGP" 20 frr_established 198.18.1.12 || true
  sleep 1.5
  log "errors: freezing gobgpd (SIGSTOP) until FRR's 3 s hold timer expires"
  lab_signal n2-gobgpd STOP
  wait_for "FRR drops GoBGP" 8 frr_not_established 198.18.1.12 || true
  sleep 0.3
  lab_signal n2-gobgpd CONT
  sleep 1.5
  capture_end 198.18.1.11=frr-bird-bad-peer-as 198.18.1.12=frr-gobgp-hold-timer 198.18.1.13=frr-exabgp-bad-peer-as 198.18.1.14=frr-openbgpd-bad-bgp-id
}

# ---------------------------------------------------------------------------------------------
bird_rtr() { "$LAB/bird.sh" cli rtr "$@"; }
scenario_bird_rtr() {
  local C="$CONF/bird-rtr"
  "$LAB/up.sh"
  capture_start bird-rtr
  "$LAB/bird.sh" start rtr "$C/rtr-bird.conf"
  "$LAB/gobgp.sh" start n2 "$CONF/ebgp/n2-gobgp.toml"
  gobgp_routes_ebgp
  "$LAB/exabgp.sh" start n3 "$CONF/ebgp/n3-exabgp.conf"
  "$LAB/openbgpd.sh" start n4 "$CONF/ebgp/n4-openbgpd.conf"
  local n
  for n in n2 n3 n4; do wait_for "BIRD Established with $n" 20 bird_established rtr "$n" || true; done
  sleep 1.5
  log "bird-rtr: route refresh, then NOTIFICATIONs"
  bird_rtr reload in n2 >/dev/null                            # BIRD -> GoBGP ROUTE-REFRESH
  bird_rtr reload in n4 >/dev/null                            # BIRD -> OpenBGPD ROUTE-REFRESH; BoRR..EoRR
  "$LAB/openbgpd.sh" cli n4 neighbor 198.18.1.1 refresh >/dev/null   # OpenBGPD -> BIRD; BIRD: BoRR..EoRR
  sleep 1.5
  bird_rtr disable n2 '"bird: maintenance window"' >/dev/null  # Cease/2 + shutdown communication
  bird_rtr restart n4 >/dev/null                              # Cease/4
  bird_rtr disable n3 >/dev/null                              # Cease/2 without text
  sleep 2
  capture_end 198.18.1.12=bird-gobgp-ebgp 198.18.1.13=bird-exabgp-ebgp 198.18.1.14=bird-openbgpd-ebgp
}

# ---------------------------------------------------------------------------------------------
ALL_SCENARIOS="ebgp ipv6 ibgp errors bird_rtr"
t0=$(now_ms)
for s in ${*:-$ALL_SCENARIOS}; do
  declare -F "scenario_$s" >/dev/null || die "unknown scenario $s (known: $ALL_SCENARIOS)"
  log "=== scenario $s"
  "scenario_$s"
done
log "capture done in $(( ($(now_ms) - t0) / 1000 )) s; files in $OUT"
