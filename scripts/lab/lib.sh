# shellcheck shell=bash
# tsbgp lab: common settings + helpers (adapted from the project's shared lab). Source it:
#   . "$(dirname "$0")/lib.sh"
# Owns: addresses, namespace names, the run dir, starting/stopping lab processes by recorded PID.
# Must not touch: anything outside its own namespaces and $RUN.
#
# Safety rules baked in here:
#  * traffic only between namespaces created by up.sh (198.18.1.0/24, 2001:db8:1::/64), no
#    default route anywhere, nothing connected to the root namespace;
#  * every wait loop is bounded in count and time;
#  * processes are stopped only by the PIDs recorded in $RUN/pids/*.pid (never by name), and only
#    if /proc/PID/cmdline still names the program that was started.

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="${LAB_RUN:-/tmp/tsbgp-lab}"       # runtime state: sockets, pid files, logs, captures
PIDS="$RUN/pids"
# namespace names carry a prefix so that this lab never collides with another lab on the host
NSP="${LAB_NS_PREFIX:-tsb-}"

RTR=rtr
NODES="n1 n2 n3 n4"
ALL_NODES="$RTR $NODES"

RTR_IP=198.18.1.1
RTR_IP6=2001:db8:1::1

node_ip()  { case "$1" in rtr) echo "$RTR_IP";; n1) echo 198.18.1.11;; n2) echo 198.18.1.12;; n3) echo 198.18.1.13;; n4) echo 198.18.1.14;; *) return 1;; esac; }
node_ip6() { case "$1" in rtr) echo "$RTR_IP6";; n1) echo 2001:db8:1::11;; n2) echo 2001:db8:1::12;; n3) echo 2001:db8:1::13;; n4) echo 2001:db8:1::14;; *) return 1;; esac; }
node_id()  { case "$1" in rtr) echo 198.18.0.1;; n1) echo 198.18.0.11;; n2) echo 198.18.0.12;; n3) echo 198.18.0.13;; n4) echo 198.18.0.14;; *) return 1;; esac; }
netns_of() { echo "$NSP$1"; }

FRR_BIN=/usr/lib/frr

log() { printf '[%s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
now_ms() { date +%s%3N; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }
# nsx NODE CMD... : run CMD inside the namespace of lab node NODE (rtr, n1..n4)
nsx() { local n="$1"; shift; ip netns exec "$(netns_of "$n")" "$@"; }

# wait_for DESC TIMEOUT_S CMD... : poll CMD every 0.2 s until it succeeds; gives up after
# TIMEOUT_S seconds of wall-clock time (also bounded in tries). Give slow CMDs their own timeout.
wait_for() {
  local desc="$1" timeout="$2"; shift 2
  local tries=$(( timeout * 5 )) i=0 deadline=$(( $(now_ms) + timeout * 1000 ))
  while [ "$i" -lt "$tries" ] && [ "$(now_ms)" -lt "$deadline" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2; i=$((i+1))
  done
  log "timeout after ${timeout}s waiting for: $desc"
  return 1
}

# lab_start NAME NODE CMD... : start CMD (a foreground-style daemon) inside NODE's namespace, in
# the background. `ip netns exec` execs the command, so $! is the daemon's own PID.
# Output goes to $RUN/logs/NAME.log.
lab_start() {
  local name="$1" node="$2"; shift 2
  mkdir -p "$PIDS" "$RUN/logs"
  if [ -f "$PIDS/$name.pid" ] && pid_alive "$(cat "$PIDS/$name.pid")"; then
    die "$name already running (pid $(cat "$PIDS/$name.pid"))"
  fi
  ip netns exec "$(netns_of "$node")" "$@" </dev/null >"$RUN/logs/$name.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$PIDS/$name.pid"
  # remember which program we started (skipping `env` and VAR=value words), so that
  # lab_stop never kills a recycled PID
  local a prog=""
  for a in "$@"; do
    case "$a" in env|*=*) continue;; *) prog="$a"; break;; esac
  done
  echo "$prog" >"$PIDS/$name.cmd"
  log "started $name in netns $(netns_of "$node"): pid $pid"
}

# alive = exists and is not a zombie (daemons get reparented; a zombie may linger until reaped)
pid_alive() {
  local st
  st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# lab_pid NAME : the recorded PID of NAME if it is alive and still runs the program we started
lab_pid() {
  local pidf="$PIDS/$1.pid" pid bin
  [ -f "$pidf" ] || return 1
  pid="$(cat "$pidf")"; bin="$(cat "$PIDS/$1.cmd" 2>/dev/null || true)"
  pid_alive "$pid" || return 1
  if [ -n "$bin" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(basename "$bin")"; then
    return 1
  fi
  echo "$pid"
}

# lab_signal NAME SIG : send SIG (e.g. STOP, CONT) to the recorded PID of NAME only
lab_signal() {
  local pid; pid="$(lab_pid "$1")" || { log "lab_signal: $1 not running"; return 1; }
  kill -"$2" "$pid"
}

# lab_stop NAME : CONT + TERM the recorded PID (only if it still is the binary we started),
# bounded wait (5 s), then KILL.
lab_stop() {
  local name="$1" pidf="$PIDS/$1.pid" pid i
  [ -f "$pidf" ] || return 0
  if pid="$(lab_pid "$name")"; then
    local t0; t0=$(now_ms)
    kill -CONT "$pid" 2>/dev/null || true   # in case a scenario stopped it
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do pid_alive "$pid" || break; sleep 0.05; done
    if pid_alive "$pid"; then log "$name (pid $pid) ignored TERM for 5 s; sending KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    log "stopped $name (pid $pid) in $(( $(now_ms) - t0 )) ms"
  elif [ -f "$pidf" ] && pid_alive "$(cat "$pidf")"; then
    log "pid $(cat "$pidf") no longer runs $(cat "$PIDS/$name.cmd" 2>/dev/null); not killing it"
  fi
  rm -f "$pidf" "$PIDS/$name.cmd"
}

lab_stop_all() {
  local f
  [ -d "$PIDS" ] || return 0
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    lab_stop "$(basename "$f" .pid)"
  done
}

lab_running() { lab_pid "$1" >/dev/null; }
