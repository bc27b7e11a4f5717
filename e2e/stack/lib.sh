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
# amavisd's lookup tables (users, mailaddr, wblist, policy: @lookup_sql_dsn) in a database of their own
# (issue #14), so that AQ_LOOKUP_DB_URL is exercised; amavisd-pg keeps them in its storage database.
LOOKUP_DB_NAME=amavis_lookup
IMAP_PORT=10143 IMAPS_PORT=10993 LMTP_PORT=2424
SMTP_IN_PORT=10024 PDP_PORT=9998
PDP_SOCKET=/var/lib/amavis/amavisd.sock
# PostgreSQL (issue #12): the machine's cluster on 5432; same role name and password as
# MariaDB's user. amavisd-pg is a second amavisd that stores in it.
PG_HOST=127.0.0.1 PG_PORT=5432 PG_SOCKET_DIR=/var/run/postgresql PG_DB=amavis PG_BENCH_DB=amavis_bench
PG_SMTP_IN_PORT=10026 PG_PDP_PORT=9996
PG_PDP_SOCKET=/var/lib/amavis/amavisd-pg.sock
# spamd (issue #14): learning through TELL (`spamc -L spam|ham`), on loopback only. spamd learns into
# amavisd's one Bayes store; spamd-users keeps a store per TELL `User:` (AQ_LEARN_LEVEL=user or domain).
SPAMD_PORT=10783
SPAMD_USERS_PORT=10784
# amavisd-isp (issue #14): a third amavisd whose lookups are ISPConfig's spamfilter_* tables and SQL
# (in amavis_ispconfig); it stores in the MariaDB `amavis` database like amavisd.
ISP_LOOKUP_DB_NAME=amavis_ispconfig
ISP_SMTP_IN_PORT=10028 ISP_PDP_PORT=9994
ISP_PDP_SOCKET=/var/lib/amavis/amavisd-isp.sock

# The amavisd instances. The name is also the stem of each one's config
# ($ETC/<name>.conf), pid, lock and log files, so the helpers below take it as argument.
declare -A AMAVISD_SMTP_PORT=([amavisd]=$SMTP_IN_PORT [amavisd-pg]=$PG_SMTP_IN_PORT [amavisd-isp]=$ISP_SMTP_IN_PORT)
declare -A AMAVISD_PDP_PORT=([amavisd]=$PDP_PORT [amavisd-pg]=$PG_PDP_PORT [amavisd-isp]=$ISP_PDP_PORT)
declare -A AMAVISD_SOCKET=([amavisd]=$PDP_SOCKET [amavisd-pg]=$PG_PDP_SOCKET [amavisd-isp]=$ISP_PDP_SOCKET)
AMAVISD_INSTANCES=(amavisd amavisd-pg amavisd-isp)

log() { echo "[aq-stack] $*" >&2; }
die() { echo "[aq-stack] ERROR: $*" >&2; exit 1; }

# Is TCP port open on 127.0.0.1? bash's /dev/tcp needs no extra package.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# First line a server sends on connect (e.g. SMTP/IMAP greeting), or nothing.
banner() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
                     IFS= read -r -t 2 line <&3 && printf "%s\n" "$line"' _ "$1" 2>/dev/null || true
}

# wait_until <seconds> <description> <command...>: poll every 0.1 s. The limit is wall-clock
# (bash's SECONDS): a probe that takes long (a banner read, a loaded machine) must not
# stretch it.
wait_until() {
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  while [ "$SECONDS" -lt "$deadline" ]; do
    "$@" && return 0
    sleep 0.1
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

# close_inherited_fds: closes every descriptor above 2 of the current (sub)shell. Everything started
# from here inherits our descriptors, among them the lock fd of a caller's
# `flock /tmp/aq-stack.lock up.sh`: a daemon that kept it (amavisd does) would hold the stack's lock
# for its whole life and every later flock would wait forever.
close_inherited_fds() {
  local fd
  for fd in "/proc/$BASHPID/fd/"*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] || continue
    { eval "exec $fd>&-"; } 2>/dev/null || true
  done
}

