#!/usr/bin/env bash
# Build the lab topology (idempotent: tears down a previous lab first).
#
#          netns tsb-rtr                          netns tsb-n1 .. tsb-n4
#   +------------------------------+          +----------------------------+
#   | br0 198.18.1.1/24            |--veth----| eth0 198.18.1.11/24     n1 |
#   |     2001:db8:1::1/64         |--veth----| eth0 198.18.1.12/24     n2 |
#   | (ports p-n1 .. p-n4)         |--veth----| eth0 198.18.1.13/24     n3 |
#   | lo 198.18.0.1/32             |--veth----| eth0 198.18.1.14/24     n4 |
#   +------------------------------+          | (+ 2001:db8:1::1x/64)      |
#                                              | lo 198.18.0.1x/32          |
#                                              +----------------------------+
# Nothing is connected to the root namespace and no namespace has a default route, so nothing in
# the lab can reach any address outside it. IPv6 DAD is off so link-local addresses are usable at
# once (MP_REACH link-local next hops). MACs are fixed, so link-local addresses are too:
# rtr br0 fe80::ff:fe00:101, nX eth0 fe80::ff:fe00:11X.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

"$LAB/down.sh" >/dev/null 2>&1 || true
mkdir -p "$RUN" "$PIDS" "$RUN/logs"

t0=$(now_ms)
ns_setup() {
  local n="$1"
  ip netns add "$(netns_of "$n")"
  : >"$RUN/created-ns-$n"
  nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  nsx "$n" ip link set lo up
  nsx "$n" ip addr add "$(node_id "$n")/32" dev lo
}
ns_setup "$RTR"
nsx "$RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsx "$RTR" ip link add br0 type bridge stp_state 0 forward_delay 0
# fixed MACs (locally administered) -> fixed IPv6 link-local addresses -> reproducible captures
nsx "$RTR" ip link set br0 address 02:00:00:00:01:01
nsx "$RTR" ip addr add "$RTR_IP/24" dev br0
nsx "$RTR" ip -6 addr add "$RTR_IP6/64" dev br0 nodad
nsx "$RTR" ip link set br0 up

for n in $NODES; do
  ns_setup "$n"
  # veth pair created directly with both ends inside the namespaces
  ip link add eth0 netns "$(netns_of "$n")" address "02:00:00:00:01:1${n#n}" type veth \
    peer name "p-$n" netns "$(netns_of "$RTR")" address "02:00:00:00:02:1${n#n}"
  nsx "$RTR" ip link set "p-$n" master br0
  nsx "$RTR" ip link set "p-$n" up
  nsx "$n" ip addr add "$(node_ip "$n")/24" dev eth0
  nsx "$n" ip -6 addr add "$(node_ip6 "$n")/64" dev eth0 nodad
  nsx "$n" ip link set eth0 up
done

# sanity: bounded pings inside the lab only
for n in $NODES; do
  wait_for "ping rtr->$n" 5 nsx "$RTR" ping -c1 -W1 "$(node_ip "$n")" || die "no IPv4 connectivity rtr->$n"
  wait_for "ping6 rtr->$n" 5 nsx "$RTR" ping -6 -c1 -W1 "$(node_ip6 "$n")" || die "no IPv6 connectivity rtr->$n"
done
log "lab up in $(( $(now_ms) - t0 )) ms: namespaces: $(ip netns list | awk '{print $1}' | grep "^$NSP" | tr '\n' ' ')"
