#!/usr/bin/env bash
# Independent decoder (copied from the shared lab): wrap raw protocol bytes (hex) into a pcap
# with text2pcap and let tshark (Wireshark 4.0 dissectors) decode them. Use it to cross-check
# bytes produced by another implementation (e.g. the TypeScript library) without any live
# session. Tests use test/helpers/tshark.ts instead (many messages, one tshark run).
#
#   decode.sh bgp HEX [TSHARK ARGS...]   HEX = one or more whole BGP messages (marker included)
#   decode.sh bfd HEX [TSHARK ARGS...]   HEX = one BFD control packet (UDP payload, port 3784)
#   decode.sh bfd-mh HEX ...             multihop BFD (UDP 4784)
# HEX may contain spaces, colons, newlines or a 0x prefix. Default TSHARK ARGS: -O bgp|bfd
# (full tree of that protocol only; use -V to see the whole frame).
# Examples:
#   decode.sh bgp ffffffffffffffffffffffffffffffff001304
#   decode.sh bgp "$HEX" -T json                  # machine-readable, for tests
#   decode.sh bgp "$HEX" -T fields -e bgp.type -e bgp.length -e _ws.expert.message
# Exit status 3 if tshark flags the packet as malformed or reports expert warnings/errors.
set -euo pipefail
proto="${1:-}"; hex="${2:-}"
[ -n "$proto" ] && [ -n "$hex" ] || { sed -n '2,15p' "$0" >&2; exit 2; }
shift 2
tmp="$(mktemp -d /tmp/decode.XXXXXX)"; trap 'rm -rf "$tmp"' EXIT
# normalise hex, then write "offset byte byte ..." lines (the od -Ax -tx1 format text2pcap reads)
clean="$(printf '%s' "$hex" | sed -e 's/0x//g' | tr -d ' :\n\t\r' | tr 'A-F' 'a-f')"
[[ "$clean" =~ ^[0-9a-f]*$ ]] && [ $(( ${#clean} % 2 )) = 0 ] || { echo "not an even-length hex string" >&2; exit 2; }
printf '%s' "$clean" | fold -w 32 | awk '{ printf "%06x", (NR-1)*16; for (i=1;i<=length($0);i+=2) printf " %s", substr($0,i,2); printf "\n" }' >"$tmp/in.txt"
case "$proto" in
  bgp)    t2p=(-T 40000,179);  filt=bgp ;;
  bfd)    t2p=(-u 49152,3784); filt=bfd ;;
  bfd-mh) t2p=(-u 49152,4784); filt=bfd ;;
  *) echo "unknown proto $proto (bgp|bfd|bfd-mh)" >&2; exit 2 ;;
esac
text2pcap -q -4 198.18.1.13,198.18.1.1 "${t2p[@]}" "$tmp/in.txt" "$tmp/in.pcap" >"$tmp/t2p.log" 2>&1 \
  || { cat "$tmp/t2p.log" >&2; exit 2; }
[ $# -gt 0 ] || set -- -O "$filt"
tshark -r "$tmp/in.pcap" -Y "$filt" "$@" 2> >(grep -v "Running as user" >&2) || { echo "decode.sh: tshark failed (bad display args?)" >&2; exit 2; }
# independent sanity verdict on stderr: every byte must be covered by recognised PDUs, no expert warnings
nbytes=$(( ${#clean} / 2 ))
case "$filt" in
  bgp) lens="$(tshark -r "$tmp/in.pcap" -Y bgp -T fields -e bgp.length 2>/dev/null | tr ',\t' '\n\n' | grep -E '^[0-9]+$' || true)" ;;
  bfd) lens="$(tshark -r "$tmp/in.pcap" -Y bfd -T fields -e bfd.message_length 2>/dev/null | grep -E '^[0-9]+$' || true)" ;;
esac
npdu="$(printf '%s\n' "$lens" | grep -c . || true)"
covered="$(printf '%s\n' "$lens" | awk '{s+=$1} END {print s+0}')"
bad="$(tshark -r "$tmp/in.pcap" -Y "_ws.malformed || _ws.expert.severity >= 6291456" -T fields -e _ws.expert.message 2>/dev/null | tr -s '\t\n' ' ' || true)"
if [ "$npdu" = 0 ]; then echo "decode.sh: FAIL: tshark recognised no $filt PDU (bad marker/length/version?)" >&2; exit 3; fi
if [ "$covered" != "$nbytes" ]; then echo "decode.sh: FAIL: $npdu PDU(s) cover $covered of $nbytes bytes" >&2; exit 3; fi
if [ -n "${bad// /}" ]; then echo "decode.sh: FAIL: tshark expert/malformed: $bad" >&2; exit 3; fi
echo "decode.sh: OK: $npdu $filt PDU(s), $nbytes bytes" >&2