# detached <cmd...>: runs a daemon-starting command (one that forks the daemon and returns) with no
# open file beyond 0-2. A server run in the background instead must be started as
# `( close_inherited_fds; exec server ... ) &`, so that $! is the server's own pid, not a subshell's.
detached() {
  (
    close_inherited_fds
    exec "$@"
  )
}

show_log_tail() { [ -f "$1" ] && { echo "----- tail of $1 -----" >&2; tail -n "${2:-40}" "$1" >&2; }; true; }

# mysql as root over the unix socket (both the reused server and ours allow that).
mysql_root() { mysql --protocol=socket -uroot "$@"; }

# ---------- PostgreSQL ----------
# psql as the postgres superuser over the unix socket (peer or trust auth both let the
# postgres OS user in). cd /: runuser keeps root's cwd, which postgres may not read.
psql_super() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" "$@"); }
# psql as the amavis role over TCP with its password: the way amavisd-pg and the server connect.
psql_amavis() { PGPASSWORD="$DB_PASS" psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$DB_USER" "$@"; }
postgresql_ready() { psql_super -d postgres -c 'SELECT 1' >/dev/null 2>&1; }
# "<version> <name> <data dir>" of the Debian cluster configured for $PG_PORT.
pg_cluster() { pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p { print $1, $2, $6; exit }'; }

# Reuse a running cluster. Otherwise start the distribution's cluster with its own tool and
# record "<version> <name> <postmaster pid>" in $PIDS/postgresql.started, so that down.sh
# stops only a server we started (and not one somebody restarted since).
start_postgresql() {
  postgresql_ready && return 0
  local ver name datadir
  read -r ver name datadir <<<"$(pg_cluster)" || true
  [ -n "${name:-}" ] || die "no PostgreSQL cluster for port $PG_PORT (pg_lsclusters); install postgresql"
  if port_open "$PG_PORT"; then
    die "something listens on $PG_HOST:$PG_PORT but psql as postgres over $PG_SOCKET_DIR does not work"
  fi
  log "starting PostgreSQL $ver/$name (pg_ctlcluster)"
  # --skip-systemctl-redirect: there is no systemd here; pg_ctlcluster then runs pg_ctl itself.
  if ! detached pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >>"$LOGS/postgresql.start.log" 2>&1; then
    show_log_tail "$LOGS/postgresql.start.log"; die "PostgreSQL $ver/$name did not start"
  fi
  wait_until 30 "PostgreSQL to accept connections" postgresql_ready || die "PostgreSQL did not become ready"
  echo "$ver $name $(head -n1 "$datadir/postmaster.pid")" >"$PIDS/postgresql.started"
}

stop_postgresql() {  # only the cluster start_postgresql started
  local ver name pid
  [ -s "$PIDS/postgresql.started" ] || return 0
  read -r ver name pid <"$PIDS/postgresql.started"
  if pid_is "$pid" postgres; then
    log "stopping PostgreSQL $ver/$name (pid $pid)"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" stop >>"$LOGS/postgresql.start.log" 2>&1 \
      || log "pg_ctlcluster $ver $name stop failed (see $LOGS/postgresql.start.log)"
  fi
  rm -f "$PIDS/postgresql.started"
}

# ---------- amavisd (instances: amavisd, amavisd-pg, amavisd-isp; the default is amavisd) ----------
# amavisd switches its EUID to amavis before Net::Server writes the pid file, so the
# file lives in the amavis-owned $STATE/amavis; up/ctl copy it to $PIDS/<name>.pid.
amavisd_pid() {
  local name=${1:-amavisd} p
  p=$(pidfile_pid "$STATE/amavis/$name.pid"); [ -n "$p" ] || p=$(pidfile_pid "$PIDS/$name.pid"); echo "$p"
}
amavisd_ready() {
  local name=${1:-amavisd}
  port_open "${AMAVISD_PDP_PORT[$name]}" && banner "${AMAVISD_SMTP_PORT[$name]}" | grep -q '^220'
}

start_amavisd() {
  local name=${1:-amavisd} pid
  local log="$LOGS/$name.log" start_log="$LOGS/$name.start.log"
  pid=$(amavisd_pid "$name")
  if pid_is "$pid" amavisd && amavisd_ready "$name"; then return 0; fi
  stop_amavisd "$name"
  # A stale socket file left by a killed amavisd makes the bind fail.
  rm -f "${AMAVISD_SOCKET[$name]}"
  : >"$log"; chown amavis:amavis "$log"
  rm -f "$STATE/amavis/$name.pid"
  # amavisd daemonizes (Net::Server) and writes $STATE/amavis/<name>.pid.
  if ! detached amavisd -c "$ETC/$name.conf" >>"$start_log" 2>&1; then
    show_log_tail "$start_log"; show_log_tail "$log"
    die "$name failed to start"
  fi
  # Ready ~1-2 s after start (SpamAssassin compiles its rules first). Fail fast when the
  # daemon gave up (it logs "Server closing!") instead of waiting for the timeout. The
  # timeout is wall-clock: with a foreign listener on the SMTP port, each banner probe
  # waits 2 s for a greeting that never comes.
  local deadline=$((SECONDS + 60))
  until amavisd_ready "$name"; do
    if grep -q 'Server closing!' "$log" || [ "$SECONDS" -ge "$deadline" ]; then
      show_log_tail "$start_log"; show_log_tail "$log" 60
      die "$name did not become ready"
    fi
    sleep 0.1
  done
  amavisd_pid "$name" >"$PIDS/$name.pid"
}

stop_amavisd() {
  local name=${1:-amavisd} pid
  local smtp=${AMAVISD_SMTP_PORT[$name]} pdp=${AMAVISD_PDP_PORT[$name]}
  pid=$(amavisd_pid "$name")
  # Every instance's master calls itself "amavisd (master)": the pid file tells them apart.
  stop_pid "$name" "$pid" amavisd
  rm -f "$PIDS/$name.pid"
  # The master takes its children down on TERM; wait until the ports are free so a
  # following start (or a test expecting "connection refused") sees a clean state.
  wait_until 15 "$name ports to close" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$smtp) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/$pdp) 2>/dev/null" || true
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

# ---------- spamd (issue #14: "Spam"/"Not spam" learn through spamd's TELL) ----------
# Learning only helps if it lands in the Bayes store amavisd reads. Both amavisd run SpamAssassin
# in-process as amavis with $helpers_home = $MYHOME = /var/lib/amavis and no bayes_path, so their
# (shared) store is ~amavis/.spamassassin/bayes_{toks,seen}: `runuser -u amavis -- sa-learn --dump magic`
# reads that same one. spamd is given the path outright: it drops $HOME and preloads in a temp home, so
# its default would hang on how it resolves "~" after its user handling. Its children run as amavis (the
# store's owner; the master stays root); -x: no per-user prefs, so a TELL's User: header does not move
# the store either. --local: there is no network. Only TELL's Set/Remove local is used (no reporting).
AMAVIS_HOME=/var/lib/amavis
BAYES_DIR=$AMAVIS_HOME/.spamassassin
BAYES_PATH=$BAYES_DIR/bayes
# spamd-users: the way an operator keeps per-user (or per-domain) Bayes stores apart without SQL. With
# --virtual-config-dir (which needs -x and -u) spamd makes <dir>/<User:> for each TELL's User: header (an
# address for AQ_LEARN_LEVEL=user, a domain for domain) and keeps that user's bayes_{toks,seen} in it. No
# bayes_path here: that would put every user back into one store. One child: a test learns a few messages.
USER_BAYES_DIR=$AMAVIS_HOME/aq-bayes
SPAMD_BIN=/usr/sbin/spamd
declare -A SPAMD_PORT_OF=([spamd]=$SPAMD_PORT [spamd-users]=$SPAMD_USERS_PORT)
SPAMD_INSTANCES=(spamd spamd-users)
# spamd_args <name>: sets SPAMD_ARGS to that instance's command line (pid and log files are named after it).
spamd_args() {
  SPAMD_ARGS=(
    --daemonize --pidfile="$PIDS/$1.pid" --syslog="$LOGS/$1.log"
    --username=amavis --groupname=amavis --helper-home-dir="$AMAVIS_HOME"
    --listen="127.0.0.1:${SPAMD_PORT_OF[$1]}" --allowed-ips=127.0.0.1
    --allow-tell --local --nouser-config
  )
  case $1 in
    spamd) SPAMD_ARGS+=(--cf="bayes_path $BAYES_PATH" --max-children=2 --min-children=1) ;;
    spamd-users) SPAMD_ARGS+=(--virtual-config-dir="$USER_BAYES_DIR/%u" --max-children=1 --min-children=1) ;;
    *) die "no spamd instance $1" ;;
  esac
}

