# Shared helpers for the e2e stack scripts (sourced, not run).
# shellcheck shell=bash disable=SC2034,SC2016  # vars are used by the sourcing scripts

STACK_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${AQ_STACK_DIR:-/var/tmp/aq-stack}"
PIDS="$STATE/pids"
LOGS="$STATE/log"
ETC="$STATE/etc"              # root-owned, 0755: amavisd refuses a config dir it can write to
MAILROOT="$STATE/mail"

# Fixed by the brief / by amavisd-release (which hard-codes the socket path).
DB_HOST=127.0.0.1 DB_PORT=3306 DB_NAME=amavis DB_USER=amavis DB_PASS=amavis-test-pw
IMAP_PORT=10143 IMAPS_PORT=10993 LMTP_PORT=2424
SMTP_IN_PORT=10024 PDP_PORT=9998
PDP_SOCKET=/var/lib/amavis/amavisd.sock

log() { echo "[aq-stack] $*" >&2; }
die() { echo "[aq-stack] ERROR: $*" >&2; exit 1; }

# Is TCP port open on 127.0.0.1? bash's /dev/tcp needs no extra package.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# First line a server sends on connect (e.g. SMTP/IMAP greeting), or nothing.
banner() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
                     IFS= read -r -t 2 line <&3 && printf "%s\n" "$line"' _ "$1" 2>/dev/null || true
}

# wait_until <seconds> <description> <command...>: poll every 0.1 s.
wait_until() {
  local secs=$1 what=$2; shift 2
  local n=$((secs * 10))
  while [ "$n" -gt 0 ]; do
    "$@" && return 0
    sleep 0.1; n=$((n - 1))
  done
  log "timed out after ${secs}s waiting for: $what"
  return 1
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pidfile_pid() { local p=""; [ -s "$1" ] && p=$(tr -dc "0-9" <"$1"); [ -n "$p" ] && echo "$p"; true; }

# Does <pid> run a command line matching <regex>? Guards against stale pid files (after a
# reboot the recorded PID may belong to an unrelated process: never signal that one).
pid_is() { pid_alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -Eq "$2"; }

# stop_pid <name> <pid> [<cmdline regex>]: SIGTERM, wait up to 15 s, then SIGKILL.
# Only ever a PID we recorded, and only if its command line still looks like <name>.
stop_pid() {
  local name=$1 pid=$2 re=${3:-$1}
  pid_is "$pid" "$re" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_until 15 "$name to exit" bash -c "! kill -0 $pid 2>/dev/null"; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
}

# detached <cmd...>: runs a daemon-starting command with no open file beyond 0-2. Everything
# started here inherits our descriptors, among them the lock fd of a caller's
# `flock /tmp/aq-stack.lock up.sh`: a daemon that kept it (amavisd does) would hold the
# stack's lock for its whole life and every later flock would wait forever.
detached() {
  (
    self=$BASHPID
    for fd in $(ls "/proc/$self/fd"); do
      [ "$fd" -gt 2 ] || continue
      { eval "exec $fd>&-"; } 2>/dev/null || true
    done
    exec "$@"
  )
}

show_log_tail() { [ -f "$1" ] && { echo "----- tail of $1 -----" >&2; tail -n "${2:-40}" "$1" >&2; }; true; }

# mysql as root over the unix socket (both the reused server and ours allow that).
mysql_root() { mysql --protocol=socket -uroot "$@"; }

# ---------- amavisd ----------
# amavisd switches its EUID to amavis before Net::Server writes the pid file, so the
# file lives in the amavis-owned $STATE/amavis; up/ctl copy it to $PIDS/amavisd.pid.
amavisd_pid() { local p; p=$(pidfile_pid "$STATE/amavis/amavisd.pid"); [ -n "$p" ] || p=$(pidfile_pid "$PIDS/amavisd.pid"); echo "$p"; }
amavisd_ready() { port_open "$PDP_PORT" && banner "$SMTP_IN_PORT" | grep -q '^220'; }

start_amavisd() {
  local pid
  pid=$(amavisd_pid)
  if pid_is "$pid" amavisd && amavisd_ready; then return 0; fi
  stop_amavisd
  # A stale socket file left by a killed amavisd makes the bind fail.
  rm -f "$PDP_SOCKET"
  : >"$LOGS/amavisd.log"; chown amavis:amavis "$LOGS/amavisd.log"
  rm -f "$STATE/amavis/amavisd.pid"
  # amavisd daemonizes (Net::Server) and writes $STATE/amavis/amavisd.pid.
  if ! detached amavisd -c "$ETC/amavisd.conf" >>"$LOGS/amavisd.start.log" 2>&1; then
    show_log_tail "$LOGS/amavisd.start.log"; show_log_tail "$LOGS/amavisd.log"
    die "amavisd failed to start"
  fi
  # Ready ~1-2 s after start (SpamAssassin compiles its rules first). Fail fast when the
  # daemon gave up (it logs "Server closing!") instead of waiting for the timeout.
  local n=600
  until amavisd_ready; do
    if grep -q 'Server closing!' "$LOGS/amavisd.log" || [ "$n" -le 0 ]; then
      show_log_tail "$LOGS/amavisd.start.log"; show_log_tail "$LOGS/amavisd.log" 60
      die "amavisd did not become ready"
    fi
    sleep 0.1; n=$((n - 1))
  done
  amavisd_pid >"$PIDS/amavisd.pid"
}

stop_amavisd() {
  local pid
  pid=$(amavisd_pid)
  stop_pid amavisd "$pid"
  rm -f "$PIDS/amavisd.pid"
  # The master takes its children down on TERM; wait until the ports are free so a
  # following start (or a test expecting "connection refused") sees a clean state.
  wait_until 15 "amavisd ports to close" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$SMTP_IN_PORT) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/$PDP_PORT) 2>/dev/null" || true
}

# ---------- dovecot ----------
dovecot_pid() { pidfile_pid "$STATE/dovecot/run/master.pid"; }
dovecot_ready() {
  banner "$IMAP_PORT" | grep -q '^\* OK' && port_open "$IMAPS_PORT" \
    && banner "$LMTP_PORT" | grep -q '^220'
}

start_dovecot() {
  local pid
  pid=$(dovecot_pid)
  if pid_is "$pid" dovecot && dovecot_ready; then return 0; fi
  stop_dovecot
  if ! detached dovecot -c "$ETC/dovecot.conf" >>"$LOGS/dovecot.start.log" 2>&1; then
    show_log_tail "$LOGS/dovecot.start.log"; show_log_tail "$LOGS/dovecot.log"
    die "dovecot failed to start"
  fi
  if ! wait_until 20 "dovecot ready (IMAP $IMAP_PORT/$IMAPS_PORT, LMTP $LMTP_PORT)" dovecot_ready; then
    show_log_tail "$LOGS/dovecot.start.log"; show_log_tail "$LOGS/dovecot.log"
    die "dovecot did not become ready"
  fi
  dovecot_pid >"$PIDS/dovecot.pid"
}

stop_dovecot() {
  local pid
  pid=$(dovecot_pid)
  [ -n "$pid" ] || pid=$(pidfile_pid "$PIDS/dovecot.pid")
  stop_pid dovecot "$pid"
  rm -f "$PIDS/dovecot.pid"
  wait_until 15 "dovecot ports to close" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$IMAP_PORT) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/$LMTP_PORT) 2>/dev/null" || true
}