# The Bayes store exists and belongs to amavis: a root-run sa-learn would leave files amavisd and
# spamd (both amavis) cannot write, and `sa-learn --dump magic` fails on a store nobody learned into yet.
ensure_bayes_store() {
  install -d -o amavis -g amavis -m 0700 "$BAYES_DIR" "$USER_BAYES_DIR"
  find "$BAYES_DIR" ! -user amavis -exec chown amavis:amavis {} +
  if [ ! -s "${BAYES_PATH}_toks" ]; then
    log "creating the Bayes store $BAYES_PATH"
    # cd /: runuser keeps root's cwd, which amavis may not read.
    (cd / && runuser -u amavis -- sa-learn --dbpath "$BAYES_PATH" --sync) >>"$LOGS/spamd.start.log" 2>&1 \
      || { show_log_tail "$LOGS/spamd.start.log"; die "could not create the Bayes store $BAYES_PATH"; }
  fi
  runuser -u amavis -- test -w "${BAYES_PATH}_toks" -a -w "${BAYES_PATH}_seen" \
    || die "the Bayes store ${BAYES_PATH}_{toks,seen} is not writable by amavis"
}

spamd_pid() { pidfile_pid "$PIDS/$1.pid"; }
# spamd_ready <port>: a PING over TCP, as `spamc -K` sends it: the answer is "SPAMD/1.5 0 PONG".
spamd_ready() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
                     printf "PING SPAMC/1.5\r\n\r\n" >&3
                     IFS= read -r -t 2 line <&3 && [[ $line == "SPAMD/"*" 0 PONG"* ]]' _ "$1" 2>/dev/null
}

# start_spamd <name>: keeps a healthy instance started with today's arguments ($ETC/<name>.args records
# those of the running one: its command line is just "spamd"); anything else is (re)started.
start_spamd() {
  local name=$1 pid want port=${SPAMD_PORT_OF[$1]}
  spamd_args "$name"
  want=$(printf '%s\n' "$SPAMD_BIN" "${SPAMD_ARGS[@]}")
  pid=$(spamd_pid "$name")
  if pid_is "$pid" spamd && [ "$want" == "$(cat "$ETC/$name.args" 2>/dev/null)" ] && spamd_ready "$port"; then return 0; fi
  stop_spamd "$name"
  [ -x "$SPAMD_BIN" ] || die "no $SPAMD_BIN: install Debian's spamd package (split from spamassassin since 4.0)"
  if port_open "$port"; then die "something else listens on 127.0.0.1:$port"; fi
  ensure_bayes_store
  rm -f "$ETC/$name.args"
  if ! detached "$SPAMD_BIN" "${SPAMD_ARGS[@]}" </dev/null >>"$LOGS/$name.start.log" 2>&1; then
    show_log_tail "$LOGS/$name.start.log"; show_log_tail "$LOGS/$name.log"
    die "$name failed to start"
  fi
  # Ready ~2 s after start (it compiles the rules first). Fail fast once the daemon is gone.
  local deadline=$((SECONDS + 60))
  until spamd_ready "$port"; do
    pid=$(spamd_pid "$name")
    if { [ -n "$pid" ] && ! pid_alive "$pid"; } || [ "$SECONDS" -ge "$deadline" ]; then
      show_log_tail "$LOGS/$name.start.log"; show_log_tail "$LOGS/$name.log"
      die "$name did not answer PING on 127.0.0.1:$port"
    fi
    sleep 0.1
  done
  printf '%s\n' "$want" >"$ETC/$name.args"
}

stop_spamd() {
  local name=$1 port=${SPAMD_PORT_OF[$1]}
  stop_pid "$name" "$(spamd_pid "$name")" spamd   # the master takes its children down on TERM
  rm -f "$PIDS/$name.pid"
  wait_until 15 "$name port to close" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" || true
}
